"""Importing programme plans (issue 27): aims, programmes with SAO/RDL/Lead Member, key
activities with Start and End, lettered sub-items, KPIs and a risk register — from a
small plan written here in the seed's layout, and from seed 003 itself."""

from __future__ import annotations

import copy
import re
from datetime import date

import pytest
from conftest import SEEDS
from openpyxl import load_workbook

from xltools.cli import main
from xltools.errors import UsageError
from xltools.legacy.importer import import_legacy, write_import
from xltools.timeframes import due_date
from xltools.workbook.reader import read_book
from xltools.workbook.risks import rag_for, score_risk

SEED = SEEDS / "003_31615a5fe2b3e7b2.txt"
HEADER = "Programme {n}{more}\tPurpose and description\tSAO / RDL\tKey Activities\tStart\tEnd"
SMALL = "\n".join([
    "Borsetshire County Council Recovery Plan",
    "",
    "Section 3: Aims and programmes",
    "Aim 1: A Council that balances its books",
    "Programme\tDescription and Purpose",
    "1. Balance the budget\tDeliver the savings and set a legal budget every year.",
    "2. Sell surplus land\tRaise capital receipts from land we do not need.",
    "Aim 2: A Council that is well run",
    "Programme\tDescription and Purpose",
    "3. Fix governance\tA constitution that works and decisions on time.",
    "Section 4: Delivery",
    "Appendix A1: Plans on a page",
    HEADER.format(n=1, more=""),
    "\t\tLead Member\t\t\t",
    "Balance the budget\tDeliver the savings.\tSAO: Director of Finance RDL: Head of Budgets"
    "\t1.1 Agree the savings programme\tJune 2024\tSept 2024",
    "\t\tLead Member: Cabinet Member for Money\t1.2 Monitor delivery monthly: a) Set up the "
    "board b) Report to Cabinet\tJuly 2024 Aug 2024\tAug 2024 Ongoing",
    "\t\t\t1.3 Close the 2025/26 gap\tStarted\tMarch 2025",
    "14\t\t\t\t\t",
    HEADER.format(n=2, more=""),
    "\t\tLead Member\t\t\t",
    "Sell surplus land\tRaise receipts.\tSAO: Director of Place RDL: Estates Manager "
    "Lead Member: Leader\t2.1 List surplus sites 2.2 Market the first ten 2.3 Report "
    "receipts\tMay 2024 June 2024\tJuly 2024 Dec 2024",
    "15\t\t\t\t\t",
    HEADER.format(n=3, more=""),
    "\t\tLead Member\t\t\t",
    "Fix governance\tDecisions on time.\tSAO: Monitoring Officer\t3.1 Review the "
    "constitution\tJuly 2024\tOct 2024 (and ongoing)",
    HEADER.format(n=3, more=" continued"),
    "\t\tLead Member\t\t\t",
    "16\t\t\tand the scheme of delegation\t\t",
    "\t\t\t3.2 Member training:\tSept 2024\tOngoing",
    "\t\t\ta) Induction for new members\tSept 2024\tNov 2024",
    "Appendix A2: Key Performance Indicators",
    "Aim\tMetric",
    "A Council that balances\t% of savings delivered",
    "its books\tReserves as % of net revenue spend",
    "% decisions taken on time",
    "Appendix A3: Risk and dependency management",
    "\tRisk Title\tRisk Description\tMitigation",
    "1\tCapacity\tToo few people to deliver at pace.\tReprioritise existing staff.",
    "2 17\tData\tBudget data is late.\tMonthly close by day 5.",
])


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("prog") / "recovery plan.txt"
    path.write_text(SMALL, encoding="utf-8")
    return import_legacy(path, period="Q2 2024/25")


def _by_ref(report):
    return {a["ref"]: a for a in report.book.actions}


def test_small_plan_aims_programmes_and_their_people(small):
    settings = small.book.extra_settings
    assert settings["plan_shape"] == "programme"
    assert settings["aims"] == {"1": "A Council that balances its books",
                                "2": "A Council that is well run"}
    programmes = {p["number"]: p for p in settings["programmes"]}
    assert list(programmes) == [1, 2, 3]
    assert programmes[1] == {
        "number": 1, "section": "1. Balance the budget", "name": "Balance the budget",
        "aim": 1, "purpose": "Deliver the savings and set a legal budget every year.",
        "sao": "Director of Finance", "rdl": "Head of Budgets",
        "lead_member": "Cabinet Member for Money"}
    assert (programmes[2]["sao"], programmes[2]["rdl"], programmes[2]["lead_member"]) == (
        "Director of Place", "Estates Manager", "Leader")
    assert programmes[3]["aim"] == 2 and programmes[3]["rdl"] == ""
    assert small.book.plan.sections == ("1. Balance the budget", "2. Sell surplus land",
                                        "3. Fix governance")
    assert small.book.plan.title == "Borsetshire County Council Recovery Plan"


