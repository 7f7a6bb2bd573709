"""The quarterly loop end to end, as the PMO and officers would run it.

master → `xltools issue` → officers fill their returns in "Excel" (openpyxl opening and
saving the issued file; one officer's own xlsxwriter workbook with its columns in another
order) with every kind of mistake → a folder that also holds a corrupt file, an .xls, a
password-protected file and a lock file, and one return sent back untouched →
`xltools consolidate` → every case reported as
(file, cell, code), nothing valid lost, every other cell of the master untouched, one Log
row per file with its SHA-256 — and the result opens in LibreOffice.
"""

import contextlib
import hashlib
import io
import json
from datetime import date, datetime

import pytest
import xlsxwriter
from conftest import SAMPLE_PLAN, convert
from openpyxl import load_workbook
from returns_data import fill_return, master_book, write_master

from xltools.cli import main
from xltools.findings import codes_in
from xltools.plan import Plan
from xltools.workbook.reader import read_book
from xltools.workbook.writer import write_book

Q2 = "Q2_2019-20_"
STEVE, LAURENCE, SUE = f"{Q2}Steve_Edwards.xlsx", f"{Q2}Laurence_Jones.xlsx", \
    f"{Q2}Sue_Summerscales.xlsx"
SIMON, HARLOW, LUCY = f"{Q2}Simon_Lacey.xlsx", f"{Q2}Nigel_Harlow.xlsx", f"{Q2}Lucy_Peel.xlsx"
HELEN, ROB_Q1 = f"{Q2}Helen_Richardson.xlsx", "Q1_2019-20_Rob_Disney.xlsx"
CORRUPT, XLS = f"{Q2}Marje_Toward.xlsx", "Q2_2019-20_Anthony_May.xls"
PROTECTED, LOCK = f"{Q2}Tracy_Hill.xlsx", f"~${Q2}Steve_Edwards.xlsx"

HYPERLINK = '=HYPERLINK("https://example.gov.uk/full-cost","Full cost model, 3 of 5 services")'
MINUS = "-50% spend on agency placements against the 2018/19 benchmark."
PLUS = "+120 social workers enrolled on the refreshed CPD offer."
AT = "@Audit committee: fieldwork complete, report due in November."
OUT = "consolidated.xlsx"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
# an encrypted .xlsx: an OLE file whose directory holds the EncryptedPackage stream
ENCRYPTED = OLE + "EncryptedPackage".encode("utf-16-le") + bytes(64)


def fill_officer_returns(folder, plan):
    """Each officer's Excel: open the issued return, type, save."""
    fill_return(folder / STEVE, {
        "A-0001": {"Progress update": "Agency Challenge Panel met 24/09/2019: three agency "
                   "posts released.", "RAG status": "Amber", "Last updated": date(2019, 10, 3),
                   "Updated by": "Steve Edwards"},
        "A-0005": {"Progress update": "Final report agreed by the Service Director.",
                   "RAG status": "Completed!!", "Last updated": date(2019, 10, 3),
                   "Updated by": "Steve Edwards"}})
    fill_return(folder / STEVE, {3: {"Revised": 100, "Change type": "Re-profile",
                                     "Approved by": "Colin Pettigrew",
                                     "Approved on": date(2019, 9, 30)}}, sheet="Savings")
    fill_return(folder / LAURENCE, {
        "A-0002": {"Progress update": "Q2 review of non-essential spend complete."},
        "A-0004": {"Progress update": MINUS, "RAG status": "Amber"},
        "A-0006": {"Progress update": "Top 20 placements reviewed monthly since July.",
                   "Last updated": "14th Oct 2019"},
        "A-0010": {"Progress update": HYPERLINK, "RAG status": "Amber",
                   "Updated by": "Laurence Jones"}})
    fill_return(folder / SUE, {"A-0002": {"Progress update": "Q2 review complete; approvals "
                                          "tightened."}})
    fill_return(folder / SIMON, {"A-0003": {"Lead officer": "Joe Bloggs", "Progress update": AT,
                                            "RAG status": "Green"}})
    fill_return(folder / LUCY, {"A-0012": {"Progress update": PLUS, "RAG status": "Green",
                                           "Last updated": date(2019, 10, 4),
                                           "Updated by": "Lucy Peel"}})
    (folder / f"{Q2}Jon_Hawketts.xlsx").unlink()  # Jon sends nothing
    (folder / f"{Q2}Rob_Disney.xlsx").unlink()  # Rob re-sends last quarter's return
    old = master_book(plan.with_changes(period="Q1 2019/20"))
    old.kind, old.officer, old.actions = "return", "Rob Disney", [old.action("A-0009")]
    old.savings = []
    old.actions[0]["progress_update"] = "Analyst recruited (Q1)."
    write_book(old, folder / ROB_Q1)
    own_workbook(folder / HARLOW)


