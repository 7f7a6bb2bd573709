"""A realistic master for the returns tests, built directly with Book + write_book.

Rows are modelled on the Children and Families improvement plan in
tests/fixtures/seeds/002_aed1e1315f25b11a.txt (Aug/Sep 2019): the real refs,
sections, officers (joint entries included) and last quarter's progress text.
The master is for Q2 2019/20; its Progress update holds the Q1 text that
returns show as Previous progress.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from xltools.plan import Plan
from xltools.workbook.book import Book
from xltools.workbook.layout import MASTER
from xltools.workbook.writer import write_book

S1, S2, S3 = (
    "1. Addressing the in-year financial challenges",
    "2. Effective delivery of change programmes",
    "3. Creating the conditions for good practice to flourish",
)

# (id, ref, section, action, accountable, lead, timeframe, progress, rag)
ACTIONS = [
    ("A-0001", "1.1", S1, "Regularly review the need for agency staffing through Agency "
     "Challenge Panel.", "Colin Pettigrew", "Steve Edwards", "Quarterly",
     "Quarterly reviews in place. Ongoing need for current levels of agency staff due to "
     "need for manageable caseloads.", "Green"),
    ("A-0002", "1.2", S1, "Quarterly reviews of non-essential spend.",
     "Colin Pettigrew / Nigel Stevenson", "Laurence Jones / Sue Summerscales", "Quarterly",
     "Quarterly reviews in place.", "Green"),
    ("A-0003", "1.3", S1, "Audit of financial management processes and culture within the "
     "department.", "Colin Pettigrew / Nigel Stevenson", "Simon Lacey", "Q3 2019/20",
     "Fieldwork has commenced.", "Green"),
    ("A-0004", "1.4", S1, "Benchmark current service outcomes and financial performance "
     "against statistical neighbours rated good or outstanding.",
     "Colin Pettigrew / Nigel Stevenson", "Laurence Jones", "Q4 2019/20", None, None),
    ("A-0005", "1.5", S1, "Independent review of 20 most recently accommodated children.",
     "Colin Pettigrew", "Steve Edwards", "Q2 2019/20",
     "Audit undertaken and draft report submitted for consideration by the Service "
     "Director.", "Amber"),
    ("A-0006", "1.6", S1, "Senior managers to regularly review the most expensive care "
     "placements.", "Colin Pettigrew", "Laurence Jones", "Monthly", "Reviews are underway",
     "Green"),
    ("A-0007", "2.3", S2, 'Increase the number of "block contract" residential placements '
     "with external providers.", "Colin Pettigrew", "Jon Hawketts", "Q4 2019/20",
     "Tender process under way; two providers shortlisted.", "Amber"),
    ("A-0008", "2.4", S2, "Establish a D2N2 Commissioning Framework for residential and "
     "Independent Fostering Agencies.", "Colin Pettigrew", "Jon Hawketts", "Q1 2020/21",
     "Framework specification agreed with D2N2 partners.", "Green"),
    ("A-0009", "2.8", S2, "Ensure sufficient capacity to develop the BI reports required to "
     "meet Ofsted requirements.", "Nigel Stevenson", "Rob Disney", "Ongoing",
     "Additional analyst post approved.", "Green"),
    ("A-0010", "2.10", S2, "Ensuring that sold services are achieving full cost recovery in "
     "all instances", "Colin Pettigrew", "Laurence Jones", "Q4 2019/20",
     "Full cost reviews underway", "Amber"),
    ("A-0011", "3.2", S3, "Ensure smartphones for social workers function as smartphones no "
     "later than the October 2019 go-live date.", "Nigel Stevenson", "Nigel Harlow",
     "Q3 2019/20", "Devices procured; rollout plan agreed.", "Green"),
    ("A-0012", "3.6", S3, "Good continuing professional development and career progression "
     "opportunities through a refreshed CPD offer.", "Colin Pettigrew / Marje Toward",
     "Lucy Peel / Helen Richardson", "Ongoing", "CPD offer being refreshed.", "Green"),
]

# (project ref, project, lead, year, expected, revised)
SAVINGS = [
    ("CF-01", "Agency staffing reduction", "Steve Edwards", "2019/20", 250.0, 250.0),
    ("CF-01", "Agency staffing reduction", "Steve Edwards", "2020/21", 150.0, 150.0),
    ("CF-02", "Block contract placements", "Jon Hawketts", "2019/20", 400.0, 300.0),
]


def action_rows() -> list[dict]:
    rows = []
    for id_, ref, section, action, acc, lead, tf, progress, rag in ACTIONS:
        rows.append({
            "id": id_, "ref": ref, "section": section, "action": action,
            "accountable_officer": acc, "lead_officer": lead,
            "aim": "Effective use of budget and good outcomes for children.",
            "timeframe": tf, "success_measure": "Reviewed and reported to CLT each quarter.",
            "previous_progress": "Q4 2018/19 text" if progress else None,
            "previous_rag": "Green" if progress else None,
            "progress_update": progress, "rag": rag,
            "last_updated": date(2019, 6, 20) if progress else None,
            "updated_by": lead.split(" / ")[0] if progress else None,
            "links": "Departmental continuous improvement plan",
        })
    return rows


def savings_rows() -> list[dict]:
    return [{"project_ref": ref, "project": name, "department": "Children and Families",
             "lead_officer": lead, "year": year, "expected": exp, "revised": rev,
             "change_type": "Re-profile" if exp != rev else None}
            for ref, name, lead, year, exp, rev in SAVINGS]


def master_book(plan: Plan) -> Book:
    return Book(plan=plan, kind=MASTER, actions=action_rows(), savings=savings_rows())


def write_master(plan: Plan, path: Path) -> Path:
    return write_book(master_book(plan), path)


def fill_return(path: Path, updates: dict[str | int, dict[str, object]], *, sheet: str = "Actions",
                key_header: str = "ID", save_as: Path | None = None) -> Path:
    """Fill a return as an officer's Excel would: open it with openpyxl, type into cells
    found by header and ID (or sheet row number), save. Text starting with '=' is typed
    as text (as Excel stores a quote-prefixed entry), never as a formula."""

    wb = load_workbook(path)
    ws = wb[sheet]
    headers = {c.value: c.column for c in ws[1] if c.value}
    rows = {ws.cell(r, headers[key_header]).value: r for r in range(2, ws.max_row + 1)
            if key_header in headers}
    for key, values in updates.items():
        for header, value in values.items():
            cell = ws.cell(key if isinstance(key, int) else rows[key], headers[header])
            cell.value = value
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"
                cell.quotePrefix = True
    target = save_as or path
    wb.save(target)
    return target


AS_OF = date(2019, 10, 21)  # the consolidation date the returns tests use
STEVE = "Q2_2019-20_Steve_Edwards.xlsx"
LUCY = "Q2_2019-20_Lucy_Peel.xlsx"
HELEN = "Q2_2019-20_Helen_Richardson.xlsx"
JON = "Q2_2019-20_Jon_Hawketts.xlsx"
ROB = "Q2_2019-20_Rob_Disney.xlsx"



def send_back_unchanged(folder: Path, *names: str) -> list[Path]:
    """Officers with nothing new: each return named (all still untouched in ``folder``
    when none is named) gets last quarter's words typed back as this quarter's update —
    equal to the master's, so merged as *unchanged*, but an answer. (A return sent back
    exactly as issued holds no update and does not count as returned: BLANK_RETURN.)"""
    from xltools.cycle.intake import holds_no_update
    from xltools.errors import WorkbookError
    from xltools.workbook.reader import read_book

    done = []
    for path in sorted(folder.glob("*.xlsx")) if not names else [folder / n for n in names]:
        try:
            book = read_book(path)
        except WorkbookError:
            continue  # not an issued return (an officer's own workbook): not untouched
        if names or holds_no_update(book):
            fill_return(path, {r["id"]: {"Progress update": r["previous_progress"]}
                               for r in book.actions if r.get("previous_progress")})
            done.append(path)
    return done
