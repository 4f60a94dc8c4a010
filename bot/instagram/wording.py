"""What people are told where the answer depends on how a backend reaches Instagram accounts.

Each backend carries one `AccountFacts` (``InstagramBackend.account_facts``, beside its
``capabilities``): the Slack side reads the words from there and never checks which backend it runs on,
so a backend without Facebook Pages never tells anyone to go and find one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AccountFacts:
    """How people reach their Instagram accounts through one backend, and what igbot says about it.

    Args:
        needs_facebook_page: an account can be used only through a Facebook Page the person has a role
            on (the Graph API with Facebook Login); the sentences below then say so.
        no_account: the login found no account igbot can use. Plain text: the callback page shows it
            as it is; Slack gets it with ``/ig login`` as code.
        nothing_to_pick: mrkdwn for the account menu when there is no account to put in it.
        pick_prompt: the account menu's question, when the login can use several accounts.
        several_accounts: the callback page's sentence for that case; ``{count}`` is how many.
        inbox_needs_role: mrkdwn: Instagram refused to turn the inbox on for ``*@{account}*``.
        inbox_access_how: appended to "connect *@account*" for someone who may not act on its
            comments ("" when connecting it is all it takes).
        moderation_refused: mrkdwn: Instagram refused a click on an inbox comment (reply, hide, delete).
    """

    needs_facebook_page: bool
    no_account: str
    nothing_to_pick: str
    pick_prompt: str
    several_accounts: str
    inbox_needs_role: str
    inbox_access_how: str
    moderation_refused: str