def own_workbook(path):
    """Nigel Harlow ignored the issued file and made his own, columns in his own order."""
    path.unlink()
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Actions")
    day = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_row(0, 0, ["Progress update", "RAG status", "ID", "Last updated", "Updated by",
                        "Lead officer", "Improvement action"])
    ws.write_row(1, 0, ["Smartphones live for all social workers since 1 October.",
                        "Complete", "A-0011"])
    ws.write_datetime(1, 3, datetime(2019, 10, 7), day)
    ws.write_row(1, 4, ["Nigel Harlow", "Nigel Harlow", "Smartphones for social workers"])
    ws.write_row(2, 0, ["Pilot under way in two hubs.", "Green", "A-0099"])
    ws.write_datetime(2, 3, datetime(2019, 10, 7), day)
    ws.write_row(2, 4, ["Nigel Harlow", "Nigel Harlow", "Pilot Wi-Fi in family hubs"])
    wb.close()


def add_bad_files(folder):
    good = (folder / SUE).read_bytes()
    (folder / CORRUPT).write_bytes(good[: len(good) // 3])
    (folder / XLS).write_bytes(OLE)
    (folder / PROTECTED).write_bytes(ENCRYPTED)
    (folder / LOCK).write_bytes(b"\x0dSteve Edwards" + bytes(150))


@pytest.fixture(scope="module")
def loop(tmp_path_factory):
    plan = Plan.load(SAMPLE_PLAN)
    root = tmp_path_factory.mktemp("loop")
    master = write_master(plan, root / "master.xlsx")
    folder = root / "returns"
    assert main(["issue", str(master), "-o", str(folder)]) == 0
    fill_officer_returns(folder, plan)
    add_bad_files(folder)
    hashes = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    before = master.read_bytes()
    out = root / OUT
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["consolidate", str(master), str(folder), "-o", str(out), "--as-of",
                     "2019-10-21", "--json"])
    assert code == 0 and master.read_bytes() == before  # input master untouched
    return {"master": master, "out": out, "report": json.loads(buffer.getvalue()),
            "hashes": hashes, "root": root}


def test_every_case_reported_as_file_cell_code(loop):
    found = sorted((f.get("file") or "", f.get("cell") or "", f["code"])
                   for f in loop["report"]["findings"] if f["code"] != "MISSING_COLUMN")
    assert found == sorted([
        (STEVE, "M3", "INVALID"),  # pasted RAG "Completed!!"
        (LAURENCE, "N4", "INVALID"),  # text date
        (SIMON, "F2", "INVALID"),  # unknown officer typed over the dropdown
        (SIMON, "F2", "LOCKED_CHANGED"),  # … in a locked cell: not merged
        (HARLOW, "G2", "LOCKED_CHANGED"),  # his own words for the action: master's kept
        (LAURENCE, "L2", "CONFLICT"), (SUE, "L2", "CONFLICT"),  # joint action 1.2
        (HARLOW, "C3", "UNKNOWN_ID"),
        (ROB_Q1, "", "WRONG_PERIOD"),
        (OUT, "Q8", "MISSING_RETURN"), (OUT, "Q9", "MISSING_RETURN"),  # Jon Hawketts
        (OUT, "Q10", "MISSING_RETURN"),  # Rob Disney: only last quarter's return came
        (HELEN, "", "BLANK_RETURN"), (OUT, "Q13", "MISSING_RETURN"),  # Helen: sent it back
        # untouched, which is no answer
        (CORRUPT, "", "UNREADABLE"), (XLS, "", "UNREADABLE"),
        (PROTECTED, "", "UNREADABLE"), (LOCK, "", "UNREADABLE"),
    ])
    reasons = {f["file"]: f["got"] for f in loop["report"]["findings"]
               if f["code"] == "UNREADABLE"}
    assert reasons == {CORRUPT: "CORRUPT", XLS: "XLS", PROTECTED: "PASSWORD",
                       LOCK: "LOCK_FILE"}
    missing_cols = [f for f in loop["report"]["findings"] if f["code"] == "MISSING_COLUMN"]
    assert {f["file"] for f in missing_cols} == {HARLOW} and len(missing_cols) == 10


def test_report_counts(loop):
    report = loop["report"]
    assert report["counts"] == {
        "files": 12, "returns_read": 8, "returns_merged": 6, "rows_updated": 8,
        "rows_unchanged": 0, "rows_no_update": 0, "rows_invalid": 2, "conflicts": 1,
        "missing_returns": 3, "unknown_ids": 1, "wrong_period": 1, "unreadable": 4,
        "savings_updated": 1, "skipped": 0, "wrong_plan": 0, "not_a_return": 0,
        "not_owner": 0, "delegated": 0, "savings_conflicts": 0, "adopted": 0, "blank": 1,
        "savings_returns": 0,
    }
    assert report["missing"] == {"Jon Hawketts": ["A-0007", "A-0008"],
                                 "Rob Disney": ["A-0009"], "Helen Richardson": ["A-0012"]}
    assert report["updated"] == ["A-0001", "A-0003", "A-0004", "A-0005", "A-0006", "A-0010",
                                 "A-0011", "A-0012"]


# Every Actions cell the consolidation may change, with its new value, worked out by hand.
# Rows: A-0001 is row 2 … A-0012 is row 13.
OLD_1 = ("Quarterly reviews in place. Ongoing need for current levels of agency staff due to "
         "need for manageable caseloads.")
EXPECTED_CHANGES = {
    "J2": OLD_1, "L2": "Agency Challenge Panel met 24/09/2019: three agency posts released.",
    "M2": "Amber", "N2": datetime(2019, 10, 3),
    "J4": "Fieldwork has commenced.", "L4": AT,
    "L5": MINUS, "M5": "Amber",
    "J6": "Audit undertaken and draft report submitted for consideration by the Service "
          "Director.", "K6": "Amber", "L6": "Final report agreed by the Service Director.",
    "M6": "Completed!!", "N6": datetime(2019, 10, 3),
    "J7": "Reviews are underway", "L7": "Top 20 placements reviewed monthly since July.",
    "N7": "14th Oct 2019",
    "J11": "Full cost reviews underway", "K11": "Amber", "L11": HYPERLINK,
    "J12": "Devices procured; rollout plan agreed.",
    "L12": "Smartphones live for all social workers since 1 October.", "M12": "Complete",
    "N12": datetime(2019, 10, 7),
    "J13": "CPD offer being refreshed.", "L13": PLUS, "N13": datetime(2019, 10, 4),
}
# A-0003 (row 4) is not flagged: Simon's unknown officer was typed in a locked cell, which
# is not merged, so the master holds no invalid value (the return's INVALID is reported).
FLAGGED = {"Q3": ["CONFLICT"], "Q6": ["INVALID"], "Q7": ["INVALID"],
           "Q8": ["MISSING_RETURN"], "Q9": ["MISSING_RETURN"], "Q10": ["MISSING_RETURN"],
           "Q13": ["MISSING_RETURN"]}  # Helen's blank return: her side of the joint 3.6


def test_master_changed_exactly_where_expected(loop):
    before = load_workbook(loop["master"])
    after = load_workbook(loop["out"])
    for sheet in ("Actions", "Savings", "KPIs", "Lists"):
        old, new = before[sheet], after[sheet]
        assert new.max_column == old.max_column, sheet
        for r in range(1, max(old.max_row, new.max_row) + 1):
            for c in range(1, old.max_column + 1):
                coord = new.cell(r, c).coordinate
                got, was = new.cell(r, c).value, old.cell(r, c).value
                if sheet == "Actions" and coord in EXPECTED_CHANGES:
                    assert got == EXPECTED_CHANGES[coord], coord
                    assert was != got, coord
                elif sheet == "Actions" and coord in FLAGGED:
                    assert codes_in(got) == FLAGGED[coord], coord
                elif sheet == "Savings" and coord in ("G3", "I3", "J3", "K3"):
                    assert got == {"G3": 100, "I3": "Re-profile", "J3": "Colin Pettigrew",
                                   "K3": datetime(2019, 9, 30)}[coord]
                else:
                    assert got == was, f"{sheet}!{coord}"


def test_flags_name_the_file_and_both_conflicting_candidates(loop):
    out = read_book(loop["out"])
    conflict = out.action("A-0002")["flags"]
    assert "Q2 review of non-essential spend complete." in conflict
    assert "Q2 review complete; approvals tightened." in conflict
    assert LAURENCE in conflict and SUE in conflict
    assert out.action("A-0002")["progress_update"] == "Quarterly reviews in place."
    assert f"{STEVE} › Actions!M3" in out.action("A-0005")["flags"]


def test_formula_looking_text_is_stored_as_text(loop):
    ws = load_workbook(loop["out"])["Actions"]
    for coord, text in (("L11", HYPERLINK), ("L5", MINUS), ("L13", PLUS), ("L4", AT)):
        assert ws[coord].value == text and ws[coord].data_type == "s", coord
    assert read_book(loop["out"]).action("A-0010")["progress_update"] == HYPERLINK


def test_log_has_one_row_per_file_with_its_sha256(loop):
    log = read_book(loop["out"]).log
    assert sorted(r["file"] for r in log) == sorted(loop["hashes"])
    for row in log:
        assert row["sha256"] == loop["hashes"][row["file"]], row["file"]
    by_file = {r["file"]: r for r in log}
    assert (by_file[STEVE]["officer"], by_file[STEVE]["period"]) == ("Steve Edwards",
                                                                     "Q2 2019/20")
    # an INVALID row is merged (kept, flagged): accepted, not "rejected"
    assert (by_file[STEVE]["accepted"], by_file[STEVE]["rejected"]) == (4, 0)
    assert (by_file[LAURENCE]["accepted"], by_file[LAURENCE]["rejected"]) == (3, 1)
    assert (by_file[HARLOW]["officer"], by_file[HARLOW]["rejected"]) == ("Nigel Harlow", 1)
    assert (by_file[ROB_Q1]["accepted"], by_file[ROB_Q1]["rejected"]) == (0, 1)
    assert by_file[PROTECTED]["notes"].startswith("UNREADABLE (PASSWORD)")
    assert by_file[LOCK]["notes"].startswith("UNREADABLE (LOCK_FILE)")


def test_consolidated_master_opens_in_libreoffice(loop, soffice, tmp_path):
    converted = convert(soffice, loop["out"], "xlsx", tmp_path)
    ws = load_workbook(converted)["Actions"]
    ids = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    assert ws.cell(ids["A-0010"], 12).value == HYPERLINK  # still text after LibreOffice
    assert ws.cell(ids["A-0001"], 13).value == "Amber"
