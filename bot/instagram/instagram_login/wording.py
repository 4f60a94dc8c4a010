"""What people are told about reaching their account through Instagram Login: the professional account
that logs in is the account (no Facebook, no Page, never a choice between accounts); a personal account
cannot log in at all (docs/instagram-login.md)."""

from __future__ import annotations

from bot.instagram.wording import AccountFacts

ACCOUNT_FACTS = AccountFacts(
    needs_facebook_page=False,
    no_account=(
        "igbot found no Instagram professional (business or creator) account to connect. Only a "
        "professional account can log in with Instagram: switch to a professional account in the Instagram "
        "app (Settings > Account type and tools), then run /ig login again."
    ),
    nothing_to_pick=(
        "igbot found no Instagram professional (business or creator) account to connect, so there is no "
        "account to pick. Switch to a professional account in the Instagram app (Settings &gt; Account type "
        "and tools), then run `/ig login` again."
    ),
    # The code exchange names exactly the one account that logged in: never expected.
    pick_prompt="Your Instagram login can use several accounts. Which one should igbot use?",
    several_accounts="Your Instagram login can use {count} accounts.",
    inbox_needs_role=(
        "Instagram didn't let igbot turn on comment delivery for *@{account}*. Run `/ig login` again and "
        "allow igbot to manage comments, then run `/ig inbox` again."
    ),
    inbox_access_how="",
    moderation_refused="Instagram doesn't let your connection moderate this comment. Nothing was changed.",
)
