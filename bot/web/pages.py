"""Small HTML pages for the browser side of linking. Everything shown is escaped."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>igbot: {title}</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem}}
h1{{font-size:1.4rem}} .ok{{color:#2e7d32}} .fail{{color:#b3261e}}
a.button{{display:inline-block;margin-top:1rem;padding:.5rem 1rem;background:#4a154b;color:#fff;
border-radius:4px;text-decoration:none}}</style></head>
<body><main><h1 class="{kind}">{title}</h1>{paragraphs}{link}</main></body></html>
"""


@dataclass(frozen=True)
class Page:
    """An HTML answer with its status code."""

    status: int
    html: str


def render(status: int, title: str, *paragraphs: str, ok: bool, back_url: str | None = None) -> Page:
    """A page with a heading, plain-text paragraphs (escaped here) and an optional link back to Slack."""
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    link = (
        f'<a class="button" id="back-to-slack" href="{escape(back_url)}">Back to Slack</a>'
        if back_url
        else ""
    )
    html = _TEMPLATE.format(title=escape(title), kind="ok" if ok else "fail", paragraphs=body, link=link)
    return Page(status, html)
