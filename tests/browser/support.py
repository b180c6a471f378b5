"""What the browser tests share: Debian's Chromium, the Tab watchdog, and small page helpers.

Playwright's own browser download does not work here: the tests use /usr/bin/chromium and
FAIL (never skip) when it is missing — scripts/test installs it.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 15_000

TRANSPORT_MEASURE = "/records/measure-1-transport-gaps"
SAKAI_CASE = "/records/case-ibaraki-sakai-autonomous-bus"

# Reports every CSP violation as a console error, so the console listener catches it.
# Init scripts are injected by the DevTools protocol, not by the page, so the CSP does not block this one.
CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
                " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


MISSING_CHROMIUM = (f"{CHROMIUM} is missing: the browser tests need Debian's chromium package "
                    "(apt-get install chromium; .ci/run installs it). Do not run `playwright install`.")


class Tab:
    """One page in a fresh context, with everything that went wrong on it collected."""

    def __init__(self, page, base_url: str, shots: Path):
        self.page = page
        self.base_url = base_url
        self.shots = shots
        self.problems: list[str] = []
        self.visited: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.problems.append(f"uncaught exception on {page.url}: {exc}"))
        page.on("response", self._on_response)
        page.on("framenavigated", lambda frame: frame == page.main_frame and self.visited.append(frame.url))

    def _on_console(self, msg) -> None:
        if msg.type == "error":
            self.problems.append(f"console error on {self.page.url}: {msg.text}")

    def _on_response(self, resp) -> None:
        if resp.url.startswith(self.base_url) and resp.status >= 400:
            self.problems.append(f"HTTP {resp.status} for {resp.url}")

    def goto(self, path: str) -> None:
        resp = self.page.goto(self.base_url + path)
        assert resp is not None and resp.status == 200, f"{path}: HTTP {resp and resp.status}"

    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.page.url).query)

    def path(self) -> str:
        return urlsplit(self.page.url).path

    def shot(self, name: str) -> Path:
        out = self.shots / f"{name}.png"
        self.page.screenshot(path=str(out), full_page=True)
        assert out.stat().st_size > 10_000, f"screenshot {out} looks empty"
        return out

    def assert_clean(self) -> None:
        assert self.visited, "no page was visited"
        assert not self.problems, "problems while browsing:\n" + "\n".join(self.problems)



def result_hrefs(page) -> list[str]:
    return page.locator("ol.result-list li.result a.result-title").evaluate_all(
        "els => els.map(a => a.getAttribute('href'))")


def facet_link(page, facet: str, label: str):
    return page.locator(f"section.facet:has(h3#facet-{facet}) a:has(.facet-label:text-is('{label}'))")


def count_of(text: str) -> int:
    m = re.search(r"(\d[\d,]*)", text)
    assert m, f"no count in {text!r}"
    return int(m.group(1).replace(",", ""))


