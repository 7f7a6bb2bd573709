"""Parse a workbook into comparable parts (values, validations, names, formats).

Golden-file comparisons use this: parsed content, never zip bytes, so a new
openpyxl version or a different timestamp can't break a test.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

MINTED = {"plan_id"}  # Settings minted afresh for each template: random, not compared


def parts(path: Path) -> dict:
    wb = load_workbook(path)
    out: dict = {"sheets": wb.sheetnames, "names": {}, "active": wb.active.title}
    for name, defined in wb.defined_names.items():
        out["names"][name] = defined.attr_text
    for ws in wb.worksheets:
        out[ws.title] = {
            "state": ws.sheet_state,
            "values": [[c.value for c in row] for row in ws.iter_rows()
                       if row[0].value not in MINTED],
            "validations": sorted(
                (str(dv.sqref), dv.type, dv.formula1, dv.formula2, dv.errorStyle)
                for dv in ws.data_validations.dataValidation
            ),
            "tables": {t.displayName: t.ref for t in ws.tables.values()},
            "formatting": sorted(str(cf.sqref) for cf in ws.conditional_formatting),
            "print_titles": ws.print_title_rows,
            "protected": ws.protection.sheet,
            "freeze": ws.freeze_panes,
            "print_area": ws.print_area,
            "hidden_columns": sorted(k for k, d in ws.column_dimensions.items() if d.hidden),
            "footer": [ws.oddFooter.left.text, ws.oddFooter.center.text, ws.oddFooter.right.text],
            "header": ws.oddHeader.center.text,
        }
    return out
