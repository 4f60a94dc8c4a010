"""What people are told about reaching their accounts through the Graph API with Facebook Login: only
professional accounts connected to a Facebook Page the person has a role on (docs/instagram-graph.md)."""

from __future__ import annotations

from bot.instagram.wording import AccountFacts

ACCOUNT_FACTS = AccountFacts(
    needs_facebook_page=True,
    no_account=(
        "igbot found no Instagram professional (business or creator) account connected to a Facebook Page "
        "you manage. Switch your Instagram account to a professional one, connect it to your Facebook Page "
        "(Instagram: Settings > Account type and tools; or Meta Business Suite), then run /ig login again."
    ),
    nothing_to_pick=(
        "igbot found no Instagram professional (business or creator) account connected to a Facebook Page "
        "you manage, so there is no account to pick. Switch your Instagram account to a professional one, "
        "connect it to your Facebook Page (in Instagram: Settings &gt; Account type and tools; or in Meta "
        "Business Suite), then run `/ig login` again."
    ),
    pick_prompt=(
        "Your Facebook login manages several Instagram professional accounts. Which one should igbot use?"
    ),
    several_accounts="Your Facebook login manages {count} Instagram professional accounts.",
    inbox_needs_role=(
        "Facebook didn't let igbot turn on comment delivery for *@{account}*: your Facebook account needs a "
        "role on the Facebook Page connected to it. Ask the Page's admin, then run `/ig inbox` again."
    ),
    inbox_access_how=" (your Facebook account needs a role on its Facebook Page)",
    moderation_refused=(
        "Instagram doesn't let your connection moderate this comment (it needs a role on the account's "
        "Facebook Page). Nothing was changed."
    ),
)
