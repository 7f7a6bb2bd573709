"""The user docs stay true: the finding catalogue page is generated from the
CATALOGUE, and every relative link and #anchor in README.md and docs/*.md
resolves. Regenerate docs/findings.md with XLTOOLS_REGEN_DOCS=1."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
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


# --- The README tour and every guide's worked example run (issue 23) -------------------
#
# Every ```sh block in README.md and docs/*.md is a worked example on its own: it is run,
# command by command, from a fresh scratch copy of the repository folder after the demo
# has run (demo/out/ holds its outputs, as after `make demo`). Each must exit 0. A double-quoted
# text in a command's trailing comment is a claim the page makes about what it prints
# (`# "returns read 22, merged 22"`): it must appear in the command's output. Only the
# commands in SKIP are not run, each for the reason given; `export` lines carry on to the
# block's later commands; absolute /etc/ and /srv/ paths (the IT guide's deployment
# layout) are redirected into the scratch folder.

SKIP = {
    "make demo": "runs the demo: tests/test_demo.py runs it, and this test runs after it",
    "make test": "the test suite itself",
    "xltools serve": "a long-running server: tests/test_server*.py start it for real",
    "uvicorn": "a long-running server: tests/test_server*.py start it for real",
    "pip install": "installs the package: `make demo`/`make test` do it",
    "xltools addin check-manifest xltools.xml": "needs the manifest of an HTTPS deployment; "
    "tests/test_addin.py checks served manifests",
}
_SH_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)
_ASSIGN = re.compile(r"^(?:[A-Z_][A-Z0-9_]*=(?:'[^']*'|\"[^\"]*\"|\S*)\s+)+")


def split_comment(line: str) -> tuple[str, str]:
    """A shell line's command and its trailing `# comment` (a # outside quotes)."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip(), line[i + 1:].strip()
    return line.rstrip(), ""


def sh_blocks(text: str) -> list[list[tuple[str, list[str]]]]:
    """Each ```sh block's commands in order: (command, claims quoted in its comment),
    continuation lines joined, comment-only lines dropped."""
    return [sh_commands(block) for block in _SH_BLOCK.findall(text)]


def sh_commands(block: str) -> list[tuple[str, list[str]]]:
    """One block's commands (see sh_blocks)."""
    commands, pending = [], ""
    for raw in block.splitlines():
        command, comment = split_comment(raw)
        if command.endswith("\\"):
            pending += command[:-1] + " "
            continue
        command = (pending + command).strip()
        pending = ""
        if command:
            commands.append((command, re.findall(r'"([^"]+)"', comment)))
    return commands


def skip_reason(command: str) -> str | None:
    bare = _ASSIGN.sub("", command)
    return next((why for start, why in SKIP.items() if bare.startswith(start)), None)


def test_sh_commands_are_read_as_a_reader_would():
    text = ("```sh\nxltools a x.xlsx \\\n    -o y.xlsx      # merge: \"read 2\", \"merged 2\"\n"
            "# a note\nexport K=v   # a key\nxltools b 'a # b' # \"c\"\n```\n"
            "```\nnot run\n```\n")
    assert sh_blocks(text) == [[("xltools a x.xlsx      -o y.xlsx", ["read 2", "merged 2"]),
                                 ("export K=v", []), ("xltools b 'a # b'", ["c"])]]
    assert skip_reason("XLWINGS_LICENSE_KEY=noncommercial xltools serve --port 1")
    assert skip_reason("xltools serve-x") is not None  # by prefix, stated in SKIP
    assert skip_reason("xltools consolidate m.xlsx r/ -o o.xlsx") is None


EXAMPLES = [(page, n, block) for page in PAGES
            for n, block in enumerate(sh_blocks(page.read_text(encoding="utf-8")), 1)
            if any(not skip_reason(command) for command, _ in block)]


# the demo's steps whose outputs the pages use (its committee papers, next quarter and
# add-in steps write nothing the pages read; tests/test_demo.py runs them all)
DEMO_STEPS = ("template", "import_legacy", "issue_returns", "fill_sample_returns",
              "consolidate", "report", "reconcile_savings")


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory) -> Path:
    """demo/out/ as `make demo` leaves it: the real demo's steps, run once here."""
    out = tmp_path_factory.mktemp("demo") / "out"
    out.mkdir()
    steps = "; ".join(f"run_demo.{name}()" for name in DEMO_STEPS)
    done = subprocess.run([sys.executable, "-c", f"import run_demo; {steps}"],
                          env=dict(os.environ, XLTOOLS_DEMO_OUT=str(out),
                                   PYTHONPATH=os.pathsep.join([str(ROOT / "demo"),
                                                               str(ROOT)])),
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


def scratch_repo(where: Path, demo_out: Path) -> dict[str, str]:
    """A scratch copy of the repository folder after `make demo`; the environment of an
    activated .venv whose `xltools` and `python` are this checkout's."""
    for name in ("workbook_templates", "macros", "xltools", "tests"):
        (where / name).symlink_to(ROOT / name)
    (where / "demo").mkdir()
    for script in (ROOT / "demo").glob("*.py"):
        shutil.copy(script, where / "demo" / script.name)
    shutil.copytree(demo_out, where / "demo" / "out")
    bin_dir = where / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name, run in (("xltools", f'"{sys.executable}" -m xltools'),
                      ("python", f'"{sys.executable}"')):
        (bin_dir / name).write_text(f'#!/bin/sh\nexec {run} "$@"\n', encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    for folder in ("etc/xltools", "etc/ssl/private", "etc/ssl/certs", "srv/xltools"):
        (where / "_root" / folder).mkdir(parents=True, exist_ok=True)
    return dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
                PYTHONPATH=str(ROOT), COLUMNS="200", NO_COLOR="1")


@pytest.mark.parametrize(("page", "n", "block"), EXAMPLES,
                         ids=[f"{p.relative_to(ROOT).as_posix()}#{n}" for p, n, _ in EXAMPLES])
def test_every_example_runs_and_prints_what_the_page_says(page: Path, n: int, block, tmp_path,
                                                          demo_out):
    env = scratch_repo(tmp_path, demo_out)
    exports: list[str] = []
    for command, claims in block:
        if skip_reason(command):
            continue
        command = re.sub(r"(?<![\w.])/(etc|srv)/", f"{tmp_path}/_root/\\1/", command)
        if command.startswith("export "):
            exports.append(command)
            continue
        done = subprocess.run(["bash", "-c", "; ".join([*exports, command])], cwd=tmp_path,
                              env=env, capture_output=True, text=True, timeout=300)
        said = " ".join((done.stdout + done.stderr).split())
        where = f"{page.name} example {n}: `{command}`"
        assert done.returncode == 0, f"{where} exited {done.returncode}:\n" \
            + done.stdout[-2000:] + done.stderr[-2000:]
        for claim in claims:
            assert " ".join(claim.split()) in said, \
                f"{where} does not print {claim!r}:\n{said[-3000:]}"
