"""Importing legacy trackers (xltools import): the Aug/Sep 2019 seed, an xlsx tracker
written independently with xlsxwriter, CSV, mapping files and the command."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime

import pytest
import xlsxwriter
from conftest import SAMPLE_PLAN, SEEDS, convert

from xltools.cli import main
from xltools.errors import UsageError
from xltools.findings import codes_in, flatten
from xltools.legacy.columns import load_mapping
from xltools.legacy.importer import import_legacy, write_import
from xltools.officer_names import split_cell
from xltools.workbook.reader import read_book
from xltools.workbook.validate import validate_book

SEED = SEEDS / "002_aed1e1315f25b11a.txt"
SEED_NAME = SEED.name
REFS = ([f"1.{i}" for i in range(1, 7)] + [f"2.{i}" for i in range(1, 11)]
        + [f"3.{i}" for i in range(1, 7)])
SECTION_1 = "1. Addressing the in-year financial challenges"
SECTION_2 = "2. Effective delivery of change programmes"
SECTION_3 = "3. Creating the conditions for good practice to flourish"


@pytest.fixture
def seed_report(plan):
    return import_legacy(SEED, plan=plan)


def by_ref(report_or_book):
    book = getattr(report_or_book, "book", report_or_book)
    return {a["ref"]: a for a in book.actions}


# -- the Aug/Sep 2019 seed ----------------------------------------------------
def test_seed_gives_all_22_actions_with_ids_in_plan_order(seed_report):
    actions = seed_report.book.actions
    assert [a["ref"] for a in actions] == REFS
    assert [a["id"] for a in actions] == [f"A-{n:04d}" for n in range(1, 23)]
    assert seed_report.book.plan.period == "Q2 2019/20"


def test_seed_sections_come_from_the_heading_numbers(seed_report):
    # The "1." heading sits after 1.5 in the source; refs place 1.1–1.5 in it anyway.
    expected = {ref: {"1": SECTION_1, "2": SECTION_2, "3": SECTION_3}[ref[0]] for ref in REFS}
    assert {a["ref"]: a["section"] for a in seed_report.book.actions} == expected


def test_seed_officers_are_split_into_listed_names(seed_report):
    actions = by_ref(seed_report)
    assert actions["1.2"]["accountable_officer"] == "Colin Pettigrew / Nigel Stevenson"
    # "Marje Toward Anthony May/ Adrian Smith": juxtaposed names split on the plan's names
    assert actions["2.1"]["accountable_officer"] == "Marje Toward / Anthony May / Adrian Smith"
    assert actions["2.1"]["lead_officer"] == ("Luke Barrett / Catherine Kelly / Derek Higton / "
                                              "Pete Mathieson / Chris Ward / Andy Dawson")
    assert actions["2.7"]["lead_officer"] == ("Katharine Smith / Tracy Hill / Sue Milburn / "
                                              "Joe Foley")
    assert actions["2.9"]["accountable_officer"] == "Nigel Stevenson / Colin Pettigrew"
    assert actions["3.3"]["lead_officer"] == "John Nilan"


def test_seed_2_9_is_one_action_with_its_continuation_merged(seed_report):
    action = by_ref(seed_report)["2.9"]
    assert action["action"].startswith("Additional project management capacity")
    assert action["action"].endswith("plus funding for 2 project manager posts to be hosted "
                                     "within the department, graduate trainee.")
    assert action["timeframe"].endswith("formal 5 year strategy for implementation from "
                                        "spring 2020.")
    assert "will be taken to the December 2019 Policy Committee." in action["progress_update"]
    assert action["lead_officer"] == "Sue Milburn / Lucy Peel / Marion Clay"


def test_seed_ref_10_is_recognised_as_2_10_and_read_in_its_own_columns(seed_report):
    action = by_ref(seed_report)["2.10"]
    assert action["action"] == ("Ensuring that sold services are achieving full cost recovery "
                                "in all instances")
    assert action["accountable_officer"] == "Colin Pettigrew"
    assert action["lead_officer"] == "Laurence Jones"
    assert action["timeframe"] == "1 April 2020"
    assert action["progress_update"] == "Full cost reviews underway"
    assert action["section"] == SECTION_2


def test_seed_progress_goes_to_progress_update_not_previous(seed_report):
    action = by_ref(seed_report)["1.3"]
    assert action["progress_update"] == "Fieldwork has commenced."
    assert action["previous_progress"] is None
    assert action["rag"] is None  # this tracker has no status column


def test_seed_report_accounts_for_every_row(seed_report):
    found = flatten(seed_report.findings, ("file", "cell", "code"))
    for cell, code in [("A1", "SKIPPED_ROW"), ("A3", "SKIPPED_ROW"), ("A2", "SKIPPED_ROW"),
                       ("A14", "SKIPPED_ROW"), ("A34", "COLUMNS_SHIFTED"),
                       ("A35", "MERGED_ROW"), ("A36", "REF_FIXED"),
                       ("A20", "OFFICERS_SPLIT"), ("A30", "OFFICERS_SPLIT")]:
        assert (SEED_NAME, cell, code) in found
    merged = [f for f in seed_report.findings if f.code == "MERGED_ROW"]
    assert [(f.cell, f.action_id) for f in merged] == [("A35", "A-0015")]
    fixed = [f for f in seed_report.findings if f.code == "REF_FIXED"]
    assert [(f.action_id, f.got) for f in fixed] == [("A-0016", "10")]
    # every one of the 48 lines is an action, a section heading, or has a finding
    lines = {int(f.cell[1:]) for f in seed_report.findings if f.cell}
    header, headings = {5}, {12, 17, 38}
    starts = {6, 7, 8, 9, 10, 15, 20, 21, 22, 25, 26, 27, 30, 31, 32, 36, 41, 42, 43, 44, 47, 48}
    assert len(starts) == 22
    assert lines | header | headings | starts == set(range(1, 49))
    assert not [f for f in seed_report.findings if f.code in ("UNPLACED_ROW", "INVALID")]


def test_seed_master_reads_back_and_validates(seed_report, tmp_path):
    out = write_import(seed_report, tmp_path / "master.xlsx")
    book = read_book(out)
    assert [a["ref"] for a in book.actions] == REFS
    assert book.kind == "master" and book.plan.period == "Q2 2019/20"
    assert by_ref(book)["2.1"]["accountable_officer"] == ("Marje Toward / Anthony May / "
                                                          "Adrian Smith")
    assert "Marje Toward / Anthony May / Adrian Smith" in book.plan.officers
    assert [f for f in validate_book(book) if f.code == "INVALID"] == []
    assert book.extra_settings.get("imported_from") == SEED_NAME


def test_seed_without_a_plan_takes_officers_and_sections_from_the_tracker(plan, tmp_path):
    with pytest.raises(UsageError, match="--period"):
        import_legacy(SEED)
    report = import_legacy(SEED, period="Quarter 2 2019-20")
    got = report.book.plan
    assert got.period == "Q2 2019/20"
    assert set(got.individual_officers) == set(plan.individual_officers)
    assert "Marje Toward / Anthony May / Adrian Smith" in got.officers  # joint entries used
    assert got.sections[1].startswith("2. Effective delivery of change programmes, accelerating")
    assert by_ref(report)["2.1"]["accountable_officer"] == ("Marje Toward / Anthony May / "
                                                            "Adrian Smith")
    book = read_book(write_import(report, tmp_path / "m.xlsx"))
    assert [f for f in validate_book(book) if f.code == "INVALID"] == []


def test_plan_without_the_joint_entries_gets_them_added_and_reported(plan):
    singles = tuple(o for o in plan.officers if "/" not in o)
    report = import_legacy(SEED, plan=plan.with_changes(officers=singles))
    extended = [f.got for f in report.findings if f.code == "LIST_EXTENDED"]
    assert "Colin Pettigrew / Nigel Stevenson" in extended
    assert set(extended) <= set(report.book.plan.officers)
    assert [f for f in report.findings if f.code == "INVALID"] == []


def test_imported_master_opens_in_libreoffice(seed_report, soffice, tmp_path):
    out = write_import(seed_report, tmp_path / "master.xlsx")
    resaved = convert(soffice, out, "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    assert [a["ref"] for a in read_book(resaved).actions] == REFS


# -- officer cells --------------------------------------------------------------
def test_juxtaposed_names_split_only_when_known_names_make_it_unambiguous():
    known = {"Ann Lee", "Bob Roe"}
    assert split_cell("Ann Lee Cy Dee/ Bob Roe", known).names == ("Ann Lee", "Cy Dee", "Bob Roe")
    assert split_cell("Ann Lee\nBob Roe", known).names == ("Ann Lee", "Bob Roe")
    unclear = split_cell("Cy Dee Eve Fox Gus", known)  # 2+3 or 3+2, no anchor
    assert unclear.names == ("Cy Dee Eve Fox Gus",) and unclear.unclear == ("Cy Dee Eve Fox Gus",)
    assert split_cell("Ann Lee Cy Dee Eve Fox Gus", known).unclear  # ambiguous after Ann Lee
    assert split_cell("ann lee", known).names == ("Ann Lee",)  # the list's spelling


# -- an xlsx tracker written by another tool --------------------------------------
def write_tracker(path):
    """A council's own tracker as Excel saves it: cover sheet, title, other headers."""
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("Cover").write("A1", "Corporate improvement tracker — see next sheet")
    ws = wb.add_worksheet("Tracker")
    ws.merge_range("A1:I1", "Corporate Improvement Tracker 2019/20")
    ws.write_row(2, 0, ["No.", "Theme", "Action", "Director", "Owner", "Target date",
                        "Latest update", "Status", "Date updated"])
    dates = wb.add_format({"num_format": "dd/mm/yyyy"})
    rows = [
        (1.1, "Finance", "Review agency spend", "Ann Lee", "Bob Roe", "March 2020",
         "Panel meets monthly", "On track", datetime(2019, 9, 30)),
        (1.2, "Finance", "Audit budgets", "Ann Lee", "Cy Dee\nBob Roe", datetime(2020, 3, 31),
         "Fieldwork started", "Delayed – awaiting auditors", "14/10/2019"),
        (2.1, "Workforce", "Recruit social workers", "Dan Eve", "Bob Roe", "Ongoing",
         "Campaign live", "Awaiting decision", None),
    ]
    for offset, row in enumerate(rows, start=3):
        for col, value in enumerate(row):
            if isinstance(value, datetime):
                ws.write_datetime(offset, col, value, dates)
            elif value is not None:
                ws.write(offset, col, value)
    wb.close()
    return path


