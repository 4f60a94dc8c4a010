"""The README's screenshots from the real pages: `python -m tests.browser.screenshot [--api graph] [dir]`.

Runs the README's story against `igbot dev`'s stack (temporary data; the README's ports when free).
legacy (the default) makes docs/console.png and docs/approval.png: alice types `/ig follow
carol.private`, connects Instagram on the sandbox's approval page, gets the follow result, then
`/ig popular 3`. graph makes docs/console-graph.png from `igbot dev --api graph`: alice types
`/ig recent 2`, logs in on the sandbox's Facebook dialog, picks @alice.studio in Slack's menu and gets
her latest two posts. Emoji look best with Debian's `fonts-noto-color-emoji` installed.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from playwright.sync_api import expect

from tests.browser import harness

DOCS = Path(__file__).resolve().parents[2] / "docs"
IMAGES_LOADED = """() => {
    const imgs = [...document.querySelectorAll('#messages img')];
    return imgs.length > 0 && imgs.every(img => img.complete && img.naturalWidth > 0);
}"""


def make(docs: Path) -> list[Path]:
    """Run the story; save the console (``console.png``) and the approval page (``approval.png``)."""
    shots = [docs / "console.png", docs / "approval.png"]
    docs.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as data,
        harness.dev_stack(Path(data), readme_ports=True) as dev,
        harness.browser() as b,
    ):
        context = b.new_context(viewport={"width": 1280, "height": 960})
        console = harness.Console.open(context, dev.console)
        console.act_as("U0ALICE")
        console.open_channel("C0GENERAL")
        console.send("/ig follow carol.private")
        prompt = console.message("Connect Instagram")
        with context.expect_page() as opened:
            prompt.locator("button[data-action-id=ig_connect]").click()
        approval = opened.value
        approval.set_viewport_size({"width": 720, "height": 560})
        approval.select_option("#username", "alice")
        approval.screenshot(path=str(shots[1]))
        approval.click("#authorize")
        expect(approval.locator("h1")).to_have_text("Instagram connected")
        approval.close()
        console.message("follow request was sent")
        console.send("/ig popular 3")
        console.message("popular Instagram posts")
        console.page.wait_for_function(IMAGES_LOADED)
        # Start the view at the first command, so the whole story fits: prompt, link, follow, gallery.
        console.page.locator("#messages .message").first.evaluate("m => m.scrollIntoView({block: 'start'})")
        console.page.locator("#message-input").fill("/ig user dan_the_man")
        console.page.screenshot(path=str(shots[0]))
        context.close()
    return shots


def make_graph(docs: Path) -> list[Path]:
    """Run the graph story (`igbot dev --api graph`); save the console as ``console-graph.png``."""
    shot = docs / "console-graph.png"
    docs.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as data,
        harness.dev_stack(Path(data), readme_ports=True, api="graph") as dev,
        harness.browser() as b,
    ):
        context = b.new_context(viewport={"width": 1280, "height": 1240})  # tall enough for both posts
        console = harness.Console.open(context, dev.console)
        console.act_as("U0ALICE")
        console.open_channel("C0GENERAL")
        console.send("/ig recent 2")
        prompt = console.message("Connect Instagram")
        with context.expect_page() as opened:
            prompt.locator("button[data-action-id=ig_connect]").click()
        dialog = opened.value
        dialog.select_option("#username", "alice")
        dialog.click("#authorize")
        expect(dialog.locator("h1")).to_have_text("Almost done: pick an account in Slack")
        dialog.close()
        menu = console.message("Which one should igbot use?")
        menu.locator("select.menu").select_option(label="@alice.studio")
        gallery = console.message("latest 2 posts of @alice.studio")
        console.wait_images(gallery, 2)
        console.page.wait_for_function(IMAGES_LOADED)
        console.page.locator("#messages .message").first.evaluate("m => m.scrollIntoView({block: 'start'})")
        console.page.locator("#message-input").fill("/ig popular #sunset 3")
        console.page.screenshot(path=str(shot))
        context.close()
    return [shot]


def main(argv: list[str] | None = None) -> None:
    """Make the screenshots of one mode and print their paths."""
    parser = argparse.ArgumentParser(prog="python -m tests.browser.screenshot")
    parser.add_argument("--api", choices=["legacy", "graph"], default="legacy")
    parser.add_argument("docs", nargs="?", type=Path, default=DOCS, help="where to save (default docs/)")
    args = parser.parse_args(argv)
    for shot in (make_graph if args.api == "graph" else make)(args.docs):
        print(shot)


if __name__ == "__main__":
    main()
