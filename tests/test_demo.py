"""`make demo` is the README's first command: run it here so CI keeps it green."""

import os
import subprocess
import sys

from conftest import ROOT

from xltools.workbook.reader import read_book


def test_demo_runs_the_whole_cycle(tmp_path, soffice):
    out = tmp_path / "out"
    env = dict(os.environ, XLTOOLS_DEMO_OUT=str(out))
    result = subprocess.run([sys.executable, str(ROOT / "demo" / "run_demo.py")], env=env,
                            capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for name in ("template.xlsx", "master_Q2_2019-20.xlsx",
                 "master_Q2_2019-20_consolidated.xlsx", "master_Q2_2019-20_dashboard.xlsx",
                 "highlight_report.pdf", "master_Q3_2019-20.xlsx",
                 "savings_reconciliation.xlsx", "xltools.xlam", "manifest.xml",
                 "tracker.docx", "tracker.pdf", "exception_report.docx"):
        assert (out / name).exists(), name
    chased = {p.name for p in (out / "outbox").glob("*.eml")}
    assert "Q2_2019-20_John_Nilan.eml" in chased  # sent nothing: chased, return attached
    assert "Q2_2019-20_Steve_Edwards.eml" not in chased  # sent a good return: not chased
    consolidated = read_book(out / "master_Q2_2019-20_consolidated.xlsx")
    assert len(consolidated.actions) == 22
    assert len(consolidated.log) == len(list((out / "returns_received").glob("*")))
    q3 = read_book(out / "master_Q3_2019-20.xlsx")
    assert q3.plan.period == "Q3 2019/20"
    # Q2's unresolved conflict and invalid values: next-quarter first stops, then they are
    # carried explicitly (--carry-problems), flagged CARRIED, never silently dropped
    assert "unresolved problem" in result.stderr
    assert any((r.get("flags") or "").startswith("CARRIED") for r in q3.actions)
    assert len(list((out / "returns").glob("*.xlsx"))) >= 20
