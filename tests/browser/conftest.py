"""Browser fixtures for the officials' task tests: one Chromium per session, a fresh context per test.

The browser, the `Tab` watchdog (console errors, uncaught exceptions, failed responses, CSP
violations) and the CSP reporter come from tests/test_browser.py unchanged, so both files
check the same things. `view` opens a tab at desktop width or at 390 px (a phone held upright).

Screenshots go to $POLICYKB_SHOTS when set (e.g. /tmp/shots, to look at them), else to the
test's tmp_path. Nothing is compared pixel by pixel.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.test_browser import CSP_REPORTER, TIMEOUT_MS, Tab, browser  # noqa: F401  (browser is a fixture)

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
def view(request, browser, live_server, tmp_path):  # noqa: F811  (browser is the imported fixture)
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
