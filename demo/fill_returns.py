"""Play the officers for the demo: fill the issued returns as their Excel would.

Each return is opened with openpyxl (not xltools), typed into and saved — the
same thing Excel does — then "emailed back" by copying it to the PMO's inbox
folder. Most officers do it properly; the realistic exceptions are built in:

- John Nilan never sends his return (MISSING_RETURN);
- Rob Disney pastes "On track" over the RAG dropdown (INVALID);
- Nigel Harlow types "7th Oct" in Last updated instead of a date (INVALID);
- Helen Richardson and Lucy Peel both update their joint action 3.6, differently
  (CONFLICT: the PMO decides);
- Jon Hawketts leaves 2.5 blank (last quarter's position is carried forward,
  unconfirmed: the committee outputs mark it);
- on other joint actions the officers agree: each types the same update (merged
  once, "Updated by" listing both). Nobody sends back the blank return as issued:
  that would not count as a return (BLANK_RETURN).
"""

from __future__ import annotations

import shutil
import sys
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

MISSING = "John Nilan"
INVALID_RAG = ("Rob Disney", "On track")
TEXT_DATE = ("Nigel Harlow", "7th Oct")
LEFT_BLANK = ("Jon Hawketts", "2.5")

UPDATES = {
    "1.1": ("Agency Challenge Panel met on 24 September 2019: three agency social worker "
            "posts released, caseloads still within limits.", "Green"),
    "1.2": ("Q2 review of non-essential spend complete; approval limits tightened for "
            "hospitality and training.", "Green"),
    "1.3": ("Audit fieldwork complete. Draft report due to CLT in November.", "Green"),
    "1.4": ("Benchmarking against four statistical neighbours started; data requests "
            "delayed by two authorities.", "Amber"),
    "1.5": ("Final report agreed by the Service Director; actions added to the "
            "Departmental continuous improvement plan.", "Complete"),
    "1.6": ("Top 20 placements reviewed monthly since July; two step-downs agreed.", "Green"),
    "2.1": ("Foster carer campaign launched 2 September; enquiries up 14% on Q1. Revised "
            "offer paper going to Chief Executives in October.", "Green"),
    "2.2": ("Operating model options drafted; staffing recruitment cannot start until "
            "Members agree the model, putting the May 2020 date at risk.", "Amber"),
    "2.3": ("Third block-contract home operational from 1 September.", "Green"),
    "2.4": ("D2N2 framework tender evaluation complete; award planned for November.",
            "Green"),
    "2.5": ("Second semi-independent unit identified; lease negotiations under way.",
            "Green"),
    "2.6": ("Social Impact Bond referrals below target (6 of 10); provider recovery plan "
            "requested.", "Amber"),
    "2.7": ("Programme Board met 12 September; Digital Development Plan signed off.",
            "Green"),
    "2.8": ("Two BI analyst posts recruited; Ofsted workforce report automated.", "Green"),
    "2.9": ("Project manager for SEND transformation appointed; kinship care post "
            "still vacant after two adverts.", "Red"),
    "2.10": ("Full cost model agreed for 3 of 5 sold services; remaining two by March.",
             "Green"),
    "3.1": ("Parking review with Place department complete; proposals to CLT in "
            "November.", "Green"),
    "3.2": ("Smartphones live for all social workers since 1 October.", "Complete"),
    "3.3": ("Guardian 24 devices issued to 85% of relevant staff.", "Green"),
    "3.4": ("Reflective group supervision rolled out to all districts.", "Green"),
    "3.5": ("Schwartz Rounds now monthly; counselling service contract extended.", "Green"),
    "3.6": ("Refreshed CPD offer launched; 40 social workers enrolled.", "Green"),
}
CONFLICTING = ("Helen Richardson", "3.6", "CPD offer delayed to January: trainer not yet "
               "contracted.", "Amber")


def officer_of(path: Path) -> str:
    """The officer a return is for, as written on its Guidance sheet."""
    wb = load_workbook(path, read_only=True)
    try:
        for row in wb["Guidance"].iter_rows(values_only=True):
            if len(row) > 1 and row[0] == "This return is for":
                return str(row[1])
    finally:
        wb.close()
    raise ValueError(f"{path.name}: no officer on the Guidance sheet")


def fill(path: Path, officer: str, out: Path) -> Path:
    """Type this officer's updates into their return and save it to ``out``."""
    wb = load_workbook(path)
    ws = wb["Actions"]
    col = {c.value: c.column for c in ws[1] if c.value}
    for r in range(2, ws.max_row + 1):
        ref = str(ws.cell(r, col["Ref"]).value or "")
        leads = [n.strip() for n in str(ws.cell(r, col["Lead officer"]).value or "").split("/")]
        text, rag = UPDATES.get(ref, (None, None))
        if officer == CONFLICTING[0] and ref == CONFLICTING[1]:
            text, rag = CONFLICTING[2], CONFLICTING[3]
        elif not text or officer not in leads or (officer, ref) == LEFT_BLANK:
            continue
        ws.cell(r, col["Progress update"]).value = text
        ws.cell(r, col["RAG status"]).value = INVALID_RAG[1] if officer == INVALID_RAG[0] \
            else rag
        ws.cell(r, col["Last updated"]).value = TEXT_DATE[1] if officer == TEXT_DATE[0] \
            else date(2019, 10, 1 + len(officer) % 10)
        ws.cell(r, col["Updated by"]).value = officer
    wb.save(out)
    return out


def fill_sample_returns(issued: Path, inbox: Path) -> list[Path]:
    """Fill every issued return except the missing officer's; 'send' them to ``inbox``."""
    if inbox.exists():
        shutil.rmtree(inbox)
    inbox.mkdir(parents=True)
    sent = []
    for path in sorted(issued.glob("*.xlsx")):
        if path.name.endswith(".bak.xlsx"):  # a backup left by issuing twice
            continue
        officer = officer_of(path)
        if officer != MISSING:
            sent.append(fill(path, officer, inbox / path.name))
    return sent


def main(argv: list[str]) -> int:
    """``python demo/fill_returns.py ISSUED_DIR INBOX_DIR``: the README tour's officers."""
    if len(argv) != 2:
        print("usage: python demo/fill_returns.py ISSUED_DIR INBOX_DIR", file=sys.stderr)
        return 2
    sent = fill_sample_returns(Path(argv[0]), Path(argv[1]))
    print(f"{len(sent)} returns filled in and saved to {argv[1]} (John Nilan sent nothing, "
          "Rob Disney pasted a RAG, Nigel Harlow typed a text date, Lucy Peel and Helen "
          "Richardson disagree on 3.6, Jon Hawketts left 2.5 blank)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
