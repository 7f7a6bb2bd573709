"""The highlight report: the Dashboard sheet printed to a one-page PDF.

LibreOffice (headless) renders it, so it runs on a server or in CI with no
Excel. Only the Dashboard should print, but its formulas need the Actions
sheet, so the PDF is made from a copy of the workbook in which every other
sheet is hidden (hidden sheets are not printed) — the master itself is not
touched.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from ..errors import UsageError, XltoolsError
from ..workbook.files import replacing
from ..workbook.layout import DASHBOARD

_SHEET_TAG = re.compile(r"<sheet\b[^>]*>")
_NAME = re.compile(r'\bname="([^"]*)"')
_STATE = re.compile(r'\sstate="[^"]*"')
_PRINT_AREA = re.compile(r'<definedName name="_xlnm\.Print_Area" localSheetId="(\d+)"'
                         r'[^>]*>[^<]*</definedName>')
_ACTIVE = re.compile(r'\b(activeTab|firstSheet)="\d+"')


def only_sheet_visible(workbook_xml: str, keep: str = DASHBOARD) -> str:
    """``xl/workbook.xml`` with every sheet but ``keep`` hidden (and unprinted) and
    ``keep`` active."""
    names = [_NAME.search(tag).group(1) for tag in _SHEET_TAG.findall(workbook_xml)]
    if keep not in names:
        raise UsageError(f"the workbook has no '{keep}' sheet; write it with "
                         "'xltools rollup MASTER.xlsx -o OUT.xlsx' first")
    index = names.index(keep)

    def retag(match: re.Match) -> str:
        tag = _STATE.sub("", match.group(0))
        state = "visible" if _NAME.search(tag).group(1) == keep else "hidden"
        return tag.replace("<sheet ", f'<sheet state="{state}" ', 1)

    xml = _SHEET_TAG.sub(retag, workbook_xml)
    # LibreOffice prints a hidden sheet's print area: drop every other sheet's
    xml = _PRINT_AREA.sub(lambda m: m.group(0) if m.group(1) == str(index) else "", xml)
    return _ACTIVE.sub(lambda m: f'{m.group(1)}="{index}"', xml)


def dashboard_only_copy(source: Path, target: Path) -> Path:
    """Copy ``source`` to ``target`` with only the Dashboard visible."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) \
            as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = only_sheet_visible(data.decode("utf-8")).encode("utf-8")
            zout.writestr(item, data)
    return target


def find_soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        raise XltoolsError("LibreOffice (soffice) is needed to render the highlight report: "
                           "apt-get install libreoffice-calc-nogui")
    return path


def convert_to_pdf(source: Path, pdf: Path, *, export: str = "pdf", timeout: int = 180,
                   missing_hint: str = "") -> Path:
    """Convert ``source`` (a copy in a scratch folder, named as ``pdf`` will be) to ``pdf``
    with LibreOffice headless, in a throw-away profile so runs never share state."""
    soffice = find_soffice()
    work = source.parent
    cmd = [soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
           "--convert-to", export, "--outdir", str(work), str(source)]
    try:
        subprocess.run(cmd, check=True, capture_output=True, timeout=timeout)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        raise XltoolsError(f"LibreOffice could not convert {source.name}: {exc}") from exc
    made = work / f"{source.stem}.pdf"
    if not made.exists():
        raise XltoolsError(f"LibreOffice did not write a PDF for {source.name}{missing_hint}")
    with replacing(pdf, ".pdf.tmp") as tmp:  # never through a link planted at its name
        shutil.copyfile(made, tmp)
    return pdf


def render_pdf(workbook: str | Path, pdf: str | Path, *, timeout: int = 180) -> Path:
    """Render the Dashboard of ``workbook`` to ``pdf`` (one landscape page)."""
    workbook, pdf = Path(workbook), Path(pdf)
    find_soffice()  # before any work: say what to install
    with tempfile.TemporaryDirectory(prefix="xltools-pdf-") as tmp:
        copy = dashboard_only_copy(workbook, Path(tmp) / f"{pdf.stem}.xlsx")
        return convert_to_pdf(copy, pdf, timeout=timeout)


def sheet_names(path: str | Path) -> list[str]:
    """Sheet names of an .xlsx, read from ``xl/workbook.xml`` (no full load)."""
    try:
        with zipfile.ZipFile(path) as zf:
            xml = zf.read("xl/workbook.xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return []
    return [_NAME.search(tag).group(1) for tag in _SHEET_TAG.findall(xml)]
