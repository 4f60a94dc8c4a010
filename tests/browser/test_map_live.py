"""`/ig map` in the browser console (`igbot dev`): the map picture, served by igbot at `/maps/<id>.png`
from the sandbox's offline tiles, loads in the page, with its numbered photos under it."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, expect

from tests.browser.harness import Console, Dev


def test_a_map_of_a_place_loads_in_the_console(dev: Dev, context: BrowserContext) -> None:
    console = Console.open(context, dev.console)
    console.act_as("U0CAROL")
    console.open_channel("C0RANDOM")
    console.send("/ig map Canal Saint-Martin")
    shown = console.message("mapped")
    expect(shown).to_be_visible(timeout=20_000)
    expect(shown).to_contain_text("Canal Saint-Martin")
    images = shown.locator(".block-image img")
    expect(images).to_have_count(1)
    src = images.first.get_attribute("src") or ""
    assert "/maps/" in src and src.endswith(".png"), src
    console.page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=images.first.element_handle(), timeout=20_000
    )
    assert images.first.evaluate("img => img.naturalWidth") == 800
    expect(shown).to_contain_text("Open on Instagram")
