"""Play the PMO of seed 003 (Nottingham's 2024 Improvement Plan) between import and
issue: the plan's risk register prints no owners, so the PMO opens the master in
Excel and picks an Owner for three of its five risks on the Risks sheet (openpyxl
saves it, as Excel would). Each owner's return then carries their risks to score.

    python demo/pick_risk_owners.py MASTER.xlsx
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import load_workbook

# risk ID -> the officer the PMO picks (each is an RDL, so already on the officer list)
RISK_OWNERS = {"R1": "Assistant Chief Executive",
               "R2": "Director of Finance (Deputy s151 Officer)",
               "R3": "Director of Customer Services"}


def pick_risk_owners(master: Path) -> list[str]:
    """Type each risk's Owner on ``master``'s Risks sheet; the IDs given an owner."""
    wb = load_workbook(master)
    ws = wb["Risks"]
    col = {c.value: c.column for c in ws[1] if c.value}
    picked = []
    for r in range(2, ws.max_row + 1):
        risk = ws.cell(r, col["ID"]).value
        if risk in RISK_OWNERS:
            ws.cell(r, col["Owner"]).value = RISK_OWNERS[risk]
            picked.append(risk)
    wb.save(master)
    return picked


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python demo/pick_risk_owners.py MASTER.xlsx", file=sys.stderr)
        return 2
    picked = pick_risk_owners(Path(argv[0]))
    print(f"{len(picked)} risks given an owner on the Risks sheet of {argv[0]}: "
          + ", ".join(f"{r} {RISK_OWNERS[r]}" for r in picked))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