def test_xlsx_tracker_from_another_writer_imports(tmp_path):
    report = import_legacy(write_tracker(tmp_path / "tracker.xlsx"), period="Q3 2019/20")
    actions = report.book.actions
    assert [a["ref"] for a in actions] == ["1.1", "1.2", "2.1"]
    assert [a["section"] for a in actions] == ["Finance", "Finance", "Workforce"]
    assert [a["rag"] for a in actions] == ["Green", "Amber", None]
    assert actions[1]["lead_officer"] == "Cy Dee / Bob Roe"
    assert actions[1]["timeframe"] == "31 March 2020"
    assert [a["last_updated"] for a in actions] == [date(2019, 9, 30), date(2019, 10, 14), None]
    assert actions[0]["progress_update"] == "Panel meets monthly"
    # the unmapped status: reported, RAG blank, text kept in progress and flags
    unmapped = [f for f in report.findings if f.code == "UNMAPPED_STATUS"]
    assert flatten(unmapped, ("file", "sheet", "cell", "action_id")) == [
        ("tracker.xlsx", "Tracker", "A6", "A-0003")]
    assert actions[2]["progress_update"].endswith("[Status in the imported tracker: "
                                                  "Awaiting decision]")
    assert codes_in(actions[2]["flags"]) == ["UNMAPPED_STATUS"]
    assert report.statuses == {"On track": "Green", "Delayed – awaiting auditors": "Amber",
                               "Awaiting decision": None}
    assert ("tracker.xlsx", "A1", "SKIPPED_ROW") in flatten(report.findings)
    assert report.book.plan.sections == ("Finance", "Workforce")
    assert [f for f in report.findings if f.code == "INVALID"] == []


