"""The .xlsx package: which zip member holds which sheet.

One parser of ``workbook.xml`` and its relationships, shared by the reader (which
scans a sheet's XML for formulas) and the row streamer (which fills a sheet's part).
"""

from __future__ import annotations

import html
import re
import zipfile

_SHEET_TAG = re.compile(r"<(?:\w+:)?sheet\s[^>]*>")
_REL_TAG = re.compile(r"<(?:\w+:)?Relationship\s[^>]*>")
_ATTR = re.compile(r'([\w:]+)="([^"]*)"')


def sheet_xml(zf: zipfile.ZipFile, sheet_name: str) -> str | None:
    """The XML of the sheet called ``sheet_name`` in an open .xlsx, or None."""
    part = sheet_targets(zf).get(sheet_name)
    return zf.read(part).decode("utf-8", "replace") if part else None


def sheet_targets(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title → zip member (``xl/worksheets/sheetN.xml``) of an open .xlsx."""
    workbook = zf.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    targets = {}
    for tag in _REL_TAG.findall(rels):
        attrs = dict(_ATTR.findall(tag))
        targets[attrs.get("Id")] = attrs.get("Target", "")
    parts = {}
    for tag in _SHEET_TAG.findall(workbook):
        attrs = dict(_ATTR.findall(tag))
        rid = attrs.get("r:id")
        if rid in targets:
            target = targets[rid].lstrip("/")
            parts[html.unescape(attrs.get("name", ""))] = (
                target if target.startswith("xl/") else f"xl/{target}")
    return parts
