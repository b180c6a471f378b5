"""Browser fixtures for the officials' task tests: one Chromium per session, a fresh context per test.

The browser, the `Tab` watchdog (console errors, uncaught exceptions, failed responses, CSP
violations) and the CSP reporter live in tests/browser/support.py, so every browser test
checks the same things. `view` opens a tab at desktop width or at 390 px (a phone held upright).

Screenshots go to $POLICYKB_SHOTS when set (e.g. /tmp/shots, to look at them), else to the
test's tmp_path. Nothing is compared pixel by pixel.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.support import CHROMIUM, CHROMIUM_ARGS, CSP_REPORTER, MISSING_CHROMIUM, TIMEOUT_MS, Tab

PHONE_WIDTH = 390
VIEWS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": PHONE_WIDTH, "height": 844}, "device_scale_factor": 2,
              "is_mobile": True, "has_touch": True},
}


class View(Tab):
    """A Tab that knows its width: `phone` is True at 390 px."""

    def __init__(self, page, base_url: str, shots: Path, name: str):
        super().__init__(page, base_url, shots)
        self.name = name
        self.phone = name == "phone"

    def shot(self, name: str) -> Path:
        return super().shot(f"{name}-{self.name}")

    def expect_status(self, status: int) -> None:
        """The next responses with this status are expected (e.g. a 400 for bad input), not problems."""
        expected = (f"HTTP {status} ", f"status of {status} ")
        self.problems = [p for p in self.problems if not any(e in p for e in expected)]


@pytest.fixture(params=list(VIEWS))
def view(request, browser, live_server, tmp_path):
    context = browser.new_context(base_url=live_server, locale="ja-JP", accept_downloads=True,
                                  **VIEWS[request.param])
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    context.add_init_script(CSP_REPORTER)
    context.set_default_timeout(TIMEOUT_MS)
    shots = Path(os.environ["POLICYKB_SHOTS"]) if os.environ.get("POLICYKB_SHOTS") else tmp_path / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    try:
        yield View(context.new_page(), live_server, shots, request.param)
    finally:
        context.close()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(MISSING_CHROMIUM, pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # a broken environment is a failure, not a skip
        pytest.fail(f"playwright is not importable ({exc}); install requirements.txt into .venv", pytrace=False)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture()
def tab(browser, live_server, tmp_path):
    context = browser.new_context(base_url=live_server, locale="ja-JP", accept_downloads=True,
                                  viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    context.add_init_script(CSP_REPORTER)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    shots = tmp_path / "screenshots"
    shots.mkdir()
    try:
        yield Tab(page, live_server, shots)
    finally:
        context.close()



@pytest.fixture()
def phone(browser, live_server, tmp_path):
    context = browser.new_context(base_url=live_server, locale="ja-JP", viewport={"width": 390, "height": 844},
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    context.add_init_script(CSP_REPORTER)
    context.set_default_timeout(TIMEOUT_MS)
    shots = tmp_path / "screenshots"
    shots.mkdir()
    try:
        yield Tab(context.new_page(), live_server, shots)
    finally:
        context.close()