def test_small_plan_activities_with_start_end_and_milestones(small):
    rows = _by_ref(small)
    assert list(rows) == ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2"]
    first = rows["1.1"]
    assert (first["section"], first["action"], first["accountable_officer"],
            first["lead_officer"], first["start"], first["timeframe"]) == (
        "1. Balance the budget", "Agree the savings programme", "Director of Finance",
        "Head of Budgets", "June 2024", "Sept 2024")  # Start; Timeframe = End as printed
    # one activity with its sub-items on one row: the runs are the sub-items' dates
    assert rows["1.2"]["action"] == ("Monitor delivery monthly:\n"
                                     "a) Set up the board (From July 2024 to Aug 2024)\n"
                                     "b) Report to Cabinet (From Aug 2024 to Ongoing)")
    assert (rows["1.3"]["start"], rows["1.3"]["timeframe"]) == ("Started", "March 2025")
    # three activities printed on one row with two dates each: none guessed
    assert [(rows[r]["start"], rows[r]["timeframe"]) for r in ("2.1", "2.2", "2.3")] == [
        (None, None)] * 3
    assert all("REVIEW" in rows[r]["flags"] for r in ("2.1", "2.2", "2.3"))
    # a row continued after a page number, and a sub-item on its own row
    assert rows["3.1"]["action"] == "Review the constitution and the scheme of delegation"
    assert (rows["3.1"]["start"], rows["3.1"]["timeframe"]) == ("July 2024",
                                                                 "Oct 2024 (and ongoing)")
    assert rows["3.2"]["action"] == ("Member training:\n"
                                     "a) Induction for new members (From Sept 2024 to Nov 2024)")
    assert (rows["3.2"]["start"], rows["3.2"]["timeframe"]) == ("Sept 2024", "Ongoing")


def test_timeframes_read_end_as_due_and_ongoing_as_recurring(small):
    rows = _by_ref(small)
    assert due_date(rows["1.1"]["timeframe"]) == date(2024, 9, 30)
    assert due_date(rows["1.3"]["timeframe"]) == date(2025, 3, 31)
    assert due_date(rows["3.2"]["timeframe"]) is None  # ongoing: never overdue


def test_dates_that_do_not_line_up_are_review_naming_programme_and_dates(small):
    review = [f for f in small.findings if f.code == "REVIEW" and "line up" in f.message]
    assert len(review) == 1
    finding = review[0]
    assert finding.extra["programme"] == "2. Sell surplus land"
    assert finding.extra["refs"] == ["2.1", "2.2", "2.3"]
    assert finding.got == {"start": ["May 2024", "June 2024"], "end": ["July 2024", "Dec 2024"]}
    assert "May 2024, June 2024" in finding.message and "July 2024, Dec 2024" in finding.message
    assert finding.cell == "A21" and finding.action_id == _by_ref(small)["2.1"]["id"]
    missing = [f for f in small.findings if f.code == "REVIEW" and "no RDL" in f.message]
    assert [f.extra["programme"] for f in missing] == ["3. Fix governance"]


def test_kpis_and_risks(small):
    assert [k["measure"] for k in small.book.kpis] == [
        "% of savings delivered", "Reserves as % of net revenue spend",
        "% decisions taken on time"]
    assert all(k["target"] is None for k in small.book.kpis)
    aims = small.book.extra_settings["kpi_aims"]
    assert aims["% of savings delivered"] == aims["Reserves as % of net revenue spend"] == (
        "A Council that balances its books")
    risks = small.book.risks
    assert [(r["id"], r["title"], r["description"], r["mitigation"]) for r in risks] == [
        ("R1", "Capacity", "Too few people to deliver at pace.", "Reprioritise existing staff."),
        ("R2", "Data", "Budget data is late.", "Monthly close by day 5.")]
    assert all(r["score"] is None and r["rag"] is None for r in risks)  # none printed


