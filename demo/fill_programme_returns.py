"""Play the Responsible Delivery Leads of seed 003 (Nottingham's 2024 Improvement Plan):
fill the programme plan's issued returns for Q2 2024/25 as their Excel would.

Most RDLs open their return with openpyxl (not xltools), type into it and save —
what Excel does — then "email" it back by copying it to the PMO's inbox folder.
The Director of Customer Services' return goes through another spreadsheet
program instead: every sheet is written afresh by xlsxwriter (an independent
writer) with the same values, the Settings sheet hidden as issued. Every
activity in a return gets an update (RAG Green, as its RDL reports it) except
the cases below, which the flags must find (as of 15 October 2024):

- 1.1 (End Aug 2024) is Amber with a Revised end of Dec 2024: OVERDUE, and
  SLIPPED by 4 months;
- 1.2 and 11.1 are Complete;
- 5.4 (End March 2026) has a Revised end of 30/06/2026 (a date): SLIPPED by 91 days;
- 5.5 (End June 2024) is still Green: OVERDUE;
- 7.3 (Start June 2025) and 7.6 (Start "Started") are left blank: no update, but
  neither is NOT_STARTED (one starts next year, the other had begun);
- 9.5 (Start Oct 2024) is left blank: its start month is not over;
- 9.6 (Start July 2024) is "Not started" with no progress: NOT_STARTED;
- 9.7 (End Dec 2025) has a Revised end of Mar 2026: SLIPPED by 3 months;
- 10.1 (End "July 2024 (and ongoing)") is Green: OVERDUE — the July deliverable is
  late, whatever carries on after it; the other internal audit activities whose End
  has passed (10.2, 10.3, 10.5, 10.9, 10.11, 10.12) are Complete;
- 11.2 (End Sept 2024) is Amber, revised to Nov 2024: OVERDUE and SLIPPED by 2 months;
- 11.3 (End Sept 2024) is Green: OVERDUE;
- 11.5 (End March 2025) is revised to Jan 2025, earlier: not slipped;
- the Director of Legal & Governance sends nothing (MISSING_RETURN).

A return that carries risks (the RDL owns them: the PMO picks each risk's Owner on
the master's Risks sheet before issuing) gets their "risk score now": R1 4 × 4,
R2 3 × 4, R3 2 × 3 (likelihood × impact).
"""

from __future__ import annotations

import shutil
import sys
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script or loaded by path
from fill_returns import officer_of  # noqa: E402 - the Guidance line every return has

MISSING = "Director of Legal & Governance (Monitoring Officer)"
OTHER_WRITER = "Director of Customer Services"
UPDATED = date(2024, 10, 7)
DONE = "Green"

# ref -> (progress update, RAG, revised end); None progress: left blank
UPDATES: dict[str, tuple[str | None, str | None, object]] = {
    "1.1": ("Engagement with staff and partners took longer than planned; the refreshed "
            "vision goes to Executive in December.", "Amber", "Dec 2024"),
    "1.2": ("Purpose and intent agreed by CLT and published.", "Complete", None),
    "5.4": ("Finance business partnering review under way; the new model goes live in June "
            "2026, after the restructure.", "Green", date(2026, 6, 30)),
    "5.5": ("Closedown timetable nearly complete; two schedules outstanding.", "Green", None),
    "7.3": (None, None, None),
    "7.6": (None, None, None),
    "9.5": (None, None, None),
    "9.6": (None, "Not started", None),
    "9.7": ("Workforce plan drafted; consultation extended to March 2026 at the unions' "
            "request.", "Green", "Mar 2026"),
    "10.1": ("Risk improvement plan drafted; Audit Committee sign-off in November.", "Green",
             None),
    **{ref: (f"Delivered: {ref} signed off by the Audit Committee.", "Complete", None)
       for ref in ("10.2", "10.3", "10.5", "10.9", "10.11", "10.12")},
    "11.1": ("Customer access strategy approved by Executive.", "Complete", None),
    "11.2": ("Contact centre telephony procurement re-run after a failed tender.", "Amber",
             "Nov 2024"),
    "11.3": ("Digital front door pilot running in two services.", "Green", None),
    "11.5": ("Ahead of plan: the self-service portal launches in January.", "Green",
             "Jan 2025"),
}


