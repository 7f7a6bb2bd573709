"""Following a plan as it changes (xltools revise, issue 14).

The master is the Aug/Sep 2019 seed imported and given a quarter's history. The
revised plan is a Word tracker of the next version, as councils change them:
section 1 dropped, sections 2–3 renumbered 1–2, two actions reworded, two
officers changed, six actions added (four labelled NEW ACTION) — the changes
between the Feb and Sep 2020 versions of the seed plan.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import SAMPLE_PLAN, SEEDS, convert, soffice_path
from test_rollover import write_master
from tracker_docs import write_docx

from xltools.cli import main
from xltools.cycle.rollover import next_quarter
from xltools.errors import UsageError
from xltools.legacy.importer import import_legacy, write_import
from xltools.legacy.matching import similarity
from xltools.legacy.revise import revise
from xltools.plan import Plan
from xltools.workbook.reader import read_book

SEED = SEEDS / "002_aed1e1315f25b11a.txt"
NEW_TEXTS = ["Launch a kinship carers support offer with the voluntary sector.",
             "Review of emergency duty team out-of-hours cover.",
             "Recovery plan for children's services after the Covid-19 lockdown.",
             "Virtual visits to looked after children during lockdown.",
             "Expand the edge of care hub to reduce entries to care.",
             "Commission an independent review of home to school transport."]
LABELLED = ("2.7", "2.8", "2.9", "2.10")


@pytest.fixture
def master(tmp_path):
    """The seed as a master, with last quarter's progress and RAG on every action."""
    report = import_legacy(SEED, plan=Plan.load(SAMPLE_PLAN))
    for n, action in enumerate(report.book.actions, start=1):
        action["previous_progress"] = f"Last quarter's update {n}"
        action["previous_rag"] = "Green"
        action["rag"] = "Amber"
    return write_import(report, tmp_path / "master.xlsx")


def _renumber(ref: str) -> str:
    major, minor = ref.split(".")
    return f"{int(major) - 1}.{minor}"


@pytest.fixture
def revised(master, tmp_path):
    """The next version of the plan as a Word tracker."""
    actions = [dict(a) for a in read_book(master).actions if not a["ref"].startswith("1.")]
    for action in actions:
        action["ref"] = _renumber(action["ref"])
        action["section"] = re.sub(r"^(\d)\.", lambda m: f"{int(m[1]) - 1}.",
                                   action["section"])
        action["progress_update"] = None
    actions[0]["action"] = actions[0]["action"].replace("Increased number of",
                                                        "Increase the number of")
    actions[4]["action"] = "Develop enhanced models of semi-independent accommodation."
    actions[2]["lead_officer"] = "Jane Doe"
    actions[9]["accountable_officer"] = "Marje Toward"
    last = actions[-1]
    for i, text in enumerate(NEW_TEXTS, start=7):
        actions.append(dict(last, ref=f"2.{i}", action=text, lead_officer="Jane Doe"))
    return write_docx(tmp_path / "plan_sep2020.docx", actions, new_labels=LABELLED)