def test_written_master_has_risks_sheet_and_reads_back(small, tmp_path):
    out = write_import(small, tmp_path / "master.xlsx")
    book = read_book(out)
    assert [a["ref"] for a in book.actions] == [a["ref"] for a in small.book.actions]
    assert [(a["start"], a["timeframe"]) for a in book.actions] == [
        (a["start"], a["timeframe"]) for a in small.book.actions]  # Start's own column
    assert [c.value for c in load_workbook(out)["Actions"][1]][-2:] == ["Start", "Revised end"]
    assert [(r["id"], r["title"]) for r in book.risks] == [("R1", "Capacity"), ("R2", "Data")]
    assert book.extra_settings["programmes"][0]["sao"] == "Director of Finance"
    ws = load_workbook(out)["Risks"]
    assert [c.value for c in ws[1]] == ["ID", "Risk", "Description", "Mitigation", "Programme",
                                        "Owner", "Likelihood", "Impact", "Score", "RAG",
                                        "Previous score", "Direction"]
    dropdowns = {str(dv.sqref).split(":")[0]: dv.formula1
                 for dv in ws.data_validations.dataValidation}
    assert dropdowns["G2"] == '"1,2,3,4,5"' and dropdowns["H2"] == '"1,2,3,4,5"'


def test_a_tracker_master_has_no_risks_sheet(tmp_path):
    report = import_legacy(SEEDS / "002_aed1e1315f25b11a.txt", period="Q2 2019/20")
    assert "plan_shape" not in report.book.extra_settings and not report.book.risks
    assert "Risks" not in load_workbook(write_import(report, tmp_path / "t.xlsx")).sheetnames


def test_risk_score_rag_and_direction():
    limits = {"Red": 15, "Amber": 8}
    assert [rag_for(s, limits) for s in (None, 1, 7, 8, 14, 15, 25)] == [
        None, "Green", "Green", "Amber", "Amber", "Red", "Red"]
    row = score_risk({"likelihood": 4, "impact": "4", "previous_score": 12}, limits)
    assert (row["score"], row["rag"], row["direction"]) == (16, "Red", "Rising")
    row = score_risk({"likelihood": 2, "impact": 3, "previous_score": 6}, {"Red": 6, "Amber": 3})
    assert (row["score"], row["rag"], row["direction"]) == (6, "Red", "Same")
    row = score_risk({"likelihood": 6, "impact": 3, "previous_score": 6}, limits)
    assert (row["score"], row["rag"], row["direction"]) == (None, None, None)
    # as a sheet gives them back: a float score part, a previous score as text; a
    # previous score that is not a whole number gives no direction, never an error
    row = score_risk({"likelihood": 4.0, "impact": 3, "previous_score": "16"}, limits)
    assert (row["score"], row["rag"], row["direction"]) == (12, "Amber", "Falling")
    row = score_risk({"likelihood": 2, "impact": 2, "previous_score": "n/a"}, limits)
    assert (row["score"], row["direction"]) == (4, None)


def test_prose_that_is_neither_is_still_refused(tmp_path):
    path = tmp_path / "letter.txt"
    path.write_text("Dear colleague,\n\nPlease find our plan attached.\n\nProgramme 1 is "
                    "about money.\nProgramme 2 is about land.\n", encoding="utf-8")
    with pytest.raises(UsageError, match="no columns found"):
        import_legacy(path, period="Q2 2024/25")


# -- seed 003 --------------------------------------------------------------------
@pytest.fixture(scope="module")
def seed():
    return import_legacy(SEED, period="Q2 2024/25")


def test_seed_003_aims_programmes_and_people(seed):
    settings = seed.book.extra_settings
    assert len(settings["aims"]) == 3
    assert settings["aims"]["2"] == "A Council that is financially sustainable"
    programmes = {p["number"]: p for p in settings["programmes"]}
    assert list(programmes) == list(range(1, 12))
    assert [p["aim"] for p in programmes.values()] == [1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]
    assert programmes[6]["name"] == "Corporate landlord and assets sales"  # as its table says
    assert (programmes[5]["sao"], programmes[5]["rdl"], programmes[5]["lead_member"]) == (
        "Corporate Director (Finance & Resources and s151 Officer)",
        "Director of Finance (Deputy s151 Officer)", "Executive Member for Finance and Resources")
    assert programmes[10]["rdl"] == "Head of Internal Audit, Risk and Insurance"


def test_seed_003_activities_with_start_and_end(seed):
    rows = _by_ref(seed)
    assert len(seed.book.actions) == len(rows)  # every activity once (6.10 reprinted: once)
    for row in seed.book.actions:
        major = int(row["section"].split(".")[0])
        assert re.fullmatch(rf"{major}\.\d{{1,2}}", row["ref"]), row["ref"]
        assert not re.match(r"(section|appendix|aim|programme)\b", row["action"], re.I)
    assert (rows["1.1"]["start"], rows["1.1"]["timeframe"]) == ("July 2024", "August 2024")
    assert (rows["5.8"]["start"], rows["5.8"]["timeframe"]) == ("Started", "As soon as possible")
    assert (rows["10.1"]["start"], rows["10.1"]["timeframe"]) == ("June 2024",
                                                                   "July 2024 (and ongoing)")
    assert rows["11.4"]["action"].splitlines()[1].endswith("(From July 2024 to Sept 2024)")
    dated = [r for r in seed.book.actions if r["timeframe"]]
    assert len(dated) > len(seed.book.actions) * 2 // 3
    programmes = {f.extra["programme"].split(".")[0] for f in seed.findings
                  if f.code == "REVIEW" and "line up" in f.message}
    assert programmes == {"3", "6", "8", "9"}  # the rows whose printed runs do not line up


