"""What people are told about reaching their account through API v1: the person's own Instagram login
is the account (no Facebook, no Page, never a choice between accounts)."""

from __future__ import annotations

from bot.instagram.wording import AccountFacts

ACCOUNT_FACTS = AccountFacts(
    needs_facebook_page=False,
    # API v1's code exchange always names the one account that logged in: the four sentences below are
    # there for completeness, never expected.
    no_account="igbot found no Instagram account to connect. Run /ig login again.",
    nothing_to_pick=(
        "igbot found no Instagram account to connect, so there is no account to pick. Run `/ig login` again."
    ),
    pick_prompt="Your Instagram login can use several accounts. Which one should igbot use?",
    several_accounts="Your Instagram login can use {count} accounts.",
    inbox_needs_role=(
        "Instagram didn't let igbot turn on comment delivery for *@{account}*. Run `/ig inbox` again later."
    ),
    inbox_access_how="",
    moderation_refused="Instagram doesn't let your connection moderate this comment. Nothing was changed.",
)
