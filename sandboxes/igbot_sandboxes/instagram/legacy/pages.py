"""HTML pages: the authorize (consent) page, OAuth error pages, a media permalink page and the index.

Everything echoed from a request or the world goes through `html.escape`.
"""

from __future__ import annotations

from html import escape

from igbot_sandboxes.instagram.legacy.world import Media, User

_STYLE = """
body{font-family:-apple-system,Helvetica,Arial,sans-serif;background:#fafafa;color:#262626;margin:0}
main{max-width:420px;margin:48px auto;background:#fff;border:1px solid #dbdbdb;border-radius:4px;padding:32px}
h1{font-family:Georgia,serif;font-style:italic;font-size:32px;text-align:center;margin:0 0 16px}
.app{font-weight:600}.scopes li{margin:4px 0}select{width:100%;padding:8px;margin:8px 0 20px}
button{width:48%;padding:10px;border-radius:4px;border:1px solid #3897f0;font-weight:600;cursor:pointer}
#authorize{background:#3897f0;color:#fff}#cancel{background:#fff;color:#3897f0}
.error{color:#ed4956}.note{color:#8e8e8e;font-size:12px;margin-top:24px}img{max-width:100%}
"""

SCOPE_TEXT = {
    "basic": "read your profile info and media",
    "public_content": "read any public profile info and media on your behalf",
    "follower_list": "read the list of followers and followed-by users",
    "relationships": "follow and unfollow accounts on your behalf",
    "comments": "post and delete comments on your behalf",
    "likes": "like and unlike media on your behalf",
}


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main><h1>Instagram</h1>{body}"
        '<p class="note">Sandbox Instagram (legacy API v1 stand-in). Not the real Instagram.</p>'
        "</main></body></html>\n"
    )


def authorize_page(params: dict[str, str], scopes: list[str], users: list[User], selected: str) -> str:
    """The consent page: pick an account, then Authorize or Cancel.

    ``params`` are the hidden fields to echo (client_id, redirect_uri, response_type, scope, state).
    """
    hidden = "".join(
        f'<input type="hidden" name="{escape(k)}" id="{escape(k)}-field" value="{escape(v)}">'
        for k, v in params.items()
    )
    options = "".join(
        f'<option value="{escape(u.username)}"{" selected" if u.username == selected else ""}>'
        f"{escape(u.username)} ({escape(u.full_name)}){' 🔒' if u.is_private else ''}</option>"
        for u in users
    )
    wanted = "".join(f"<li>{escape(SCOPE_TEXT.get(s, s))}</li>" for s in scopes)
    body = (
        f'<p><span class="app">{escape(params["client_id"])}</span> would like to:</p>'
        f'<ul class="scopes">{wanted}</ul>'
        '<form method="post" action="/oauth/authorize" id="authorize-form">'
        f"{hidden}"
        '<label for="username">Log in as</label>'
        f'<select name="username" id="username">{options}</select>'
        '<button type="submit" name="decision" value="authorize" id="authorize">Authorize</button> '
        '<button type="submit" name="decision" value="cancel" id="cancel">Cancel</button>'
        "</form>"
        f'<p class="note">You will be sent back to {escape(params["redirect_uri"])}</p>'
    )
    return _page("Authorize access", body)


def error_page(message: str) -> str:
    """An OAuth error page (status 400, no redirect)."""
    return _page("Error", f'<p class="error" id="error">{escape(message)}</p>')


def media_page(item: Media, owner: User, image_url: str) -> str:
    """The permalink page a media ``link`` points to."""
    caption = escape(item.caption.text) if item.caption else ""
    body = (
        f"<p><strong>{escape(owner.username)}</strong></p>"
        f'<img src="{escape(image_url)}" alt="{caption}" width="640" height="640">'
        f"<p>{caption}</p><p>{item.likes_count} likes</p>"
    )
    return _page(f"{owner.username} on Instagram", body)


def index_page(users: list[User]) -> str:
    """The sandbox's front page: accounts and where things live."""
    rows = "".join(
        f"<li>{escape(u.username)} — {escape(u.full_name)}{' (private)' if u.is_private else ''}</li>"
        for u in users
    )
    body = (
        "<p>API under <code>/v1</code>, OAuth under <code>/oauth/authorize</code> and "
        "<code>/oauth/access_token</code>, controls under <code>/__sandbox__/</code>.</p>"
        f"<p>Accounts:</p><ul>{rows}</ul>"
    )
    return _page("Sandbox Instagram", body)