def test_revision_keeps_ids_and_history_withdraws_dropped_and_numbers_new(master, revised,
                                                                         tmp_path):
    before = {a["ref"]: a for a in read_book(master).actions}
    report = revise(master, revised, tmp_path / "revised.xlsx")
    book = read_book(report.output)
    got = {a["ref"]: a for a in book.actions}
    # every surviving action: same ID, history kept, new ref and section
    for old_ref, old in before.items():
        if old_ref.startswith("1."):
            continue
        new = got[_renumber(old_ref)]
        assert new["id"] == old["id"], old_ref
        assert (new["previous_progress"], new["previous_rag"], new["rag"]) == (
            old["previous_progress"], "Green", "Amber")
        assert new["progress_update"] == old["progress_update"]  # not blanked by the paper
        assert new["section"][0] == str(int(old["section"][0]) - 1)
    # the reworded ones matched by text, the changes applied
    assert got["1.1"]["action"].startswith("Increase the number of")
    assert got["1.3"]["lead_officer"] == "Jane Doe" and "Jane Doe" in book.plan.officers
    assert got["1.10"]["accountable_officer"] == "Marje Toward"
    # dropped section 1: Withdrawn in the Archive, with date and reason
    withdrawn = {a["id"]: a for a in book.archive}
    assert sorted(withdrawn) == sorted(before[f"1.{i}"]["id"] for i in range(1, 7))
    for row in withdrawn.values():
        assert row["rag"] == "Withdrawn"
        assert re.match(r"Withdrawn \d\d/\d\d/\d{4}: not in the revised plan", row["flags"])
        assert row["previous_progress"].startswith("Last quarter's update")
    # new actions: new IDs after the highest
    assert [(got[f"2.{i}"]["id"], got[f"2.{i}"]["action"]) for i in range(7, 13)] == [
        (f"A-00{n}", text) for n, text in zip(range(23, 29), NEW_TEXTS, strict=True)]
    # renumbered sections keep the master's wording under their new numbers
    assert book.plan.sections == ("1. Effective delivery of change programmes",
                                  "2. Creating the conditions for good practice to flourish")
    # every change one Log row
    notes = [r["notes"] for r in book.log]
    assert any(n.startswith("revise: master.xlsx revised from plan_sep2020.docx: 16 matched, "
                            "6 new, 6 withdrawn") for n in notes)
    assert len([n for n in notes if " withdrawn: not in the revised plan" in n]) == 6
    assert len([n for n in notes if re.match(r"A-00\d\d Ref: ", n)]) == 16
    assert len(notes) == 1 + len(report.changes) + 6 + 6


def test_every_match_is_scored_and_reworded_ones_score_lower(master, revised):
    report = revise(master, revised)  # no output: nothing written
    assert report.output is None
    scores = {m.revised["ref"]: m.score for m in report.matches if m.master}
    assert len(scores) == 16
    assert scores["1.5"] < 0.9 <= scores["1.2"]
    matched = [f for f in report.findings if f.code == "MATCHED"]
    assert len(matched) == 16 and all("score" in f.extra for f in matched)
    assert {m.how for m in report.matches} == {"text", "new"}


def test_an_id_column_in_the_revised_file_wins_over_text(master, tmp_path):
    actions = [dict(a) for a in read_book(master).actions]
    actions[0]["action"], actions[1]["action"] = actions[1]["action"], actions[0]["action"]
    keys = ["id", "ref", "action", "lead_officer"]
    revised = write_docx(tmp_path / "with_ids.docx", actions, headers=["ID", "Ref", "Action",
                                                                      "Lead officer"],
                         keys=keys)
    report = revise(master, revised)
    assert {m.how for m in report.matches} == {"id"}
    assert not report.withdrawn
    first = report.matches[0]
    assert first.master["id"] == actions[0]["id"] and first.score == 1.0


def test_a_was_column_matches_by_old_ref(master, tmp_path):
    old = read_book(master).actions
    actions = [dict(a, was=a["ref"], ref=_renumber(a["ref"])) for a in old
               if not a["ref"].startswith("1.")]
    # two actions rewritten beyond recognition: only the Was column can pair them
    actions[0]["action"], actions[1]["action"] = "Foster care drive.", "Residential homes."
    revised = write_docx(tmp_path / "with_was.docx", actions,
                         headers=["Ref", "Was", "Improvement action", "Lead officer"],
                         keys=["ref", "was", "action", "lead_officer"])
    report = revise(master, revised)
    assert {m.how for m in report.matches} == {"was"}
    by_new_ref = {m.revised["ref"]: m.master["id"] for m in report.matches}
    assert by_new_ref["1.1"] == old[6]["id"] and by_new_ref["1.2"] == old[7]["id"]
    assert len(report.withdrawn) == 6


def test_revising_with_the_same_plan_changes_nothing(master):
    report = revise(master, SEED)
    assert (len(report.matches), report.changes, report.withdrawn) == (22, [], [])
    assert all(m.score == 1.0 for m in report.matches)


