"""docs/findings.md, generated from the finding CATALOGUE so it cannot drift.

Each code gets the commands that raise it, what it means and what to do. A code
added to ``xltools.findings.CATALOGUE`` without an entry here makes
``render()`` fail, so ``tests/test_docs.py`` catches an undocumented code.
Regenerate the page with ``XLTOOLS_REGEN_DOCS=1 .venv/bin/python -m pytest
tests/test_docs.py``.
"""

from __future__ import annotations

from .findings import CATALOGUE

# group heading -> codes, in the order a user meets them
GROUPS: dict[str, tuple[str, ...]] = {
    "Action flags": ("NO_UPDATE", "OUT_OF_DATE", "UNCHANGED", "OVERDUE", "NO_NARRATIVE",
                     "NO_DUE_DATE", "MISSING_RETURN", "INVALID", "CONFLICT"),
    "Files and structure": ("UNREADABLE", "TOO_LARGE", "MISSING_COLUMN", "EXTRA_COLUMN",
                            "DUPLICATE_ID", "INCOMPLETE_ACTION", "UNKNOWN_ID", "WRONG_PERIOD",
                            "WRONG_PLAN", "ADOPTED", "NOT_A_RETURN", "BLANK_RETURN",
                            "NOT_OWNER", "DELEGATED", "NO_OFFICER", "FORMULA",
                            "MERGED_CELLS", "LOCKED_CHANGED", "WRONG_COLUMN", "DATE_TEXT",
                            "CONTROL_CHARS", "REVIEW_CONTENT"),
    "Importing a legacy tracker": ("SKIPPED_ROW", "MERGED_ROW", "UNPLACED_ROW", "REF_FIXED",
                                   "COLUMNS_SHIFTED", "OFFICERS_SPLIT", "OFFICERS_UNCLEAR",
                                   "LIST_EXTENDED", "STATUS_MAPPED", "UNMAPPED_STATUS",
                                   "QUOTES_IGNORED", "COLUMN_READ", "REVIEW", "NOT_AN_ACTION",
                                   "FORCED"),
    "Savings": ("NO_APPROVAL", "CHANGE_MISMATCH", "TOTAL_MISMATCH", "NOT_IN_BASELINE",
                "PUBLISHED_MISMATCH", "FOLDED_YEAR",
                "NOT_RETURNED", "DUPLICATE_ROW", "YEAR_OUT_OF_RANGE", "NOT_NUMERIC",
                "TYPE_MISMATCH", "BASELINE_MISMATCH"),
    "Next quarter": ("NEW_ACTION", "ARCHIVED", "NOT_CARRIED", "CARRIED"),
    "Revising the plan": ("MATCHED", "WITHDRAWN"),
}