def test_seed_003_kpis_and_five_risks(seed):
    assert len(seed.book.kpis) >= 15
    assert "Business rates collection rate %" in [k["measure"] for k in seed.book.kpis]
    assert [(r["id"], r["title"]) for r in seed.book.risks] == [
        ("R1", "Capacity and Pace"), ("R2", "Resources"), ("R3", "Delivery"),
        ("R4", "Citizen and Partner Perceptions"), ("R5", "Inter- dependencies and Sequencing")]
    assert all(r["mitigation"] for r in seed.book.risks)


def test_cli_imports_the_seed_instead_of_refusing_it(tmp_path, capsys):
    out = tmp_path / "nottingham.xlsx"
    assert main(["import", str(SEED), "-o", str(out), "--period", "Q2 2024/25"]) == 0
    book = read_book(out)
    assert len(book.risks) == 5 and len(book.extra_settings["programmes"]) == 11


def _as_word(text: str, path):
    """The small plan as a Word document: each run of tab-separated lines one table
    (as Word keeps a plan-on-a-page table), the other lines paragraphs."""
    import docx

    document = docx.Document()
    block: list[list[str]] = []

    def flush():
        if block:
            width = max(len(r) for r in block)
            table = document.add_table(rows=len(block), cols=width)
            for i, cells in enumerate(block):
                for j, value in enumerate(cells):
                    table.cell(i, j).text = value
            block.clear()

    for line in text.splitlines():
        if "\t" in line:
            block.append(line.split("\t"))
        else:
            flush()
            document.add_paragraph(line)
    flush()
    document.save(path)
    return path


def test_word_programme_plan_imports_like_its_text(small, tmp_path):
    report = import_legacy(_as_word(SMALL, tmp_path / "recovery plan.docx"), period="Q2 2024/25")
    assert [(a["ref"], a["section"], a["accountable_officer"], a["lead_officer"], a["start"],
             a["timeframe"], a["action"]) for a in report.book.actions] == [
        (a["ref"], a["section"], a["accountable_officer"], a["lead_officer"], a["start"],
         a["timeframe"], a["action"]) for a in small.book.actions]
    assert report.book.extra_settings["programmes"] == small.book.extra_settings["programmes"]
    assert [r["title"] for r in report.book.risks] == ["Capacity", "Data"]


def test_next_quarter_keeps_the_risks_and_their_score_as_previous(small, tmp_path):
    from xltools.cycle.rollover import next_quarter
    from xltools.workbook.writer import write_book

    book = copy.deepcopy(small.book)
    book.risks[0].update(likelihood=4, impact=4)
    score_risk(book.risks[0], {"Red": 15, "Amber": 8})
    master = write_book(book, tmp_path / "master.xlsx")
    next_quarter(master, tmp_path / "next.xlsx", unconsolidated=True)
    rolled = read_book(tmp_path / "next.xlsx")
    assert rolled.plan.period == "Q3 2024/25"
    first, second = rolled.risks
    assert (first["id"], first["likelihood"], first["impact"], first["score"], first["rag"],
            first["previous_score"], first["direction"]) == ("R1", 4, 4, 16, "Red", 16, "Same")
    assert (second["id"], second["score"], second["previous_score"]) == ("R2", None, None)
    assert rolled.extra_settings["programmes"] == book.extra_settings["programmes"]


def test_flags_on_an_imported_programme_plan_read_end_as_due(small, tmp_path, capsys):
    import json

    master = write_import(small, tmp_path / "master.xlsx")
    capsys.readouterr()
    assert main(["flags", str(master), "--as-of", "2024-10-15", "--json"]) == 0
    flags = json.loads(capsys.readouterr().out)["flags"]
    ids = {a["ref"]: a["id"] for a in small.book.actions}
    overdue = {f["action_id"] for f in flags if f["code"] == "OVERDUE"}
    assert overdue == {ids["1.1"]}  # ended Sept 2024; 3.1 ends Oct, 3.2 is ongoing
    undated = {f["action_id"] for f in flags if f["code"] == "NO_DUE_DATE"}
    assert ids["3.2"] not in undated and ids["2.1"] in undated  # dates not matched: none
