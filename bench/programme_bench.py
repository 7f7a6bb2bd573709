"""Programme plan import speed (issue 27): seed 003 from text (target ≤ 2 s) and from
PDF (target ≤ 10 s), each beside a plain baseline timed in the same run.

    python bench/programme_bench.py [--repeat 3] [--results-md bench/RESULTS.md] [--note …]

The PDF is seed 003 as Word (``tests/programme_docs.seed_docx``) converted by
LibreOffice headless — built once, not timed. Timed, median of ``--repeat`` runs:

* ``xltools import`` as a user runs it: a fresh process, start-up included, the
  master written (``import … -o master.xlsx``);
* the import itself in this process (read, parse, build the master, write it);
* the baseline: for text, reading the file and splitting its lines at the tabs;
  for PDF, pdfplumber's own ``extract_text`` of every page (what any reader of
  the PDF pays before knowing a table from a paragraph).

Ratios are import ÷ baseline. ``--results-md`` writes the figures into their own
section of RESULTS.md (the rest of the file is left as ``results_md.py`` wrote it).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from measure import median_seconds  # noqa: E402
from programme_docs import seed_docx  # noqa: E402

from xltools.legacy.importer import import_legacy, write_import  # noqa: E402

SEED = ROOT / "tests" / "fixtures" / "seeds" / "003_31615a5fe2b3e7b2.txt"
PERIOD = "Q2 2024/25"
TARGETS = {"text": 2.0, "pdf": 10.0}
BEGIN, END = "<!-- programme_bench: begin -->", "<!-- programme_bench: end -->"


def seed_pdf(folder: Path) -> Path:
    """Seed 003 as the council's Word document, converted to PDF by LibreOffice."""
    word = seed_docx(SEED.read_text(encoding="utf-8"), folder / "seed003.docx")
    soffice = "soffice"
    cmd = [soffice, f"-env:UserInstallation=file://{folder / 'lo-profile'}", "--headless",
           "--convert-to", "pdf", "--outdir", str(folder), str(word)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=300)
    return folder / "seed003.pdf"


SPLIT_TEXT = """
lines = open(PATH, encoding="utf-8").read().splitlines()
cells = sum(len(line.split("\\t")) for line in lines)
"""
PDF_TEXT = """
import pdfplumber
with pdfplumber.open(PATH) as pdf:
    chars = sum(len(page.extract_text() or "") for page in pdf.pages)
"""


def plain(code: str):
    """A baseline: ``code`` run on the file in this process."""
    return lambda path: exec(code, {"PATH": str(path)})  # our own constant code


def plain_command(code: str):
    """The same baseline as a command: a fresh Python process that runs only it
    (start-up and its one import included), beside ``xltools import`` as a command."""
    return lambda path: subprocess.run([sys.executable, "-c", f"PATH = {str(path)!r}\n{code}"],
                                       check=True, capture_output=True)


def cli_import(source: Path, out: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "xltools", "import", str(source), "-o", str(out),
                    "--period", PERIOD, "--json"], check=True, capture_output=True, env=env)


def bench(source: Path, baseline: str, folder: Path, repeat: int) -> dict:
    def in_process() -> None:
        write_import(import_legacy(source, period=PERIOD), folder / "inproc.xlsx")

    report = import_legacy(source, period=PERIOD)
    settings = report.book.extra_settings
    return {
        "cli": median_seconds(lambda: cli_import(source, folder / "cli.xlsx"), repeat),
        "import": median_seconds(in_process, repeat),
        "baseline": median_seconds(lambda: plain(baseline)(source), repeat),
        "baseline_cli": median_seconds(lambda: plain_command(baseline)(source), repeat),
        "activities": len(report.book.actions),
        "dated": sum(1 for a in report.book.actions if a.get("start") or a.get("timeframe")),
        "programmes": len(settings["programmes"]), "kpis": len(report.book.kpis),
        "risks": len(report.book.risks),
    }


def table(results: dict) -> list[str]:
    names = {"text": "text (seed 003 .txt)", "pdf": "PDF (seed 003 as Word → LibreOffice)"}
    base = {"text": "read the file, split at tabs", "pdf": "pdfplumber extract_text, every page"}
    lines = ["| source | xltools import, as a command | target | met | baseline as a command "
             "| ratio | import in process | baseline in process | ratio | what was read |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for form, r in results.items():
        met = "met" if r["cli"] <= TARGETS[form] else "NOT met"
        read = (f"{r['programmes']} programmes, {r['activities']} activities "
                f"({r['dated']} dated), {r['kpis']} KPIs, {r['risks']} risks")
        lines.append(f"| {names[form]} | {r['cli']:.2f} s | ≤ {TARGETS[form]:.0f} s | {met} | "
                     f"{base[form]}: {r['baseline_cli']:.2f} s | "
                     f"{r['cli'] / r['baseline_cli']:.1f}× | {r['import']:.2f} s | "
                     f"{r['baseline']:.3f} s | {r['import'] / r['baseline']:.1f}× | {read} |")
    return lines


def section(results: dict, repeat: int, note: str, load: tuple) -> str:
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    about = [BEGIN, "## Programme plan import (issue 27)", "",
             "Written by `bench/programme_bench.py` (`make bench-programme`); re-run it, "
             "do not edit by hand.", "",
             f"- Date: {datetime.now(UTC).isoformat(timespec='seconds')}; "
             f"xltools commit {commit}; {platform.platform()}, {os.cpu_count()} CPUs",
             f"- Load average (1, 5, 15 min) at start / end: "
             f"{', '.join(f'{x:.2f}' for x in load[0])} / "
             f"{', '.join(f'{x:.2f}' for x in load[1])}",
             f"- Median of {repeat} runs each; ratios (import ÷ baseline) from the same "
             "run. *As a command*: a fresh process, start-up included (xltools writes the "
             "master); *in process*: the work alone.",
             *([f"- Note: {note}"] if note else []), ""]
    return "\n".join([*about, *table(results), "", END]) + "\n"


def write_section(path: Path, text: str) -> None:
    """Replace this bench's section of RESULTS.md (or add it at the end)."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN in old and END in old:
        head, rest = old.split(BEGIN, 1)
        new = head + text.rstrip("\n") + rest.split(END, 1)[1]
    else:
        new = old.rstrip("\n") + "\n\n" + text
    path.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--results-md", type=Path)
    parser.add_argument("--note", default="")
    args = parser.parse_args(argv)
    start_load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pdf = seed_pdf(folder)
        results = {"text": bench(SEED, SPLIT_TEXT, folder, args.repeat),
                   "pdf": bench(pdf, PDF_TEXT, folder, args.repeat)}
    text = section(results, args.repeat, args.note, (start_load, os.getloadavg()))
    print(text)
    if args.results_md:
        write_section(args.results_md, text)
    return 0  # a target missed shows as "NOT met"; speed is judged here, never in tests


if __name__ == "__main__":
    sys.exit(main())