# code -> (commands that raise it, what it means, what to do)
EXPLAINED: dict[str, tuple[str, str, str]] = {
    "NO_UPDATE": (
        "check, consolidate, flags, next-quarter",
        "Progress update is empty or only a placeholder (`-`, `n/a`, `tbc`). Consolidation "
        "lists each row a return sent back with no update, at the return's cell (a return "
        "with no update on any row is reported as not filled in instead). In next "
        "quarter's report: no update this quarter, or a KPI with no Latest value.",
        "Officer: write what happened this quarter. PMO: chase the officer with the "
        "sentence in the Flags column."),
    "OUT_OF_DATE": (
        "flags",
        "Last updated is before the period started, more than the plan's `stale_days` "
        "(default 90) before the as-of date, or missing although there is an update.",
        "Ask the officer to confirm the update is current and enter the date they wrote it."),
    "UNCHANGED": (
        "flags",
        "Progress update is the same as last quarter's (spacing and case ignored) and the "
        "action is not Complete.",
        "Ask what has happened since last quarter, or why nothing has."),
    "OVERDUE": (
        "flags",
        "The due date read from the Timeframe has passed and the action is not Complete.",
        "Ask for a revised date, or confirmation that the action is complete."),
    "NO_NARRATIVE": (
        "flags",
        "Red or Amber with no progress update to explain it.",
        "Ask the officer why, and what will bring it back on track."),
    "NO_DUE_DATE": (
        "flags",
        "No due date can be read from the Timeframe (the message says why), so the action "
        "can never be flagged overdue.",
        "If the action has a deadline, put a month, quarter or date in Timeframe. Ignore it "
        "for recurring work."),
    "MISSING_RETURN": (
        "consolidate",
        "An officer with actions sent no return for this period (a wrong-period file does "
        "not count). Their actions keep last values.",
        "Chase the officer. Consolidate again when the return arrives: late returns are "
        "merged."),
    "INVALID": (
        "check, consolidate, import, kpis, savings",
        "A value that breaks a rule: a RAG not on the list, an unknown officer, a date typed "
        "as text or later than the as-of date, a missing or malformed ID, text in a number "
        "cell; in savings, a row with no Project ref or a Year that is not a financial "
        "year. The row is kept and flagged, never dropped.",
        "Correct the cell named (the officer in their return, or the PMO in the master), then "
        "check or consolidate again."),
    "CONFLICT": (
        "consolidate",
        "Two returns changed the same action (or savings line) differently. Neither is "
        "used: the master keeps its value and the Flags cell lists both.",
        "Agree the right update with both officers, then fix the master or correct one "
        "return and consolidate again."),
    "UNREADABLE": (
        "check, consolidate, savings",
        "A file could not be opened. The reason is one of NOT_XLSX, CORRUPT, PASSWORD, XLS, "
        "LOCK_FILE (`~$…`: the workbook is open somewhere), TOO_LARGE, BAD_XML (its XML "
        "declares a DTD or uses an undefined entity, which no spreadsheet program writes; "
        "when only the Savings sheet has it, that sheet is not read) or CRASHED (reading it "
        "needed far more memory than a workbook its size should: the reader, capped, "
        "stopped). The other files are still processed.",
        "Ask for the file again as .xlsx with no password (opened in Excel and saved "
        "again, for BAD_XML or CRASHED); close the workbook if it is a lock file."),
    "REVIEW_CONTENT": (
        "check, consolidate, savings, the add-in's Upload returns",
        "The workbook holds macros (VBA), ActiveX controls, links to other workbooks or "
        "embedded objects. xltools reads cell values only and never runs or follows them; "
        "the values are used as usual. But a return has no need of them, and whoever opens "
        "it in Excel may be asked to enable content.",
        "Ask the officer to save the return as a plain Excel Workbook (.xlsx), removing "
        "the links (Data › Edit Links › Break Link), and send it again; do not enable "
        "content in a return you did not expect to hold it."),
    "TOO_LARGE": (
        "check, consolidate",
        "A sheet holds a cell far beyond what the plan can use (say `XFD1048576`, often a "
        "stray keystroke or a pasted block): reading it would need gigabytes. The finding "
        "names the cell. The sheet is not read; when it is Actions (or Settings) the whole "
        "file is not read. The other files are still processed.",
        "Delete the rows or columns beyond the table (or clear the cell named), save, and "
        "send the file again."),
    "WRONG_PLAN": (
        "consolidate",
        "The return's Settings name another plan: another plan ID, or (for a return made "
        "before plan IDs) another organisation, department or title. It is refused whole, "
        "never merged row by row, and its officer still counts as missing. The message "
        "names the master that issued it (file and date, from the return's Settings). "
        "Usually the master was rebuilt: importing the tracker again, or a new template, "
        "makes a new plan, and returns issued before it are not its returns.",
        "Consolidate the returns into the master that issued them. If you rebuilt this "
        "master on purpose, consolidate again with `--adopt-returns` (see ADOPTED). If the "
        "officer used another council's or department's copy, send them theirs again."),
    "BLANK_RETURN": (
        "consolidate",
        "A return holds no update at all: no progress update, RAG status, Last updated or "
        "Updated by on any action, no savings change. It is the return as issued, not an "
        "answer, so its officer is not counted as returned (still MISSING_RETURN, also in a "
        "later consolidation into this output). When every return in the folder is blank "
        "the report says so, naming the folder: these look like the blank returns you "
        "issued.",
        "Consolidate the folder where you saved the returns the officers sent back, not the "
        "one `xltools issue` wrote. If an officer sent it back empty, ask them to fill it in "
        "(with nothing to report, they say so in Progress update)."),
    "ADOPTED": (
        "consolidate --adopt-returns",
        "A return issued from an earlier master of the same plan (another plan ID, e.g. "
        "before a re-import) was accepted because you asked (`--adopt-returns`) and its "
        "organisation, department, title, period and every action ID match this master. "
        "It is merged like this plan's own returns; the finding and the Log say which "
        "master issued it and when.",
        "Nothing, if you rebuilt the master on purpose. A return whose IDs do not all "
        "match stays WRONG_PLAN and says which IDs are not in this master."),
    "NOT_A_RETURN": (
        "consolidate, check --master",
        "A file in the returns folder is a master or the blank template (its Settings say "
        "so), not an officer's return: a copy of the master saved there by mistake, or an "
        "earlier consolidated master. It is refused whole, never merged row by row.",
        "Move it out of the returns folder; if an officer sent it, ask for their return."),
    "NOT_OWNER": (
        "consolidate",
        "A row for an action whose lead officer (or accountable officer, for returns issued "
        "`--by accountable`) is not the return's officer, or a savings line led by someone "
        "else, or (a programme plan) a risk owned by someone else with its score changed, "
        "e.g. a row copied from a colleague's return. Who the return is from comes from "
        "its Settings, never from 'Updated by'. The row is not merged; the action's Flags say so.",
        "Ask the action's owner for their return; if a deputy really answers for them, "
        "consolidate again with `--delegate \"DEPUTY=OFFICER\"` (or list them in the "
        "plan's `delegates`)."),
    "DELEGATED": (
        "consolidate",
        "A deputy's return updated a colleague's action, as `--delegate` or the plan's "
        "`delegates` setting allows. Merged; the finding names both officers and where the "
        "permission came from.",
        "Nothing; it is a record of who answered."),
    "CONTROL_CHARS": (
        "check, consolidate",
        "A cell holds invisible control characters (a bell, a NUL — usually pasted from "
        "another system). A workbook cannot store them, so they are dropped where xltools "
        "writes the text; the finding names the cell and the characters (U+0007…).",
        "Nothing is lost but the invisible characters; retype the cell if its text looks "
        "wrong."),
    "MISSING_COLUMN": (
        "check, consolidate, next-quarter",
        "A sheet has lost a column (or its header row). Columns are found by header, so the "
        "rest still reads, but that column's values are not.",
        "Put the header back exactly as in the template, or issue the return again. "
        "Next quarter refuses a master with a column missing from Actions."),
    "EXTRA_COLUMN": (
        "check, consolidate, import",
        "A column whose header xltools does not know; its values are not read.",
        "Nothing, if the column was added on purpose. If a header was renamed, restore it; "
        "on import, map it with `--mapping`."),
    "DUPLICATE_ID": (
        "check, consolidate, next-quarter",
        "Two rows share an ID. IDs are the key every update is matched on.",
        "Give the copied row its own ID, or, in a master, clear the new row's ID so next "
        "quarter gives it one. Next quarter refuses a master with duplicate IDs."),
    "UNKNOWN_ID": (
        "consolidate",
        "A return row whose ID (or savings project and year) is not in the master, for "
        "example an action an officer added. It is not merged.",
        "Add the action to the master first (a spare row with no ID), then consolidate "
        "again."),
    "WRONG_PERIOD": (
        "consolidate",
        "The return is for another quarter (often last quarter's file sent by mistake). "
        "It is not merged and the officer counts as missing.",
        "Ask the officer for this quarter's return."),
    "NO_OFFICER": (
        "issue",
        "An action has nobody in the column returns are issued by (lead or accountable "
        "officer), so it is in no return; on a programme plan, also a risk with no Owner "
        "on the Risks sheet, whose score nobody is asked for.",
        "Fill in the officer (or the risk's Owner) in the master and issue again."),
    "FORMULA": (
        "check, consolidate",
        "A formula on the Actions sheet where a value belongs. Its last calculated value "
        "is used.",
        "Replace the formula with its value (copy, then Paste Values)."),
    "MERGED_CELLS": (
        "check, consolidate",
        "Merged cells on a data sheet: only the first cell's value is read.",
        "Unmerge the cells and fill in each one."),
    "LOCKED_CHANGED": (
        "check, consolidate",
        "A return changed a cell the officer may not change (the action's wording, Ref, "
        "Section, officers, Previous progress…). Only Progress update, RAG status, Last "
        "updated and Updated by are merged: the master keeps its value. `xltools check` "
        "finds it from the return alone (its Settings keep a fingerprint of each locked "
        "cell as issued); an update typed into Previous progress is said to be one.",
        "Officer: put back what was issued (copy it from the file you were sent). PMO: if "
        "the change is right (a new lead officer, a reworded action), make it in the "
        "master yourself; otherwise nothing to do."),
    "DATE_TEXT": (
        "check",
        "A date cell holds text that can only mean one day in the UK (`14/10/2019`, "
        "`2019-10-14`, `14 October 2019`) — a US-set Excel or a cell formatted as text "
        "stores it so. It is read as that day, in check and in consolidation alike.",
        "Nothing: the note says which day it was read as. Type dates into a date cell to "
        "avoid it."),
    "WRONG_COLUMN": (
        "check",
        "A return's Updated by holds a sentence (what looks like the progress update) and "
        "Progress update is empty: it would be merged as the updater's name. (An update "
        "typed into the locked Previous progress is LOCKED_CHANGED, and says so.)",
        "Officer: move the text to Progress update and put your name in Updated by."),
    "SKIPPED_ROW": (
        "import",
        "A row that is not an action: blank, introduction text, a page number or the header "
        "repeated after a page break.",
        "Nothing, unless an action was skipped; then check that row of the tracker."),
    "MERGED_ROW": (
        "import",
        "A row with no ref (text that ran over a page break) was joined to the action "
        "above, cell by cell.",
        "Check that the action reads correctly in the master."),
    "UNPLACED_ROW": (
        "import",
        "Text outside the table's columns. It is not imported.",
        "Check it by hand and copy anything that matters into the master."),
    "REF_FIXED": (
        "import",
        "A ref was repaired from the refs around it (lost its section prefix, stuck to the "
        "action text, or 2.10 read as the number 2.1).",
        "Check the ref in the master."),
    "COLUMNS_SHIFTED": (
        "import",
        "A row one cell short was realigned, or a repeated header had its columns in "
        "different places.",
        "Check that row in the master."),
    "OFFICERS_SPLIT": (
        "import",
        "Officer names run together with no separator were split at known names.",
        "Check the names in the master."),
    "OFFICERS_UNCLEAR": (
        "import",
        "Officer names could not be split safely and were kept as one entry.",
        "Fix the cell in the tracker and import again, or edit the master."),
    "LIST_EXTENDED": (
        "import",
        "A joint entry the tracker uses (\"A / B\") was added to the officer list, so the "
        "dropdown accepts it. Every name in it is on the list.",
        "Nothing; add it to the plan file to keep it next time."),
    "STATUS_MAPPED": (
        "import",
        "A free-text status was mapped to a RAG status other than by its exact name "
        "(listed once per wording).",
        "Check the mapping is what you mean; change it in the plan's `status_mapping`."),
    "QUOTES_IGNORED": (
        "import",
        "Tab-separated text (pasted from Word) could not be read with its quotation marks "
        "(a quote never closed, or a quoted cell swallowing tabs or many lines), so it was "
        "read line by line with quotation marks kept as text.",
        "Check the rows from the line named; if the file really is quoted, save it again "
        "from Excel."),
    "NOT_AN_ACTION": (
        "import",
        "An imported row has no ref where the tracker numbers its actions, looks like a "
        "heading or a risk, or has an officer cell that is a sentence. More than a few "
        "(over 3 and over 10% of the rows) stop the import: the source is not an action "
        "tracker, and no master is written.",
        "Import the tracker table itself or correct the mapping; `--force` imports anyway "
        "with these rows flagged."),
    "COLUMN_READ": (
        "import, revise",
        "How a column of the tracker was read when it was not a plain match: two headers "
        "that could name one field (the closer name wins, the other goes to its own next "
        "field), a header that only loosely names a field (\"Recommendation\" as the "
        "section), or a column with no header identified from its values (statuses → RAG "
        "status, dates → Timeframe). Said in words, with the column.",
        "Check the reading; if it is wrong, name the column in `--mapping` (by header, or by "
        "position: `\"#9\"` or its letter `\"I\"`)."),
    "FORCED": (
        "import, check",
        "The import was run with `--force` over a source where too many rows did not look "
        "like tracker actions; each such row carries FORCED in its Flags column (with the "
        "reason), and `check` counts it as a problem to fix.",
        "Look at each FORCED row in the master: correct it into a real action or delete it "
        "before issuing returns."),
    "REVIEW": (
        "import",
        "A PDF keeps words and their positions, not cells' line breaks or rows that "
        "continue over a page: a line break read as wrapped text (or the other way) by a "
        "close call, or a cell joined across a page break. The finding gives the page, "
        "table row and column. In a programme plan (issue 27): the Start and End dates "
        "printed against a row of key activities do not line up with its activities (none "
        "is matched; the finding names the programme, the activities and the dates "
        "printed), or a programme's SAO, RDL or Lead Member is not printed.",
        "Compare the cell with the PDF (or the programme's table with the plan) and "
        "correct the master (its Timeframes, the officer list) before issuing returns."),
    "UNMAPPED_STATUS": (
        "import",
        "A status no mapping matches. RAG status is left blank and the text is added to the "
        "end of the Progress update; nothing is guessed.",
        "Add the wording to the plan's `status_mapping` (or a `--status-mapping` file) and "
        "import again."),
    "NO_APPROVAL": (
        "savings",
        "A changed project has no Approved by on any changed row, or an approver but no "
        "Approved on date.",
        "Record the approval before the change goes to committee."),
    "CHANGE_MISMATCH": (
        "savings",
        "A Change figure someone typed (or a non-standard formula) is not Revised − "
        "Expected on its row.",
        "Nothing for the totals (Revised − Expected is used); correct the return."),
    "TOTAL_MISMATCH": (
        "savings",
        "A Total row typed into a return is not the sum of that project's years.",
        "Nothing for the totals (the years are used); correct the return."),
    "NOT_IN_BASELINE": (
        "savings",
        "A return has a project ref the baseline does not have. It is counted as New.",
        "If it is a new saving, nothing; if the ref is mistyped, correct it."),
    "NOT_RETURNED": (
        "savings",
        "A baseline project is in none of the returns. It is counted as no change.",
        "Chase the lead officer."),
    "DUPLICATE_ROW": (
        "savings",
        "The same project and year appear twice. The first is counted; the later row is "
        "kept in the merged Savings sheet but not counted.",
        "Delete the wrong row."),
    "YEAR_OUT_OF_RANGE": (
        "check, savings",
        "A year outside the plan's savings years (often a prior-year line). A warning in "
        "both commands: it is shown as its own column, never folded into another year.",
        "Decide whether the committee summary should cover it (`--years`)."),
    "PUBLISHED_MISMATCH": (
        "savings --against",
        "A figure in the committee's published summary table differs from the "
        "reconciliation (or a year's figures appear nowhere in it). The flag names the "
        "table's cell.",
        "Find which is right: correct the paper, or the returns and run again."),
    "FOLDED_YEAR": (
        "savings --against",
        "The published table has no column for a year and added its figures into the next "
        "year's column; the flag names the projects whose change is in that year.",
        "Nothing, if the committee meant to fold it; otherwise give the year its own "
        "column."),
    "NOT_NUMERIC": (
        "savings",
        "Money that is not a number (`tbc`, `£1,200`, text). Never guessed: counted as no "
        "change (Revised) or 0 (Expected).",
        "Type the £000 figure as a plain number."),
    "TYPE_MISMATCH": (
        "savings",
        "The Change type does not fit the figures, is missing on a changed row, or is given "
        "on a project that does not change.",
        "Correct the Change type, or the figures."),
    "BASELINE_MISMATCH": (
        "savings",
        "Expected in a return differs from the baseline. The baseline figure is used.",
        "Find out who changed the locked cell."),
    "INCOMPLETE_ACTION": (
        "check, import",
        "A master action has no Ref, or no Section, while most of the plan's actions have "
        "one: the plan's own structure has gaps, often because what was imported was not "
        "an action tracker.",
        "Fill in the ref and pick the section; if many actions lack them, re-import from "
        "the tracker table."),
    "NEW_ACTION": (
        "check, import, revise, next-quarter",
        "A row with no ID was given the next free ID (next-quarter, revise); in `check` of "
        "a master, a new action whose ID is left empty, as the guide says, and which "
        "next-quarter will number; in `import`, a row the source labels \"NEW ACTION\".",
        "Nothing; check the new action is meant."),
    "MATCHED": (
        "revise",
        "An action of the revised plan was matched to a master action, by the ID the "
        "revised file gives or by its text; the score (0–1) says how alike the texts "
        "are. Below 0.85 it is a warning.",
        "Check the lower scores: if two actions were wrongly paired, give the revised file "
        "an ID column with the right IDs and run revise again."),
    "WITHDRAWN": (
        "revise",
        "A master action is not in the revised plan. It is not deleted: it moves to the "
        "Archive with RAG status Withdrawn and the date and reason in Flags.",
        "Check it really was dropped (not reworded beyond recognition); if it was "
        "reworded, give the revised file an ID column and run revise again."),
    "CARRIED": (
        "next-quarter (`--carry-problems`), check",
        "An action's CONFLICT or INVALID was not resolved last quarter and was carried "
        "forward on request: both officers' texts (or the invalid value) are at the end of "
        "Previous progress, Previous RAG is left empty, and the Flags cell says CARRIED. "
        "Without `--carry-problems`, next-quarter stops and lists such problems instead.",
        "Agree the right update, put it in the master, and delete the CARRIED line from "
        "Flags."),
    "ARCHIVED": (
        "next-quarter",
        "A Complete action was moved to the Archive sheet (kept, not deleted).",
        "Nothing; use `--keep-complete` to keep Complete actions on Actions."),
    "NOT_CARRIED": (
        "next-quarter",
        "A savings change without a full approval (or with a Revised that is not a number) "
        "was left as it was, and flagged in the row's Comment.",
        "Finance approves it (Approved by and Approved on) or withdraws it."),
}

