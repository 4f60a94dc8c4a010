"""The end of linking, on the Slack side: what the person sees after the Instagram approval page.

The OAuth callback (`bot.web.callback`) consumes the state, exchanges the code and stores the link;
then a job (`bot.jobs.linking`) calls one of these: the link is made (say so, then finish the
command that was waiting), the person manages several accounts (ask which one; `choose_account`
stores the pick and finishes the same way), none was found, or they cancelled.
"""
