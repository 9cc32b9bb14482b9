"""Checks every cabinet page should pass: each form control has a label a screen reader
announces, and at a phone's width nothing spills past the screen's edge."""

from __future__ import annotations

from playwright.async_api import Page

from tests.web.conftest import WIDTHS

# Controls a person fills or presses, and whether each has a name: a <label>, an aria-label
# or aria-labelledby (inputs), or its own text (buttons).
UNLABELLED = """
() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
  .filter(el => {
    if (el.tagName === 'BUTTON') return !el.textContent.trim() && !el.getAttribute('aria-label');
    return !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
      && !el.getAttribute('aria-labelledby');
  })
  .map(el => el.outerHTML)
"""
SPILL = "() => document.documentElement.scrollWidth - window.innerWidth"


async def check_page(page: Page) -> None:
    """Every control labelled; at phone width, no page wider than the screen."""
    unlabelled = await page.evaluate(UNLABELLED)
    assert unlabelled == [], unlabelled
    before = page.viewport_size
    width, height = WIDTHS["phone"]
    await page.set_viewport_size({"width": width, "height": height})
    try:
        spill = await page.evaluate(SPILL)
        assert spill <= 0, f"{page.url} is {spill}px wider than a phone's screen"
    finally:
        if before is not None:
            await page.set_viewport_size(before)
