"""`make demo`: the whole quarterly cycle on the bundled sample plan.

Runs the real `xltools` command for each step, so what is printed here is what
a PMO would type. Everything is written to demo/out/.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(os.environ.get("XLTOOLS_DEMO_OUT") or ROOT / "demo" / "out")  # tests use a tmp dir
PLAN = ROOT / "workbook_templates" / "sample_plan.json"
SEED = ROOT / "tests" / "fixtures" / "seeds" / "002_aed1e1315f25b11a.txt"
XLTOOLS = [sys.executable, "-m", "xltools"]


def run(*args: object, expect: int = 0) -> None:
    """Print and run one xltools command; stop the demo if it does not exit ``expect``."""
    argv = [str(a) for a in args]
    shown = " ".join(shlex.quote(a.replace(str(ROOT) + "/", "")) for a in argv)
    print(f"\n$ xltools {shown}", flush=True)
    done = subprocess.run(XLTOOLS + argv, cwd=ROOT)
    if done.returncode != expect:
        raise subprocess.CalledProcessError(done.returncode, XLTOOLS + argv)


def _shown(path: Path) -> str:
    """A path relative to the project when it is inside it."""
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def step(title: str) -> None:
    print(f"\n{'=' * 78}\n{title}\n{'=' * 78}", flush=True)


def template() -> None:
    step("1. Build the canonical template from the sample plan")
    run("template", "--plan", PLAN, "-o", OUT / "template.xlsx")
    run("check", OUT / "template.xlsx")


def import_legacy() -> None:
    step("2. Import the legacy tracker (Aug/Sep 2019, copied out of Word) as the Q2 master")
    run("import", ROOT / "workbook_templates" / "legacy_plan_2019.tsv", "--plan", PLAN,
        "--period", "Q2 2019/20", "-o", OUT / "master_Q2_2019-20.xlsx")
    run("check", OUT / "master_Q2_2019-20.xlsx")


MASTER = OUT / "master_Q2_2019-20.xlsx"
ISSUED = OUT / "returns"
INBOX = OUT / "returns_received"


def issue_returns() -> None:
    step("3. Issue one return per lead officer from the Q2 master")
    run("issue", MASTER, "-o", ISSUED)
    run("check", ISSUED / "Q2_2019-20_Steve_Edwards.xlsx")


def fill_sample_returns() -> None:
    step("4. Officers fill in their returns in Excel and send them back")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from fill_returns import fill_sample_returns as fill  # noqa: PLC0415 - demo-only helper

    sent = fill(ISSUED, INBOX)
    print(f"({len(sent)} returns filled with openpyxl, as Excel saves them, and copied to "
          f"{_shown(INBOX)}/; John Nilan sent nothing, Rob Disney pasted a RAG, "
          "Nigel Harlow typed a text date, Lucy Peel and Helen Richardson disagree on 3.6, "
          "Jon Hawketts left 2.5 blank)")
    run("check", INBOX / "Q2_2019-20_Rob_Disney.xlsx")


def consolidate() -> None:
    step("5. Consolidate the returns into a new master (the input master is kept as it was)")
    run("consolidate", MASTER, INBOX, "-o", OUT / "master_Q2_2019-20_consolidated.xlsx",
        "--as-of", "2019-10-21")


def report() -> None:
    step("6. KPI RAG, stale-update flags, roll-up and the one-page highlight report")
    master = OUT / "master_Q2_2019-20_consolidated.xlsx"
    with_kpis = OUT / "master_Q2_2019-20_kpis.xlsx"
    flagged = OUT / "master_Q2_2019-20_flagged.xlsx"
    run("kpis", master, "--load", ROOT / "workbook_templates" / "sample_kpis.json",
        "-o", with_kpis)
    run("flags", with_kpis, "--as-of", "2019-10-21", "-o", flagged)  # as consolidated
    run("rollup", flagged, "--as-of", "2019-10-21", "-o",
        OUT / "master_Q2_2019-20_dashboard.xlsx", "--pdf", OUT / "highlight_report.pdf")


def committee() -> None:
    step("7. For the committee: the tracker paper (Word and PDF), the exception report, and "
         "a draft chase e-mail per officer")
    master = OUT / "master_Q2_2019-20_dashboard.xlsx"
    run("paper", master, "--as-of", "2019-10-21", "-o", OUT / "tracker.docx", "--pdf")
    run("paper", master, "--as-of", "2019-10-21", "--exceptions", "-o",
        OUT / "exception_report.docx")
    run("chase", master, "--as-of", "2019-10-21", "--returns", ISSUED, "-o", OUT / "outbox")


def next_quarter() -> None:
    step("8. Next quarter: roll the Q2 master (with its KPIs and flags) forward to Q3 2019/20")
    master = OUT / "master_Q2_2019-20_dashboard.xlsx"
    nxt = OUT / "master_Q3_2019-20.xlsx"
    run("next-quarter", master, "-o", nxt, expect=2)  # stops: Q2 has unresolved problems
    print("(next-quarter stops rather than drop Lucy Peel's and Helen Richardson's conflicting "
          "updates and the invalid values; a PMO would resolve them in the master first — "
          "here they are carried forward explicitly, flagged CARRIED)")
    run("next-quarter", master, "-o", nxt, "--carry-problems")
    run("check", nxt)


def reconcile_savings() -> None:
    step("9. Reconcile savings returns against the MTFS baseline (the committee tables)")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from savings_sample import write_sample  # noqa: PLC0415 - demo-only helper beside this file

    baseline, returns = write_sample(ROOT / "workbook_templates" / "sample_savings.json",
                                     PLAN, OUT)
    print(f"(finance's baseline {baseline.name} written, savings returns issued to every "
          f"project lead as `xltools issue {baseline.name} --savings` does, and "
          f"{len(returns)} answered returns typed in from workbook_templates/sample_savings.json)")
    run("savings", baseline, *returns, "-o", OUT / "savings_reconciliation.xlsx")


def excel_addins() -> None:
    step("10. Excel add-ins: build the desktop add-in; start the Office.js backend, fetch its "
         "manifest and check it")
    import os  # noqa: PLC0415
    import socket  # noqa: PLC0415
    import time  # noqa: PLC0415
    import urllib.request  # noqa: PLC0415

    run("addin", "build", "-o", OUT / "xltools.xlam")
    env = dict(os.environ, XLWINGS_LICENSE_KEY=os.environ.get("XLWINGS_LICENSE_KEY",
                                                               "noncommercial"),
               XLTOOLS_OUTPUT_DIR=str(OUT / "server-output"), XLTOOLS_RETURNS_DIR=str(OUT))
    with socket.socket() as sock:  # a free port, so the demo never clashes
        sock.bind(("127.0.0.1", 0))
        port = str(sock.getsockname()[1])
    print(f"\n$ XLWINGS_LICENSE_KEY=noncommercial xltools serve --port {port}   (background)")
    server = subprocess.Popen(XLTOOLS + ["serve", "--port", port, "--log-level", "warning"],
                              cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                text = urllib.request.urlopen(f"http://127.0.0.1:{port}/manifest.xml").read()
                break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("xltools serve did not start")
        (OUT / "manifest.xml").write_bytes(text)
        print(f"GET /manifest.xml → {_shown(OUT)}/manifest.xml (it points at this demo's "
              "http://127.0.0.1 server; a real deployment serves its manifest over https — "
              "see docs/it-guide.md)")
        run("addin", "check-manifest", OUT / "manifest.xml")
    finally:
        server.terminate()
        server.wait(timeout=20)


STEPS = [template, import_legacy, issue_returns, fill_sample_returns, consolidate, report,
         committee, next_quarter, reconcile_savings, excel_addins]


def main() -> int:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    for fn in STEPS:
        fn()
    print(f"\nDone. Workbooks are in {_shown(OUT)}/:")
    for path in sorted(OUT.rglob("*")):
        if path.is_file():
            print(f"  {path.relative_to(OUT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
