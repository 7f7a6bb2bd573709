"""The .xlsx package: which zip member holds which sheet.

One parser of ``workbook.xml`` and its relationships, shared by the reader (which
measures and scans a sheet's XML before calamine builds it) and the row streamer
(which fills a sheet's part). It must find every sheet calamine will find, or the
measuring can be talked past: so both parts are read by an XML parser (any quoting,
any namespace prefix; a DTD refused), a target is matched to its zip member ignoring
case (as calamine does), and a package that names a sheet twice, or a relationship
twice, is refused (``PackageRefused``) rather than guessed at.
"""

from __future__ import annotations

import posixpath
import zipfile

from .extent import XmlRefused, parse_part

WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"


class PackageRefused(XmlRefused):
    """The package's own parts say something no spreadsheet program writes."""


class _Collect:
    """expat's callback: the attributes of every element with local name ``wanted``."""

    def __init__(self, wanted: str) -> None:
        self.wanted, self.found = wanted, []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name.rpartition(":")[2] == self.wanted:
            self.found.append(attrs)


def _elements(zf: zipfile.ZipFile, part: str, wanted: str) -> list[dict[str, str]]:
    collect = _Collect(wanted)
    parse_part(zf, part, collect.start)
    return collect.found


def sheet_xml(zf: zipfile.ZipFile, sheet_name: str) -> str | None:
    """The XML of the sheet called ``sheet_name`` in an open .xlsx, or None."""
    part = sheet_targets(zf).get(sheet_name)
    return zf.read(part).decode("utf-8", "replace") if part else None


def sheet_targets(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title → zip member (``xl/worksheets/sheetN.xml``) of an open .xlsx. A
    sheet whose part is not in the package maps to its resolved name (absent: the
    caller decides). Raises ``PackageRefused`` (an ``XmlRefused``) for a package
    naming a sheet or a relationship twice, or parts that are not plain XML."""
    targets: dict[str, str] = {}
    for rel in _elements(zf, WORKBOOK_RELS, "Relationship"):
        rid = rel.get("Id", "")
        if rid in targets:
            raise PackageRefused(f"its relationship {rid} is given twice")
        targets[rid] = rel.get("Target", "")
    members = {name.casefold(): name for name in zf.namelist()}
    parts: dict[str, str] = {}
    seen: set[str] = set()
    for sheet in _elements(zf, WORKBOOK, "sheet"):
        name = sheet.get("name", "")
        if name.casefold() in seen:
            raise PackageRefused(f"it names the sheet {name!r} twice")
        seen.add(name.casefold())
        rid = next((v for k, v in sheet.items() if k.rpartition(":")[2] == "id" and ":" in k),
                   None)
        if rid in targets:
            parts[name] = _member(targets[rid], members)
    return parts


def _member(target: str, members: dict[str, str]) -> str:
    """The zip member a relationship's target names (relative to ``xl/`` unless it
    starts with ``/``; ``xl/…`` written relative is taken as meant), matched ignoring
    case as calamine matches it."""
    target = target.replace("\\", "/")
    bare = posixpath.normpath(target.lstrip("/"))
    path = bare if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    for candidate in (path, bare):
        if candidate.casefold() in members:
            return members[candidate.casefold()]
    return path