def test_xlsx_tracker_status_mapping_file_fixes_the_unmapped_status(tmp_path):
    source = write_tracker(tmp_path / "tracker.xlsx")
    report = import_legacy(source, period="Q3 2019/20",
                           status_mapping={"awaiting decision": "Amber"})
    assert [a["rag"] for a in report.book.actions] == ["Green", "Amber", "Amber"]
    assert report.book.plan.status_mapping["awaiting decision"] == "Amber"  # carried


# -- text sources, mapping files, realignment --------------------------------------
HEADER = "\tImprovement Action\tLead Officer\tTimeframe\tProgress\tStatus"


def write_tsv(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_row_missing_its_ref_cell_is_realigned_and_reported(tmp_path):
    source = write_tsv(tmp_path / "plan.tsv", [
        HEADER,
        "1.1\tFirst action\tAnn Lee\tMay 2020\tStarted\tOn track",
        "1.2\tSecond action\tBob Roe\tJune 2020\tPlanning\tAt risk",
        "3 Third action lost its ref cell\tAnn Lee\tJuly 2020\tNone yet\tNot yet commenced",
    ])
    report = import_legacy(source, period="Q1 2020/21")
    third = report.book.actions[2]
    assert (third["ref"], third["action"], third["lead_officer"], third["rag"]) == (
        "1.3", "Third action lost its ref cell", "Ann Lee", "Not started")
    assert {("plan.tsv", "A4", "COLUMNS_SHIFTED"), ("plan.tsv", "B4", "REF_FIXED")} <= set(
        flatten(report.findings))


def test_mapping_file_overrides_header_matching(tmp_path):
    source = write_tsv(tmp_path / "plan.tsv", [
        "Ref\tDeliverable\tWho\tNotes\tProgress",
        "1\tOpen the new home\tAnn Lee\tinternal note\tBuilding bought",
    ])
    with pytest.raises(UsageError, match="no header row"):
        import_legacy(source, period="Q1 2020/21")  # "Deliverable", "Who" unknown
    mapping_file = tmp_path / "mapping.json"
    mapping_file.write_text(json.dumps({"Deliverable": "Improvement action",
                                        "Who": "lead_officer", "Notes": "",
                                        "Progress": "Previous progress"}))
    report = import_legacy(source, period="Q1 2020/21", mapping=load_mapping(mapping_file))
    action = report.book.actions[0]
    assert (action["ref"], action["action"], action["lead_officer"]) == (
        "1", "Open the new home", "Ann Lee")
    assert action["previous_progress"] == "Building bought" and action["progress_update"] is None
    assert not [f for f in report.findings if f.code == "EXTRA_COLUMN"]  # Notes ignored
    assert not [f for f in report.findings if f.code == "UNPLACED_ROW"]  # ignored on purpose


def test_mapping_file_naming_an_unknown_column_is_refused(tmp_path):
    bad = tmp_path / "mapping.json"
    bad.write_text(json.dumps({"Who": "Officer in charge"}))
    with pytest.raises(UsageError, match="'Who' maps to 'Officer in charge'"):
        load_mapping(bad)


def test_unknown_columns_are_reported_and_stray_text_is_unplaced(tmp_path):
    source = write_tsv(tmp_path / "plan.tsv", [
        "Ref\tAction\tLead officer\tBudget code",
        "1.1\tDo it\tAnn Lee\tX1",
        "A note typed under the table",
    ])
    report = import_legacy(source, period="Q1 2020/21")
    assert {("plan.tsv", "D1", "EXTRA_COLUMN"), ("plan.tsv", "A3", "UNPLACED_ROW")} <= set(
        flatten(report.findings))


def test_csv_with_quoted_multiline_cells_and_windows_encoding(tmp_path):
    source = tmp_path / "plan.csv"
    text = ('Ref,Action,Lead officer,Progress,Status\r\n'
            '1.1,"Cut spend by £50k","Ann Lee\r\nBob Roe",Going well,Complete\r\n'
            '1.2,Second,Ann Lee,Stuck,Awaiting decision\r\n')
    source.write_bytes(text.encode("cp1252"))
    report = import_legacy(source, period="Q1 2020/21")
    first, second = report.book.actions
    assert first["action"] == "Cut spend by £50k"
    assert first["lead_officer"] == "Ann Lee / Bob Roe"
    assert first["rag"] == "Complete"
    assert ("plan.csv", "A4", "UNMAPPED_STATUS") in flatten(report.findings)  # its real line


def test_source_without_any_header_is_refused(tmp_path):
    source = write_tsv(tmp_path / "notes.txt", ["Ref\tTitle\tCost", "1\tSomething\t5"])
    with pytest.raises(UsageError, match="no header row"):
        import_legacy(source, period="Q1 2020/21")


def test_pdf_text_with_interleaved_columns_is_refused_with_the_reason():
    with pytest.raises(UsageError, match="no columns found.*PDF"):
        import_legacy(SEEDS / "000_d5cf4684a186ae56.txt", period="Q4 2019/20")


# -- the command ---------------------------------------------------------------
def test_cli_import_json_report(tmp_path, capsys):
    out = tmp_path / "master.xlsx"
    code = main(["import", str(SEED), "-o", str(out), "--plan", str(SAMPLE_PLAN), "--json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["actions"] == 22 and report["refs"] == REFS
    assert report["counts"]["MERGED_ROW"] == 1 and report["counts"]["REF_FIXED"] == 1
    assert report["output"] == str(out) and out.exists()


def test_cli_import_table_and_status_mapping_file(tmp_path, capsys):
    mapping = tmp_path / "statuses.json"
    mapping.write_text(json.dumps({"Awaiting decision": "Red"}))
    out = tmp_path / "m.xlsx"
    code = main(["import", str(write_tracker(tmp_path / "t.xlsx")), "-o", str(out),
                 "--period", "Q3 2019/20", "--status-mapping", str(mapping)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "3 actions" in printed and "Master for Q3 2019/20" in printed
    assert [a["rag"] for a in read_book(out).actions] == ["Green", "Amber", "Red"]


def test_cli_import_table_names_actions_by_ref_and_title_not_id(tmp_path, capsys):
    """The import report says which action as the master shows it (issue 23): Ref and
    title, never the internal ID the PMO cannot see."""
    code = main(["import", str(SEED), "-o", str(tmp_path / "m.xlsx"), "--plan",
                 str(SAMPLE_PLAN)])
    assert code == 0
    printed = " ".join(t.strip("│┃") for t in capsys.readouterr().out.split())
    assert "MERGED_ROW" in printed and "A-00" not in printed
    assert "2.9 'Additional project management" in printed
    main(["import", str(SEED), "-o", str(tmp_path / "m2.xlsx"), "--plan", str(SAMPLE_PLAN),
          "--json"])
    merged = next(f for f in json.loads(capsys.readouterr().out)["findings"]
                  if f["code"] == "MERGED_ROW")
    assert merged["action"].startswith("2.9 'Additional project management")


def test_cli_import_without_plan_or_period_fails_with_a_reason(tmp_path, capsys):
    code = main(["import", str(SEED), "-o", str(tmp_path / "m.xlsx")])
    assert code == 2
    assert "--period" in capsys.readouterr().err


def test_own_ref_scheme_kept_and_rows_without_ref_start_or_continue_actions(tmp_path):
    source = write_tsv(tmp_path / "plan.tsv", [
        "Ref\tAction\tLead officer\tProgress",
        "CF-01\tFirst\tAnn Lee\tStarted",
        "\tcontinued over the page\t\tand more progress",
        "\tNew action with no ref\tBob Roe\tPlanning",
    ])
    report = import_legacy(source, period="Q1 2020/21")
    first, second = report.book.actions
    assert (first["ref"], first["action"], first["progress_update"]) == (
        "CF-01", "First continued over the page", "Started and more progress")
    assert (second["ref"], second["action"], second["lead_officer"]) == (
        None, "New action with no ref", "Bob Roe")
    assert flatten(report.findings, ("cell", "code", "action_id")) == [
        ("A3", "MERGED_ROW", "A-0001")]


def test_names_and_sections_missing_from_the_plan_are_reported_against_the_master(plan,
                                                                                 tmp_path):
    report = import_legacy(write_tracker(tmp_path / "tracker.xlsx"), plan=plan)
    invalid = flatten([f for f in report.findings if f.code == "INVALID"],
                      ("sheet", "cell", "action_id"))
    assert ("Actions", "E2", "A-0001") in invalid  # Ann Lee is not on the plan's list
    assert ("Actions", "C4", "A-0003") in invalid  # section "Workforce" neither
    assert "Ann Lee" not in report.book.plan.officers  # the plan's list stays the PMO's


def test_previous_status_column_is_mapped_too(tmp_path):
    source = write_tsv(tmp_path / "plan.tsv", [
        "Ref\tAction\tPrevious status\tStatus\tProgress",
        "1.1\tDo it\tOngoing programme of work\tSlipped a bit\tSome progress",
    ])
    report = import_legacy(source, period="Q1 2020/21")
    action = report.book.actions[0]
    assert (action["previous_rag"], action["rag"]) == ("Green", None)
    assert action["progress_update"] == ("Some progress\n[Status in the imported tracker: "
                                         "Slipped a bit]")
    assert flatten(report.findings, ("cell", "code", "column")) == [
        ("A2", "UNMAPPED_STATUS", "RAG status"), ("A2", "STATUS_MAPPED", "Previous RAG")]


def test_numbered_intro_line_does_not_name_a_section_the_table_names(tmp_path):
    source = write_tsv(tmp_path / "plan.tsv", [
        "1. Purpose of this plan",
        "Ref\tAction\tLead officer",
        "1. Finance",
        "1.1\tCut spend\tAnn Lee",
    ])
    report = import_legacy(source, period="Q1 2020/21")
    assert report.book.actions[0]["section"] == "1. Finance"
    assert report.book.plan.sections == ("1. Finance",)


# -- CSV quoting (issue 14) ----------------------------------------------------------
def test_csv_with_quoted_commas_and_line_breaks_imports_exactly(tmp_path):
    source = tmp_path / "plan.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Ref", "Improvement action", "Lead officer", "Timeframe", "Progress"])
        writer.writerow(["1.1", "Review spend, agency use, and overtime", "Ann Lee\nBob Roe",
                         "March, 2020", 'Panel set up, "monthly", reviews started.\nOn plan.'])
        writer.writerow(["1.2", "Audit budgets", "Cy Dee", "June 2020", "Scoping, fieldwork"])
    report = import_legacy(source, period="Q1 2020/21")
    first, second = report.book.actions
    assert (first["ref"], first["action"], first["lead_officer"], first["timeframe"]) == (
        "1.1", "Review spend, agency use, and overtime", "Ann Lee / Bob Roe", "March, 2020")
    assert first["progress_update"] == 'Panel set up, "monthly", reviews started.\nOn plan.'
    assert (second["ref"], second["progress_update"]) == ("1.2", "Scoping, fieldwork")
    assert not [f for f in report.findings if f.code in ("UNPLACED_ROW", "QUOTES_IGNORED")]


def test_csv_with_a_quote_never_closed_is_refused_with_its_line(tmp_path):
    source = tmp_path / "plan.csv"
    source.write_text('Ref,Action,Lead officer\n1.1,"Open quote,Ann Lee\n1.2,Two,Bob Roe\n',
                      encoding="utf-8")
    with pytest.raises(UsageError, match=r"plan.csv: .*line 2.*quotes"):
        import_legacy(source, period="Q1 2020/21")


def test_tsv_pasted_from_word_with_a_stray_quote_falls_back_and_says_so(tmp_path):
    source = write_tsv(tmp_path / "plan.txt", [
        "Ref\tAction\tLead officer\tProgress",
        '1.1\t"Good" practice shared\tAnn Lee\tStarted',
        "1.2\tSecond\tBob Roe\tPlanning",
    ])
    report = import_legacy(source, period="Q1 2020/21")
    assert [(a["ref"], a["action"]) for a in report.book.actions] == [
        ("1.1", '"Good" practice shared'), ("1.2", "Second")]
    assert ("plan.txt", "A2", "QUOTES_IGNORED") in flatten(report.findings)


def test_ampersand_splits_names_but_not_job_titles():
    assert split_cell("Ann Lee & Bob Roe", set()).names == ("Ann Lee", "Bob Roe")
    assert split_cell("Ann Lee and Bob Roe", set()).names == ("Ann Lee", "Bob Roe")
    for title in ("Finance & Resources", "Director of Finance & Resources",
                  "Head of Finance and Resources"):
        got = split_cell(title, set())
        assert got.names == (title,) and not got.unclear
    assert split_cell("• Ann Lee\n• Bob Roe", set()).names == ("Ann Lee", "Bob Roe")


# -- IDs in the source, new rows in a master (issue 14) ------------------------------
def test_reimporting_an_exported_master_keeps_every_id(seed_report, tmp_path):
    master = write_import(seed_report, tmp_path / "master.xlsx")
    again = import_legacy(master, period="Q2 2019/20")
    assert [a["id"] for a in again.book.actions] == [a["id"] for a in seed_report.book.actions]
    assert [a["ref"] for a in again.book.actions] == REFS


def test_source_ids_kept_others_numbered_on_bad_ones_reported(tmp_path):
    source = write_tsv(tmp_path / "plan.tsv", [
        "ID\tRef\tAction\tLead officer",
        "A-0007\t1.1\tFirst\tAnn Lee",
        "\t1.2\tAdded since\tBob Roe",
        "A-0007\t1.3\tCopied row\tBob Roe",
        "seven\t1.4\tTyped over\tAnn Lee",
        "A-0003\t1.5\tOlder\tAnn Lee",
    ])
    report = import_legacy(source, period="Q1 2020/21")
    assert [a["id"] for a in report.book.actions] == [
        "A-0007", "A-0008", "A-0009", "A-0010", "A-0003"]
    found = flatten(report.findings, ("cell", "code", "got"))
    assert ("A4", "DUPLICATE_ID", "A-0007") in found and ("A5", "INVALID", "seven") in found


def test_a_council_id_column_without_xltools_ids_is_not_read_as_ids(tmp_path):
    source = write_tsv(tmp_path / "plan.tsv", [
        "ID\tAction\tLead officer", "1\tFirst\tAnn Lee", "2\tSecond\tBob Roe"])
    report = import_legacy(source, period="Q1 2020/21")
    assert [a["id"] for a in report.book.actions] == ["A-0001", "A-0002"]
    assert not [f for f in report.findings if f.code in ("INVALID", "DUPLICATE_ID")]


def test_check_accepts_a_new_master_row_with_its_id_left_blank(seed_report, tmp_path, capsys):
    book = seed_report.book
    new = dict(book.actions[0], id=None, ref="3.7", action="A new action added by the PMO")
    book.actions.append(new)
    master = write_import(seed_report, tmp_path / "master.xlsx")
    code = main(["check", str(master), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["ok"] is True
    assert [(f["code"], f["cell"]) for f in report["findings"]
            if f.get("column") == "ID"] == [("NEW_ACTION", "A24")]


def test_rows_that_are_headings_risks_or_sentences_are_named():
    from xltools.legacy.shape import row_problems
    assert row_problems({"ref": "1.1", "action": "Cut agency spend",
                         "lead_officer": "Ann Lee / Director of Finance & Resources"}, True) == []
    assert row_problems({"ref": None, "action": "SKILLS AND EMPLOYMENT"}, True) == [
        "no ref", "looks like a heading"]
    assert row_problems({"ref": "2", "action": "Chapter 3 Homes"}, True) == [
        "looks like a heading"]
    # a tracker that names its actions in title case is not a list of headings
    assert row_problems({"ref": "2.1", "action": "Agency Spend Review",
                         "lead_officer": "Ann Lee"}, True) == []
    assert row_problems({"ref": "2.1", "action": "There is a risk that funding ends."},
                        True) == ["looks like a risk"]
    assert row_problems({"ref": "2.2", "action": "Do it", "accountable_officer":
                         "The team will report to committee."}, True) == [
        "officer 'The team will report to committee.' is a sentence, not a name"]


def test_check_finds_master_actions_missing_a_ref_or_section(seed_report, tmp_path, capsys):
    seed_report.book.actions[3]["ref"] = None
    seed_report.book.actions[5]["section"] = None
    master = write_import(seed_report, tmp_path / "master.xlsx")
    assert main(["check", str(master), "--json"]) == 0
    found = [(f["cell"], f["code"], f["column"]) for f in json.loads(
        capsys.readouterr().out)["findings"] if f["code"] == "INCOMPLETE_ACTION"]
    assert found == [("B5", "INCOMPLETE_ACTION", "Ref"), ("C7", "INCOMPLETE_ACTION", "Section")]


# -- pins (issue 28): each failed with its bug planted (bench/mutants.py) ----------------


def test_tsv_a_quote_spanning_many_lines_falls_back_and_says_so(tmp_path):
    """Pasted from Word, a quotation mark opening one cell and one closing a line many
    lines later would make a single cell of everything between: read line by line
    instead, and say so (QUOTES_IGNORED), so the PMO checks those cells."""
    lines = [f"Step {n} agreed with the service" for n in range(1, 25)]
    source = write_tsv(tmp_path / "plan.txt", [
        "Ref\tAction\tLead officer\tProgress",
        '1.1\tShare practice\tAnn Lee\t"Good practice panel set up:',
        *lines[:-1], lines[-1] + ' as agreed"',
        "1.2\tSecond\tBob Roe\tPlanning",
    ])
    from xltools.legacy.source import read_text

    grid = read_text(source)
    assert [(n.code, n.line) for n in grid.notes] == [("QUOTES_IGNORED", 2)]
    assert len(grid.rows) == 27  # every line its own row: nothing swallowed
    assert grid.rows[-1][1] == ["1.2", "Second", "Bob Roe", "Planning"]
