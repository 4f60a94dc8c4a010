"""The console's mrkdwn and Block Kit renderers, checked on the DOM they build."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.harness import Console, Dev


@pytest.fixture(scope="module")
def page(browser: Browser, dev: Dev) -> Iterator[Page]:
    context = browser.new_context()
    console = Console.open(context, dev.console)
    console.act_as("U0ALICE")
    yield console.page
    context.close()


def mrkdwn(page: Page, text: str) -> str:
    return str(page.evaluate("text => window.igConsole.renderMrkdwn(text, 'T0SANDBOX').innerHTML", text))


@pytest.mark.parametrize(
    ("text", "html"),
    [
        (
            "*bold* _italic_ ~gone~ `co*de*`",
            "<strong>bold</strong> <em>italic</em> <s>gone</s> <code>co*de*</code>",
        ),
        ("snake_case_name and 2*3*4", "snake_case_name and 2*3*4"),
        ("* not bold * and _ nor this _", "* not bold * and _ nor this _"),
        (
            "*<https://x.test/p?a=1&amp;b=2|@alice>* (Alice)",
            '<strong><a href="https://x.test/p?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">'
            "@alice</a></strong> (Alice)",
        ),
        (
            "<https://x.test/>",
            '<a href="https://x.test/" target="_blank" rel="noopener noreferrer">https://x.test/</a>',
        ),
        ("<javascript:alert(1)|x> <mailto:a@b.c|mail>", "<span>x</span> <span>mail</span>"),
        (
            "hi <@U0BOB> and <@U0ALICE>",
            'hi <span class="mention" data-user-id="U0BOB">@bob</span> and '
            '<span class="mention me" data-user-id="U0ALICE">@alice</span>',
        ),
        ("&lt;b&gt;x&lt;/b&gt; &amp;lt; &amp;", "&lt;b&gt;x&lt;/b&gt; &amp;lt; &amp;"),
        (":white_check_mark: done :not_an_emoji:", "✅ done :not_an_emoji:"),
        ("line one\n*line two*", "line one\n<strong>line two</strong>"),
        ("<!here> look", '<span class="mention">@here</span> look'),
        ("```a <b>\n*c*```", "<pre>a <b>\n*c*</pre>".replace("<b>", "&lt;b&gt;")),
    ],
)
def test_mrkdwn(page: Page, text: str, html: str) -> None:
    assert mrkdwn(page, text) == html


def test_block_kit_blocks_we_use(page: Page) -> None:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Header :wave:"}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "*Section*"},
            "fields": [{"type": "mrkdwn", "text": "*a*"}, {"type": "plain_text", "text": "b"}],
            "accessory": {"type": "image", "image_url": "http://127.0.0.1:1/a.png", "alt_text": "thumb"},
        },
        {"type": "divider"},
        {"type": "image", "image_url": "http://127.0.0.1:1/b.png", "alt_text": "pic",
         "title": {"type": "plain_text", "text": "Title"}},
        {"type": "context", "elements": [{"type": "image", "image_url": "http://127.0.0.1:1/c.png",
                                          "alt_text": "c"}, {"type": "mrkdwn", "text": "_ctx_"}]},
        {"type": "actions", "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": "Open"}, "url": "https://x.test/",
             "action_id": "go", "style": "primary"},
            {"type": "button", "text": {"type": "plain_text", "text": "Value"}, "value": "v",
             "action_id": "val"},
            {"type": "static_select", "action_id": "menu", "options": [
                {"text": {"type": "plain_text", "text": "@one"}, "value": "1"}]},
            {"type": "overflow", "action_id": "more"},
        ]},
        {"type": "video"},
    ]  # fmt: skip
    summary = page.evaluate(
        """blocks => {
            const root = document.createElement('div');
            root.appendChild(window.igConsole.renderBlocks(blocks, {message: {}, teamId: 'T0SANDBOX'}));
            const q = s => root.querySelector(s);
            return {
                classes: [...root.children].map(c => c.className),
                header: q('.block-header').textContent,
                fields: [...root.querySelectorAll('.section-fields .field')].map(f => f.innerHTML),
                accessory: q('.block-section img.accessory-image').alt,
                caption: q('.block-image figcaption').textContent,
                image: q('.block-image img').getAttribute('src'),
                context: q('.block-context').innerHTML,
                buttons: [...root.querySelectorAll('.block-actions button')].map(
                    b => [b.textContent, b.dataset.actionId, b.dataset.url || null, b.className]),
                unsupported: [...root.querySelectorAll('.unsupported')].map(u => u.textContent),
                menu: [...root.querySelectorAll('select.menu option')].map(o => [o.value, o.textContent]),
            };
        }""",
        blocks,
    )
    assert summary["classes"] == [
        "block block-header", "block block-section", "block block-divider", "block block-image",
        "block block-context", "block block-actions", "block block-video",
    ]  # fmt: skip
    assert summary["header"] == "Header 👋"
    assert summary["fields"] == [
        '<span class="mrkdwn"><strong>a</strong></span>',
        '<span class="plain">b</span>',
    ]
    assert summary["accessory"] == "thumb"
    assert summary["caption"] == "Title"
    assert summary["image"] == "http://127.0.0.1:1/b.png"
    assert 'alt="c"' in summary["context"] and "<em>ctx</em>" in summary["context"]
    assert summary["buttons"] == [
        ["Open", "go", "https://x.test/", "btn primary link"],
        ["Value", "val", None, "btn"],
    ]
    assert summary["unsupported"] == [
        "[overflow: not shown in the console]",
        "[video block: not shown in the console]",
    ]
    assert summary["menu"] == [["", "Choose…"], ["1", "@one"]]