# risk ID -> (likelihood, impact) its owner types, when their return carries it
RISK_SCORES = {"R1": (4, 4), "R2": (3, 4), "R3": (2, 3)}


def update_for(ref: str, officer: str) -> tuple[str | None, str | None, object]:
    """What the RDL types for activity ``ref``."""
    return UPDATES.get(ref, (f"{officer}: activity {ref} on track for its End date.", DONE,
                             None))


def fill(path: Path, officer: str, out: Path) -> Path:
    """Open the return, type the RDL's updates, save to ``out`` (as Excel would)."""
    wb = load_workbook(path)
    ws = wb["Actions"]
    col = {c.value: c.column for c in ws[1] if c.value}
    for r in range(2, ws.max_row + 1):
        ref = str(ws.cell(r, col["Ref"]).value or "")
        if not ref:
            continue
        text, rag, revised = update_for(ref, officer)
        if text is None and rag is None:
            continue
        ws.cell(r, col["Progress update"]).value = text
        ws.cell(r, col["RAG status"]).value = rag
        if text is not None:
            ws.cell(r, col["Last updated"]).value = UPDATED
            ws.cell(r, col["Updated by"]).value = officer
        if revised is not None and "Revised end" in col:
            ws.cell(r, col["Revised end"]).value = revised
    if "Risks" in wb.sheetnames:
        score_risks(wb["Risks"])
    wb.save(out)
    return out


def score_risks(ws) -> None:
    """Type the owner's likelihood and impact for each risk of theirs in RISK_SCORES."""
    col = {c.value: c.column for c in ws[1] if c.value}
    for r in range(2, ws.max_row + 1):
        scores = RISK_SCORES.get(str(ws.cell(r, col["ID"]).value or ""))
        if scores:
            ws.cell(r, col["Likelihood"]).value, ws.cell(r, col["Impact"]).value = scores


def rewrite_with_xlsxwriter(filled: Path, out: Path) -> Path:
    """The same workbook written again by another program: every sheet's values (dates
    as dates, formulas as formulas), hidden sheets hidden — no openpyxl or xltools
    styling, validation or protection carried over."""
    import xlsxwriter  # noqa: PLC0415 - only this one RDL's "spreadsheet program"

    source = load_workbook(filled)
    book = xlsxwriter.Workbook(str(out))
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    for ws in source.worksheets:
        sheet = book.add_worksheet(ws.title)
        for r, row in enumerate(ws.iter_rows(values_only=True)):
            for c, value in enumerate(row):
                if isinstance(value, datetime | date):
                    sheet.write_datetime(r, c, value if isinstance(value, datetime)
                                         else datetime(value.year, value.month, value.day), day)
                elif isinstance(value, str) and value.startswith("="):
                    sheet.write_formula(r, c, value, None, "")  # as Excel: result of a blank row
                elif isinstance(value, str):
                    sheet.write_string(r, c, value)
                elif value is not None:
                    sheet.write(r, c, value)
        if ws.sheet_state != "visible":
            sheet.hide()
    book.close()
    return out


def fill_programme_returns(issued: Path, inbox: Path) -> list[Path]:
    """Fill every issued return except the missing RDL's; 'send' them to ``inbox``."""
    if inbox.exists():
        shutil.rmtree(inbox)
    inbox.mkdir(parents=True)
    sent = []
    for path in sorted(issued.glob("*.xlsx")):
        if path.name.endswith(".bak.xlsx"):
            continue
        officer = officer_of(path)
        if officer == MISSING:
            continue
        if officer == OTHER_WRITER:
            filled = fill(path, officer, inbox / f"~draft {path.name}")
            sent.append(rewrite_with_xlsxwriter(filled, inbox / path.name))
            filled.unlink()
        else:
            sent.append(fill(path, officer, inbox / path.name))
    return sent


def main(argv: list[str]) -> int:
    """``python demo/fill_programme_returns.py ISSUED_DIR INBOX_DIR``."""
    if len(argv) != 2:
        print("usage: python demo/fill_programme_returns.py ISSUED_DIR INBOX_DIR",
              file=sys.stderr)
        return 2
    sent = fill_programme_returns(Path(argv[0]), Path(argv[1]))
    print(f"{len(sent)} returns filled in and saved to {argv[1]} (the {MISSING} sent "
          f"nothing; the {OTHER_WRITER}'s return was written by xlsxwriter)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