HEADER = """\
# What the finding codes mean

<!-- Generated by xltools/findings_doc.py from xltools/findings.py. Do not edit by hand:
regenerate with XLTOOLS_REGEN_DOCS=1 .venv/bin/python -m pytest tests/test_docs.py -->

Every problem or notice xltools reports has a stable **code**. The same code
appears on screen, in `--json` output, in the Flags column of the Actions sheet
(one `CODE: sentence` line per flag), on the Check sheet of the add-in and in
the Log. Each finding also names the file, sheet and cell, and the action ID
where there is one.

* **error** — a value or file that is wrong: it needs correcting.
* **warning** — something to look at or chase.
* **info** — for the record; usually nothing to do.

A command still exits 0 when it reports findings: they are results, not
failures.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render() -> str:
    """The whole of docs/findings.md."""
    grouped = [c for codes in GROUPS.values() for c in codes]
    missing = sorted(set(CATALOGUE) - set(grouped) | set(CATALOGUE) - set(EXPLAINED))
    if missing or len(grouped) != len(set(grouped)) or set(grouped) - set(CATALOGUE):
        raise ValueError(f"findings_doc out of step with CATALOGUE: document {missing}")
    parts = [HEADER]
    for heading, codes in GROUPS.items():
        parts.append(f"\n## {heading}\n\n"
                     "| Code | Severity | Title | Raised by | What it means | What to do |\n"
                     "|---|---|---|---|---|---|\n")
        for code in codes:
            c = CATALOGUE[code]
            raised_by, meaning, todo = EXPLAINED[code]
            parts.append(f"| `{code}` | {c.severity} | {_cell(c.title)} | {raised_by} | "
                         f"{_cell(meaning)} | {_cell(todo)} |\n")
    return "".join(parts)
