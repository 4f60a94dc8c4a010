"""HTML of graph mode: the "Log in with Facebook" dialog, its error page and professional posts' pages.

The dialog uses the same form conventions as the v1 authorize page (``select#username``, buttons
``#authorize`` / ``#cancel`` named ``decision``, hidden fields echoing the query), so the same test and
browser helpers drive both.  Everything echoed goes through `html.escape`.
"""

from __future__ import annotations

from html import escape

from igbot_sandboxes.instagram.graph.world import FacebookUser, GraphMedia, GraphWorld

_STYLE = """
body{font-family:Helvetica,Arial,sans-serif;background:#f0f2f5;color:#1c1e21;margin:0}
header{background:#1877f2;color:#fff;padding:12px 24px;font-weight:700;font-size:22px}
main{max-width:460px;margin:40px auto;background:#fff;border-radius:8px;padding:28px;
box-shadow:0 2px 4px rgba(0,0,0,.1),0 8px 16px rgba(0,0,0,.1)}
h1{font-size:20px;margin:0 0 12px}.app{font-weight:700}.perms li{margin:4px 0}
select{width:100%;padding:8px;margin:8px 0 20px;font-size:15px}
button{width:48%;padding:10px;border-radius:6px;border:0;font-weight:700;font-size:15px;cursor:pointer}
#authorize{background:#1877f2;color:#fff}#cancel{background:#e4e6eb;color:#050505}
.error{color:#c00}.note{color:#65676b;font-size:12px;margin-top:24px}img{max-width:100%}
"""

PERMISSION_TEXT = {
    "public_profile": "Your name and profile picture",
    "email": "Your email address",
    "pages_show_list": "Show a list of the Pages you manage",
    "pages_read_engagement": "Read content posted on the Page",
    "pages_manage_metadata": "Manage accounts, settings and webhooks for a Page",
    "business_management": "Manage your business",
    "ads_management": "Manage your ads",
    "instagram_basic": "Access profile and posts from the Instagram account connected to your Page",
    "instagram_manage_insights": "Access insights for the Instagram account connected to your Page",
    "instagram_manage_comments": "Manage comments for the Instagram account connected to your Page",
    "instagram_content_publish": "Create and publish content on the Instagram account connected to your Page",
    "instagram_manage_messages": "Manage messages for the Instagram account connected to your Page",
}


def _page(title: str, body: str, brand: str = "facebook") -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><header>{escape(brand)}</header><main>{body}"
        '<p class="note">Sandbox (Graph API stand-in). Not the real Facebook or Instagram.</p>'
        "</main></body></html>\n"
    )


def _describe(world: GraphWorld, user: FacebookUser) -> str:
    names = [a.username for a in world.accounts_of(user.id)]
    if names:
        return f"{user.name} ({user.username}) — Instagram: {', '.join(names)}"
    return f"{user.name} ({user.username}) — no Instagram account"


def login_dialog(
    action: str, params: dict[str, str], permissions: list[str], world: GraphWorld, selected: str
) -> str:
    """The dialog: pick a Facebook user, then Continue or Cancel.

    ``params`` are the hidden fields to echo (client_id, redirect_uri, response_type, scope, state).
    """
    hidden = "".join(
        f'<input type="hidden" name="{escape(k)}" id="{escape(k)}-field" value="{escape(v)}">'
        for k, v in params.items()
    )
    options = "".join(
        f'<option value="{escape(u.username)}"{" selected" if u.username == selected else ""}>'
        f"{escape(_describe(world, u))}</option>"
        for u in world.fb_users
    )
    wanted = "".join(f"<li>{escape(PERMISSION_TEXT.get(p, p))}</li>" for p in permissions)
    body = (
        "<h1>Log in with Facebook</h1>"
        f'<p><span class="app">{escape(params["client_id"])}</span> is requesting access to:</p>'
        f'<ul class="perms">{wanted}</ul>'
        f'<form method="post" action="{escape(action)}" id="authorize-form">'
        f"{hidden}"
        '<label for="username">Continue as</label>'
        f'<select name="username" id="username">{options}</select>'
        '<button type="submit" name="decision" value="authorize" id="authorize">Continue</button> '
        '<button type="submit" name="decision" value="cancel" id="cancel">Cancel</button>'
        "</form>"
        f'<p class="note">You will be sent back to {escape(params["redirect_uri"])}</p>'
    )
    return _page("Log in with Facebook", body)


def dialog_error_page(message: str) -> str:
    """The dialog's error page (status 400, no redirect)."""
    return _page(
        "Error", f'<h1>Sorry, something went wrong.</h1><p class="error" id="error">{escape(message)}</p>'
    )


def post_page(item: GraphMedia, image_url: str) -> str:
    """The permalink page of a professional account's post."""
    caption = escape(item.caption or "")
    body = (
        f"<p><strong>{escape(item.owner_username)}</strong></p>"
        f'<img src="{escape(image_url)}" alt="{caption}" width="640" height="640">'
        f"<p>{caption}</p><p>{item.like_count} likes</p>"
    )
    return _page(f"{item.owner_username} on Instagram", body, brand="Instagram")