def test_similarity_ignores_case_punctuation_and_later_sentences():
    assert similarity("Audit budgets. Then more.", "AUDIT budgets!") == 1.0
    assert similarity("Audit budgets", "Recruit social workers") < 0.6


def test_cli_dry_run_prints_the_match_table_and_writes_nothing(master, revised, tmp_path,
                                                               capsys):
    out = tmp_path / "new.xlsx"
    code = main(["revise", str(master), str(revised), "-o", str(out), "--dry-run"])
    printed = capsys.readouterr().out
    assert code == 0 and not out.exists()
    assert "16 matched, 6 new, 6 withdrawn" in printed and "Dry run" in printed
    code = main(["revise", str(master), str(revised), "-o", str(out), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and out.exists() and len(data["withdrawn"]) == 6


def test_revise_refuses_to_write_over_the_master(master, revised, capsys):
    with pytest.raises(UsageError, match="new file"):
        revise(master, revised, master)
    assert main(["revise", str(master), str(revised)]) == 2
    assert "--dry-run" in capsys.readouterr().err


# -- next-quarter --to: several quarters in one roll --------------------------------
def test_next_quarter_to_a_later_quarter_rolls_once(tmp_path, plan):
    master = write_master(tmp_path / "master_Q2.xlsx", plan)
    before = {a["id"]: a for a in read_book(master).actions}
    report = next_quarter(master, tmp_path / "q1.xlsx", to="Q1 2020/21", unconsolidated=True)
    book = read_book(tmp_path / "q1.xlsx")
    assert (report.previous_period, report.period, book.plan.period) == (
        "Q2 2019/20", "Q1 2020/21", "Q1 2020/21")
    assert book.plan.deadline_date > book.plan.quarter.end
    assert report.archived == ["A-0002"]  # archived once
    rows = {a["id"]: a for a in book.actions}
    assert rows["A-0001"]["previous_progress"] == before["A-0001"]["progress_update"]
    assert all(r.get("progress_update") is None for r in rows.values())
    with pytest.raises(UsageError, match="not after the master's period"):
        next_quarter(master, tmp_path / "back.xlsx", to="Q1 2019/20", unconsolidated=True)
    code = main(["next-quarter", "--unconsolidated", str(master), "-o",
                 str(tmp_path / "cli.xlsx"), "--to",
                 "Quarter 3 2020-21", "--json"])
    assert code == 0 and read_book(tmp_path / "cli.xlsx").plan.period == "Q3 2020/21"


def test_the_revised_plan_can_be_the_published_pdf(master, revised, tmp_path):
    soffice = soffice_path()
    if soffice is None:
        pytest.skip("LibreOffice not installed")
    pdf = convert(soffice, revised, "pdf", tmp_path / "pdf")
    from_pdf = revise(master, pdf)
    from_docx = revise(master, revised)
    assert [(m.master or {}).get("id") for m in from_pdf.matches] == [
        (m.master or {}).get("id") for m in from_docx.matches]
    assert sorted(r["id"] for r in from_pdf.withdrawn) == sorted(
        r["id"] for r in from_docx.withdrawn)


def _status_revision(master, tmp_path, statuses: dict[str, str]):
    """The master's actions as a revised Word plan whose Status column has no
    header; ``statuses`` {ref: status} (the rest "Green")."""
    actions = [dict(a, rag=statuses.get(a["ref"], "Green")) for a in read_book(master).actions]
    keys = ["ref", "action", "accountable_officer", "lead_officer", "rag", "progress_update"]
    headers = ["", "Improvement Action", "CLT Accountable Officer", "Lead Officer", "",
               "Progress"]
    return write_docx(tmp_path / "revised_status.docx", actions, headers=headers, keys=keys)


def test_revision_with_a_blank_status_header_reads_withdrawn_and_closed(master, tmp_path):
    before = {a["ref"]: a["id"] for a in read_book(master).actions}
    revised = _status_revision(master, tmp_path, {"1.2": "Withdrawn", "2.3": "Closed",
                                                  "3.1": "Deleted"})
    report = revise(master, revised, tmp_path / "out.xlsx")
    book = read_book(report.output)
    assert sorted(a["id"] for a in book.archive) == sorted(
        before[r] for r in ("1.2", "2.3", "3.1"))
    assert {a["ref"] for a in book.actions} == set(before) - {"1.2", "2.3", "3.1"}
    assert all(a["id"] == before[a["ref"]] for a in book.actions)  # 0 wrong matches
    flags = {a["ref"]: a["flags"] for a in book.archive}
    assert "marked 'Closed' in the revised plan" in flags["2.3"]
    notes = [r["notes"] for r in book.log]
    assert any(n.endswith("withdrawn: marked 'Withdrawn' in the revised plan") for n in notes)


def test_revise_carries_the_revised_files_import_findings(master, tmp_path, capsys):
    actions = [dict(a) for a in read_book(master).actions]
    actions[3]["rag"] = "Paused pending review"  # a status the mapping does not know
    keys = ["ref", "action", "lead_officer", "rag"]
    revised = write_docx(tmp_path / "rev.docx", actions, keys=keys,
                         headers=["Ref", "Improvement action", "Lead officer", "Status"])
    report = revise(master, revised, tmp_path / "out.xlsx")
    assert [f.got for f in report.findings if f.code == "UNMAPPED_STATUS"] == [
        "Paused pending review"]
    notes = [r["notes"] for r in read_book(report.output).log]
    assert any("found 1 UNMAPPED_STATUS" in n for n in notes)
    assert any("UNMAPPED_STATUS: RAG status 'Paused pending review'" in n for n in notes)
    assert main(["revise", str(master), str(revised), "--dry-run", "--force"]) == 0
    out = capsys.readouterr().out
    assert "Paused pending review" in out and "Dry run" in out


# -- pins (issue 28): each failed with its bug planted (bench/mutants.py) ----------------


def test_a_loose_text_match_is_a_warning_to_review_a_close_one_is_not(master, revised):
    """The PMO reviews the matches the tool was unsure of: a reworded action (score
    under 0.85) is a WARNING; a near-identical one is only INFO."""
    from xltools.findings import INFO, WARNING

    report = revise(master, revised)
    scores = {m.master["id"]: m.score for m in report.matches if m.master}
    matched = {f.action_id: f for f in report.findings if f.code == "MATCHED"}
    loose = [i for i, s in scores.items() if s < 0.85]
    close = [i for i, s in scores.items() if s >= 0.95]
    assert loose and close
    assert all(matched[i].severity == WARNING for i in loose)
    assert all(matched[i].severity == INFO for i in close)


def test_a_new_action_never_takes_an_archived_actions_id(master, tmp_path):
    """IDs are forever: an action withdrawn to the Archive keeps its ID, so an action
    added by a revision is numbered after every ID the master ever used."""
    from xltools.workbook.writer import write_book

    book = read_book(master)
    last = max(book.actions, key=lambda a: a["id"])
    book.actions.remove(last)
    book.archive.append(dict(last, rag="Withdrawn"))
    trimmed = write_book(book, tmp_path / "trimmed.xlsx")
    report = revise(trimmed, SEED)  # the seed still holds the withdrawn action's text
    new = [m.new_id for m in report.matches if m.how == "new"]
    assert new and last["id"] not in new
    assert all(n > last["id"] for n in new)


def test_a_was_ref_used_twice_in_the_master_matches_neither(tmp_path):
    """Two master actions share ref 2.1 (a numbering slip): a Was column saying "2.1"
    cannot tell which one was meant, so it must not pick one."""
    from xltools.legacy.matching import match_actions

    master = [{"id": "A-0001", "ref": "2.1", "action": "Foster care recruitment drive."},
              {"id": "A-0002", "ref": "2.1", "action": "Open two residential homes."}]
    revised = [{"ref": "1.1", "action": "Kinship carers support offer."}]
    (match,) = match_actions(master, revised, was={0: "2.1"})
    assert match.master is None and match.how == "new"
