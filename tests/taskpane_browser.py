"""The real task pane in real headless Chromium, with only the Office host faked.

The page comes from the real server (``live_server``) over real HTTP; its request for
office.js (upstream's vendored copy, or Microsoft's CDN) is answered with
``tests/browser/office_shim.js``, which plays Excel holding one real .xlsx: the sheets'
values and number formats, defined names, charts and sheet protection as openpyxl
reads them (like ``officejs_payload``, which builds the same request body in Python),
and the file's bytes for ``Office.context.document.getFileAsync``. Every other
request off this machine is refused, so the test sees what an add-in with no
internet would.

Playwright for Python drives the system's Chromium (``/usr/bin/chromium``, the apt
package); Playwright's own browser download is never used. ``make test`` installs
Chromium and sets XLTOOLS_REQUIRE_SOFFICE, and then a missing browser fails the
run instead of skipping it.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from officejs_payload import _trim, charts_payload
from openpyxl import load_workbook
from openpyxl.utils.datetime import to_excel

SHIM = Path(__file__).resolve().parent / "browser" / "office_shim.js"
OFFICE_JS = ("**/office-js/**/office.js", "https://appsforoffice.microsoft.com/**")
PANE_SIZE = {"width": 350, "height": 700}  # Excel's default task pane


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def require_chromium() -> str:
    """The browser; skipped when missing, except under ``make test`` where it must exist."""
    path = chromium_path()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        path, missing = None, "Playwright (pip install -e '.[dev]')"
    else:
        missing = "Chromium (apt-get install chromium)"
    if path is None:
        if os.environ.get("XLTOOLS_REQUIRE_SOFFICE"):
            pytest.fail(f"the task pane tests need {missing}")
        pytest.skip(f"{missing} not installed")
    return path


# -- the workbook Excel holds ------------------------------------------------------------


def _cell(value: Any, number_format: str) -> tuple[Any, str]:
    """A cell as Office.js reads it: dates are serial numbers with a date format."""
    if value is None:
        return "", number_format
    if isinstance(value, (dt.datetime, dt.date)):
        fmt = number_format if number_format != "General" else "dd/mm/yyyy"
        return to_excel(value), fmt
    if isinstance(value, dt.time):
        return to_excel(value), number_format
    return value, number_format


def _unlocked(ws) -> dict[str, list[list[int]]]:
    """Unlocked cells as runs of 0-based rows per 0-based column (for protected sheets)."""
    rows: dict[int, list[int]] = {}
    for (r, c), cell in ws._cells.items():
        if cell.protection is not None and cell.protection.locked is False:
            rows.setdefault(c - 1, []).append(r - 1)
    runs: dict[str, list[list[int]]] = {}
    for c, found in rows.items():
        found.sort()
        out: list[list[int]] = []
        for r in found:
            if out and r == out[-1][1] + 1:
                out[-1][1] = r
            else:
                out.append([r, r])
        runs[str(c)] = out
    return runs


def sheet_model(ws) -> dict[str, Any]:
    cells = [[_cell(c.value, c.number_format) for c in row] for row in ws.iter_rows()]
    values = _trim([[v for v, _ in row] for row in cells])
    height, width = len(values), max((len(r) for r in values), default=0)
    return {
        "name": ws.title,
        "visibility": "Visible" if ws.sheet_state == "visible" else "Hidden",
        "values": [r + [""] * (width - len(r)) for r in values],
        "formats": [[f for _, f in row[:width]] for row in cells[:height]],
        "protected": bool(ws.protection.sheet),
        "unlocked": _unlocked(ws),
        "charts": charts_payload(ws),
    }


def names_model(wb) -> list[dict[str, Any]]:
    out = []
    for name, dn in wb.defined_names.items():
        sheet, _, address = dn.attr_text.partition("!")
        out.append({"name": name, "formula": f"={dn.attr_text}", "type": "Range",
                    "sheet": sheet.strip("'"), "address": address})
    return out


def host_model(path: Path, active: str = "Actions", platform: str = "OfficeOnline",
               requirements: dict[str, str] | None = None) -> dict[str, Any]:
    """What the shim's Excel holds: ``path`` open, ``active`` the active sheet."""
    wb = load_workbook(path, data_only=True)  # Excel hands over calculated values
    names = [ws.title for ws in wb.worksheets]
    return {
        "name": Path(path).name,
        "active": names.index(active) if active in names else 0,
        "platform": platform,
        "requirements": requirements or {},
        "sheets": [sheet_model(ws) for ws in wb.worksheets],
        "names": names_model(wb),
        "file": base64.b64encode(Path(path).read_bytes()).decode("ascii"),
    }


