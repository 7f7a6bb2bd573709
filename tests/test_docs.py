"""The user docs stay true: the finding catalogue page is generated from the
CATALOGUE, and every relative link and #anchor in README.md and docs/*.md
resolves. Regenerate docs/findings.md with XLTOOLS_REGEN_DOCS=1."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from xltools.findings import CATALOGUE
from xltools.findings_doc import render

ROOT = Path(__file__).resolve().parents[1]
FINDINGS_MD = ROOT / "docs" / "findings.md"
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

_FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)
_HTML_ID = re.compile(r"""<a\s+(?:id|name)=["']([^"']+)["']""")


def test_findings_page_is_generated_from_the_catalogue():
    text = render()
    if os.environ.get("XLTOOLS_REGEN_DOCS"):
        FINDINGS_MD.write_text(text, encoding="utf-8")
    assert FINDINGS_MD.read_text(encoding="utf-8") == text, (
        "docs/findings.md is out of date: regenerate with XLTOOLS_REGEN_DOCS=1")


def test_findings_page_has_one_row_per_code_with_its_severity():
    rows = re.findall(r"^\| `(\w+)` \| (\w+) \|", FINDINGS_MD.read_text(encoding="utf-8"),
                      re.M)
    assert sorted(rows) == sorted((c.code, c.severity) for c in CATALOGUE.values())


def test_render_refuses_an_undocumented_code(monkeypatch):
    from xltools import findings, findings_doc

    extra = dict(findings.CATALOGUE, NEW_THING=findings.Code("NEW_THING", "New", "info"))
    monkeypatch.setattr(findings_doc, "CATALOGUE", extra)
    with pytest.raises(ValueError, match="NEW_THING"):
        findings_doc.render()


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: markup dropped, lower case, punctuation
    removed, spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # links keep their text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = _FENCE.sub("", path.read_text(encoding="utf-8"))
    found: set[str] = set(_HTML_ID.findall(text))
    seen: dict[str, int] = {}
    for heading in _HEADING.findall(text):
        base = slug(heading)
        n = seen.get(base, 0)
        seen[base] = n + 1
        found.add(base if n == 0 else f"{base}-{n}")
    return found


def links(path: Path) -> list[str]:
    text = _INLINE_CODE.sub("", _FENCE.sub("", path.read_text(encoding="utf-8")))
    return [t for t in _LINK.findall(text) if not re.match(r"[a-z][a-z0-9+.-]*:", t, re.I)]


def test_slug_matches_github():
    assert slug("Roll-up — `xltools rollup MASTER.xlsx [-o OUT.xlsx]`") == \
        "roll-up--xltools-rollup-masterxlsx--o-outxlsx"
    assert slug("Formula results are stored with the formulas") == \
        "formula-results-are-stored-with-the-formulas"
    assert slug("1. Install (one command)") == "1-install-one-command"


def broken_links(page: Path) -> list[str]:
    """Relative links in ``page`` whose file or #anchor does not exist."""
    broken = []
    for target in links(page):
        file_part, _, anchor = target.partition("#")
        dest = (page.parent / file_part).resolve() if file_part else page
        if not dest.exists():
            broken.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"{target}: no heading #{anchor} in {dest.name}")
    return broken


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_and_anchor_resolves(page: Path):
    assert broken_links(page) == []


def test_link_check_catches_a_missing_file_and_anchor(tmp_path: Path):
    (tmp_path / "other.md").write_text("# Other\n\n## Real part\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text("# Page\n\n[ok](other.md#real-part) [self](#page) [web](https://x.org)\n"
                    "[gone](missing.md) [bad](other.md#no-such-part) [own](#nowhere)\n"
                    "`[code](ignored.md)`\n```\n[fenced](ignored.md)\n```\n",
                    encoding="utf-8")
    assert broken_links(page) == ["missing.md: no such file",
                                  "other.md#no-such-part: no heading #no-such-part in other.md",
                                  "#nowhere: no heading #nowhere in page.md"]


def test_readme_links_every_guide():
    linked = {(ROOT / t.partition("#")[0]).resolve() for t in links(ROOT / "README.md")}
    guides = {p.resolve() for p in (ROOT / "docs").glob("*.md")}
    assert guides - linked == set()
