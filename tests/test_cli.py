"""The command's shape: help everywhere, JSON on request, exit codes."""

import json
import subprocess
import sys

import pytest
from conftest import SAMPLE_PLAN

from xltools.cli import COMMANDS

XLTOOLS = [sys.executable, "-m", "xltools"]


def run(*args, check=False):
    return subprocess.run(XLTOOLS + [str(a) for a in args], capture_output=True, text=True,
                          check=check)


def test_every_listed_command_exists_and_has_help():
    top = run("--help")
    assert top.returncode == 0
    for name in COMMANDS:
        assert name in top.stdout, name
        sub = run(name, "--help")
        assert sub.returncode == 0 and "usage: xltools " + name in sub.stdout, name


def test_help_loads_no_heavy_library():
    """`xltools --help` is instant: sub-commands are listed without importing them."""
    code = ("import json, sys\nfrom xltools.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = ('pandas', 'openpyxl', 'xlwings', 'xlwings_server', 'jsonschema', "
            "'python_calamine', 'docx', 'pdfplumber')\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in heavy)), "
            "file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "consolidate" in done.stdout
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []


def test_reading_and_issuing_load_no_writer():
    """Reading and checking returns (consolidation's workers) and an issue's parent
    process never write a workbook, so they must not pay for openpyxl's import before
    work starts: an issue's workers load it while the parent reads the master, and a
    consolidation loads it while its workers read the returns."""
    code = ("import json, sys\nimport xltools.cli.issue, xltools.cli.consolidate\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('openpyxl', 'pandas', 'jsonschema'))))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert json.loads(done.stdout) == []


def test_each_summary_is_the_help_its_command_registers():
    from xltools.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    registered = {a.dest: a.help for a in sub._choices_actions}
    assert registered == {name: summary for name, (_, summary) in COMMANDS.items()}


def test_template_then_check_json(tmp_path):
    out = tmp_path / "t.xlsx"
    assert run("template", "--plan", SAMPLE_PLAN, "-o", out).returncode == 0
    result = run("check", out, "--json")
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert report["kind"] == "template" and report["ok"] is True
    assert report["period"] == "Q2 2019/20" and report["findings"] == []


def test_the_command_exits_at_once_yet_flushes_and_runs_exit_handlers(tmp_path):
    """``run`` skips the interpreter's teardown: the JSON written to a pipe must still
    arrive whole, exit handlers still run, and the exit status is ``main``'s."""
    out = tmp_path / "t.xlsx"
    assert run("template", "--plan", SAMPLE_PLAN, "-o", out).returncode == 0
    code = ("import atexit, sys\nfrom xltools.cli import run\n"
            "atexit.register(lambda: print('handler ran', file=sys.stderr))\n"
            "sys.argv = ['xltools'] + sys.argv[1:]\nrun()\nprint('not reached')\n")
    done = subprocess.run([sys.executable, "-c", code, "check", str(out), "--json"],
                          capture_output=True, text=True)
    assert done.returncode == 0 and "handler ran" in done.stderr
    assert json.loads(done.stdout)["kind"] == "template"  # whole: it parses
    failed = subprocess.run([sys.executable, "-c", code, "check", str(tmp_path / "no.xlsx")],
                            capture_output=True, text=True)
    assert failed.returncode == 2 and "not reached" not in failed.stdout
    assert "handler ran" in failed.stderr


def test_check_reports_findings_but_exits_zero(tmp_path, plan):
    from xltools.workbook.book import Book
    from xltools.workbook.writer import write_book

    path = write_book(Book(plan=plan, actions=[{"id": "A-0001", "action": "x", "rag": "Blue"}]),
                      tmp_path / "m.xlsx")
    result = run("check", path, "--json")
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert [(f["cell"], f["code"]) for f in report["findings"]] == [("M2", "INVALID")]


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["check", "missing.xlsx"], "file not found"),
        (["template", "--plan", "nope.json", "-o", "x.xlsx"], "plan file not found"),
    ],
)
def test_cannot_run_is_one_line_on_stderr_and_exit_2(tmp_path, args, reason):
    result = subprocess.run(XLTOOLS + args, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2
    assert reason in result.stderr and result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_check_says_a_valid_return_is_not_ready_until_every_action_has_an_update(tmp_path,
                                                                                  plan):
    from xltools.workbook.book import Book
    from xltools.workbook.writer import write_book

    rows = [{"id": "A-0001", "ref": "1.1", "action": "x", "progress_update": "Done.",
             "rag": "Complete"},
            {"id": "A-0002", "ref": "1.2", "action": "y", "progress_update": "Started."},
            {"id": "A-0003", "ref": "1.3", "action": "z"},
            {"id": "A-0004", "ref": "1.4", "action": "w", "progress_update": "n/a",
             "rag": "Green"}]  # a placeholder is no update (as `xltools flags` says)
    path = write_book(Book(plan=plan, kind="return", officer="Steve Edwards", actions=rows),
                      tmp_path / "r.xlsx")
    report = json.loads(run("check", path, "--json").stdout)
    assert (report["ok"], report["ready"]) == (True, False)
    assert [(f["cell"], f["code"]) for f in report["findings"]] == [
        ("M3", "NO_UPDATE"), ("L4", "NO_UPDATE"), ("L5", "NO_UPDATE")]
    assert "3 action(s) still need an update" in run("check", path).stdout