# -- the browser -----------------------------------------------------------------------


@contextmanager
def chromium() -> Iterator[Any]:
    """Headless system Chromium under Playwright (no downloaded browser)."""
    from playwright.sync_api import sync_playwright

    path = require_chromium()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, headless=True,
                                     args=["--no-sandbox", "--disable-gpu",
                                           "--disable-dev-shm-usage"])
        try:
            yield browser
        finally:
            browser.close()


class Pane:
    """One task pane page: the Playwright page, what went wrong in it, and the downloads."""

    def __init__(self, page, base: str):
        self.page = page
        self.base = base
        self.errors: list[str] = []
        self.refused: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def log(self) -> dict[str, Any]:
        """The shim's record: writes, dialogs (alerts), ribbon actions, file reads."""
        return self.page.evaluate(
            "() => ({writes: __xltLog.writes, dialogs: __xltLog.dialogs, "
            "actions: Object.keys(__xltLog.actions), files: __xltLog.files})")

    def sheet(self, name: str) -> dict[str, Any] | None:
        return self.page.evaluate("(name) => __xltSheet(name)", name)

    def visible_buttons(self) -> list[str]:
        return [b.inner_text().strip() for b in self.page.locator("[xw-click]").all()
                if b.is_visible()]


# Every text the "Last run" card's status line shows, in order (``__xltStatus``), so a
# test sees "Working…" even when the answer comes back at once.
STATUS_WATCH = """
globalThis.__xltStatus = [];
document.addEventListener("DOMContentLoaded", () => {
  const status = document.getElementById("xlt-result-status");
  if (!status) return;
  new MutationObserver(() => __xltStatus.push(status.textContent)).observe(
    status, {childList: true, characterData: true, subtree: true});
});
"""


def _route_office_js(route) -> None:
    route.fulfill(status=200, content_type="application/javascript",
                  body=SHIM.read_text(encoding="utf-8"))


@contextmanager
def task_pane(browser, base: str, workbook: Path | None = None, token: str | None = None,
              active: str = "Actions", size: dict | None = None) -> Iterator[Pane]:
    """The task pane at ``base``/taskpane.html in Excel holding ``workbook``, signed in
    with ``token`` if given (as if pasted into the Sign in card earlier)."""
    context = browser.new_context(viewport=size or PANE_SIZE, accept_downloads=True)
    host = host_model(workbook, active) if workbook else {"name": "Book1.xlsx",
                                                          "sheets": [{"name": "Sheet1"}]}
    context.add_init_script(f"globalThis.__xltHost = {json.dumps(host)};")
    context.add_init_script(STATUS_WATCH)
    if token:
        context.add_init_script(
            f"localStorage.setItem('xltools.token', {json.dumps(token)});")
    page = context.new_page()
    pane = Pane(page, base)

    def only_this_server(route) -> None:
        url = route.request.url
        if url.startswith(base) or url.startswith(("data:", "blob:")):
            route.fallback()
        else:
            pane.refused.append(url)
            route.abort()

    page.route("**/*", only_this_server)
    for pattern in OFFICE_JS:  # routes added later are asked first
        page.route(pattern, _route_office_js)
    try:
        page.goto(base + "/taskpane.html", wait_until="load")
        page.wait_for_function("() => globalThis.xlwings && globalThis.config")
        # the pane's first look at who is signed in and at "Last run" has answered, so a
        # later change of the status line is a button's
        page.wait_for_load_state("networkidle")
        yield pane
    finally:
        context.close()
