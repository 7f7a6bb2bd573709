"""Programme plans (issue 27) built here in Word, PDF (the Word document converted by
LibreOffice) and text, imported, and compared field by field with what was written:
aims, programmes with SAO / RDL / Lead Member, key activities with their sub-items and
Start / End, KPIs with their aim, the risk register, REVIEW where a printed row's date
runs do not line up, and refusal of a document that is neither plan nor tracker. Then
seed 003 itself as Word and PDF, against its text import."""

from __future__ import annotations

import re

import docx
import pdfplumber
import programme_docs as docs
import pytest
from conftest import SEEDS, convert, soffice_path
from programme_docs import Activity, PlanSpec, Printed, Programme, Risk, Sub

from xltools.cli import main
from xltools.errors import UsageError
from xltools.legacy.importer import import_legacy
from xltools.workbook.reader import read_book

PERIOD = "Q2 2024/25"
MONTHS = ["May 2024", "June 2024", "July 2024", "Aug 2024", "Sept 2024", "Oct 2024",
          "Nov 2024", "Dec 2024", "Jan 2025"]
FORMS = ("text", "word", "pdf", "word, merged", "pdf, merged")
# service areas, for a KPI list long enough to run over a page
AREAS = ["adult social care", "children's services", "housing", "waste collection", "libraries",
         "parks", "highways", "planning", "licensing", "leisure", "schools transport",
         "environmental health", "registrars", "revenues", "benefits", "parking",
         "trading standards", "cemeteries", "markets", "museums"]
LONG = " ".join(["working with partners, residents and staff to agree what the Council will "
                 "and will not do, with a report to the Executive and a consultation first."] * 3)

SPEC = PlanSpec(
    "Borsetshire County Council Recovery Plan",
    {1: "A Council that balances its books", 2: "A Council that is well run"},
    [Programme(1, "Balance the budget", "Deliver the savings and set a legal budget every year.",
               1, "Director of Finance", "Head of Budgets", "Cabinet Member for Money", rows=(
        Printed((Activity("1.1", "Agree the savings programme", "June 2024", "Sept 2024"),)),
        Printed((Activity("1.2", "Monitor delivery monthly:", subs=(
            Sub("a", "Set up the board", "July 2024", "Aug 2024"),
            Sub("b", "Report to Cabinet", "Aug 2024", "Ongoing"))),)),
        Printed((Activity("1.3", "Close the 2025/26 gap", "Started", "March 2025"),)))),
     Programme(2, "Sell surplus land", "Raise capital receipts from land we do not need.", 1,
               "Director of Place", "Estates Manager", "Leader of the Council", rows=(
        Printed((Activity("2.1", "List surplus sites", "May 2024", "June 2024"),
                 Activity("2.2", "Market the first ten sites", "June 2024", "Dec 2024"))),
        # two activities, one start and two ends printed: nothing may be guessed
        Printed((Activity("2.3", "Report receipts"), Activity("2.4", "Review the pipeline")),
                starts=("May 2024",), ends=("July 2024", "Dec 2024")))),
     Programme(3, "Fix governance", "A constitution that works and decisions taken on time.", 2,
               "Monitoring Officer", "Head of Democratic Services",
               "Executive Member for Governance", rows=(
        Printed((Activity("3.1", "Review the constitution and the scheme of delegation, " + LONG,
                          "July 2024", "Oct 2024 (and ongoing)"),)),
        Printed((Activity("3.2", "Member training: " + LONG, "Sept 2024", "Ongoing"),)),
        Printed((Activity("3.3", "Refresh the decision-making process, " + LONG, "Oct 2024",
                          "March 2025"),)),
        # continued on a new page ("Programme 3 continued"), sub-items on rows of their own
        Printed((Activity("3.4", "Induction and development for members:"),)),
        Printed((Sub("a", "Induction for new members", "Sept 2024", "Nov 2024"),)),
        Printed((Sub("b", "A development offer for every member", "Nov 2024", "Feb 2025"),)),
        Printed((Activity("3.5", "Publish a forward plan of key decisions", "Jan 2025",
                          "TBC"),))),
               continued_from=3),
     # a long table running over a page: whichever row comes first on the next page
     # (an activity or a sub-item with dates of its own) starts a row of its own
     Programme(4, "Modernise the workforce", "Fewer, better paid roles. " + LONG, 2,
               "Chief Executive", "Head of HR", "Executive Member for Staffing",
               rows=tuple(row for k in range(1, 21) for row in (
                   Printed((Activity(f"4.{k}", f"Review service area {k}", MONTHS[k % 6],
                                     MONTHS[k % 6 + 2]),)),
                   Printed((Sub("a", f"Consult staff in area {k}", MONTHS[k % 6 + 1],
                                MONTHS[k % 6 + 3]),)))))],
    [(1, "% of savings delivered"), (1, "Reserves as % of net revenue spend"),
     *((1, f"% of {area} spend within budget") for area in AREAS),
     (2, "% decisions taken on time"), (2, "Staff survey - staff satisfaction"),
     *((2, f"% of {area} complaints answered in 20 days") for area in AREAS)],
    [Risk(1, "Capacity", "Too few people to deliver at pace.", "Reprioritise existing staff."),
     Risk(2, "Data", "Budget data is late.", "Monthly close by day 5."),
     Risk(3, "Partners", "Partners do not engage with the changes.",
          "A partnership board meets monthly.")],
    intro=["This plan sets out how the Council will recover its finances and governance."])
MISMATCHED = ("2.3", "2.4")


def _need_soffice() -> str:
    from pg_cluster import missing

    path = soffice_path()
    if path is None:
        missing("LibreOffice (soffice)", "XLTOOLS_REQUIRE_SOFFICE",
                "apt-get install libreoffice-writer-nogui")
    return path


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    """The one plan written as text, as Word, and as that Word document's PDF — and
    as Word (and PDF) with each programme's name, purpose and people in cells merged
    down beside its activities and the header rows repeated on every page."""
    folder = tmp_path_factory.mktemp("programme_plan")
    word = docs.write_docx(SPEC, folder / "recovery plan.docx")
    merged = docs.write_docx(SPEC, folder / "merged plan.docx", merged=True,
                             repeat_header=True)
    return {"text": docs.write_text(SPEC, folder / "recovery plan.txt"), "word": word,
            "pdf": convert(_need_soffice(), word, "pdf", folder), "word, merged": merged,
            "pdf, merged": convert(_need_soffice(), merged, "pdf", folder)}


@pytest.fixture(scope="module")
def imported(sources):
    return {form: import_legacy(path, period=PERIOD) for form, path in sources.items()}


def start_end(row: dict) -> tuple[str, str]:
    """An activity's Start and End as printed: its Start cell, and Timeframe (which
    holds End on a programme plan, so the due-date rules read End)."""
    return row["start"] or "", row["timeframe"] or ""


def _rows(report) -> dict[str, dict]:
    return {a["ref"]: a for a in report.book.actions}


def _squash(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("form", FORMS)
def test_aims_and_programmes_with_their_people(imported, form):
    settings = imported[form].book.extra_settings
    assert settings["plan_shape"] == "programme"
    assert settings["aims"] == {str(n): title for n, title in SPEC.aims.items()}
    assert settings["programmes"] == [
        {"number": p.number, "section": f"{p.number}. {p.name}", "name": p.name, "aim": p.aim,
         "purpose": p.purpose, "sao": p.sao, "rdl": p.rdl, "lead_member": p.lead_member}
        for p in SPEC.programmes]
    assert imported[form].book.plan.sections == tuple(
        f"{p.number}. {p.name}" for p in SPEC.programmes)
    assert imported[form].book.plan.title == SPEC.title


@pytest.mark.parametrize("form", FORMS)
def test_activities_field_by_field(imported, form):
    rows = _rows(imported[form])
    written = [(p, a) for p in SPEC.programmes for a in p.activities]
    assert list(rows) == [a.ref for _, a in written]  # no heading filed as an activity
    for programme, activity in written:
        row = rows[activity.ref]
        first, *milestones = row["action"].split("\n")
        assert _squash(first) == _squash(activity.text), activity.ref
        assert (row["section"], row["accountable_officer"], row["lead_officer"]) == (
            f"{programme.number}. {programme.name}", programme.sao, programme.rdl)
        if activity.ref not in MISMATCHED:
            assert start_end(row) == (activity.start, activity.end), activity.ref
        subs = programme.sub_items()[activity.ref]
        assert len(milestones) == len(subs), activity.ref
        for line, sub in zip(milestones, subs, strict=True):
            head = f"{sub.letter}) {sub.text}"
            assert line.startswith(head), (activity.ref, line)
            dates = line[len(head):]  # " (From July 2024 to Aug 2024)", as either layout words it
            assert sub.start in dates and sub.end in dates, (activity.ref, line)


@pytest.mark.parametrize("form", FORMS)
def test_a_row_whose_runs_do_not_line_up_is_review_and_keeps_no_dates(imported, form):
    report = imported[form]
    rows = _rows(report)
    review = [f for f in report.findings if f.code == "REVIEW" and "line up" in f.message]
    assert len(review) == 1
    finding = review[0]
    assert finding.extra["programme"] == "2. Sell surplus land"
    assert finding.extra["refs"] == list(MISMATCHED)
    printed = SPEC.programmes[1].rows[1]
    assert finding.got == {"start": list(printed.starts), "end": list(printed.ends)}
    assert finding.action_id == rows["2.3"]["id"]
    for ref in MISMATCHED:
        assert start_end(rows[ref]) == ("", "") and rows[ref]["flags"].startswith("REVIEW")
    assert not any(rows[a.ref]["flags"] for p in SPEC.programmes for a in p.activities
                   if a.ref not in MISMATCHED)


@pytest.mark.parametrize("form", FORMS)
def test_kpis_with_their_aim_and_the_risk_register(imported, form):
    book = imported[form].book
    assert [k["measure"] for k in book.kpis] == [metric for _, metric in SPEC.kpis]
    assert all(k["target"] is None for k in book.kpis)
    assert book.extra_settings["kpi_aims"] == {metric: SPEC.aims[aim]
                                               for aim, metric in SPEC.kpis}
    assert [(r["id"], r["title"], r["description"], r["mitigation"]) for r in book.risks] == [
        (f"R{r.number}", r.title, r.description, r.mitigation) for r in SPEC.risks]


def test_pdf_rows_over_a_page_break_are_joined_only_when_they_start_nothing(
        sources, imported):
    """3.3's long text runs over a page: its rest is joined to it (and listed for
    review); Programme 4's table and the KPI table run over a page too, and the row
    first on the next page (an activity or a sub-item with dates of its own, a KPI) is
    a row of its own — joined, its dates would not line up (test above: one REVIEW
    only) or go to the wrong item, and two KPIs would be one (test above)."""
    with pdfplumber.open(str(sources["pdf"])) as pdf:
        pages = [page.extract_text() or "" for page in pdf.pages]
    for first, last in (("4.1 Review service area 1", "4.20 Review service area 20"),
                        (SPEC.kpis[0][1], SPEC.kpis[-1][1])):  # both run over a page
        assert not any(first in text and last in text for text in pages)
    report = imported["pdf"]
    joined = [f for f in report.findings if "continued from page" in f.message]
    assert joined and all(f.code == "REVIEW" for f in joined)
    assert {r: _squash(a["action"]) for r, a in _rows(report).items()} == {
        r: _squash(a["action"]) for r, a in _rows(imported["text"]).items()}


def test_cli_imports_the_pdf_plan_into_a_master_that_reads_back(sources, tmp_path, capsys):
    out = tmp_path / "recovery.xlsx"
    assert main(["import", str(sources["pdf"]), "-o", str(out), "--period", PERIOD]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "A programme plan: 4 programmes under 2 aims, 3 risks" in said
    assert "text read from the PDF by a guess" in said
    book = read_book(out)
    assert [r["title"] for r in book.risks] == [r.title for r in SPEC.risks]
    assert [(a["ref"], start_end(a)) for a in book.actions] == [
        (a.ref, ("", "") if a.ref in MISMATCHED else (a.start, a.end))
        for p in SPEC.programmes for a in p.activities]  # Start and End cells read back
    assert [p["rdl"] for p in book.extra_settings["programmes"]] == [
        p.rdl for p in SPEC.programmes]


# -- neither a programme plan nor a tracker ---------------------------------------------
AGENDA = [["Item", "Title", "Presenter", "Pages"],
          ["1", "Apologies for absence", "Chair", "-"],
          ["2", "Minutes of the last meeting", "Clerk", "3-8"],
          ["3", "Programme 1: budget update", "Director of Finance", "9-14"]]


@pytest.fixture(scope="module")
def agenda(tmp_path_factory):
    folder = tmp_path_factory.mktemp("agenda")
    document = docx.Document()
    document.add_paragraph("Audit Committee, 12 September 2024: agenda")
    docs.add_table(document, AGENDA)
    document.add_paragraph("Programme 2 and Programme 3 are reported next month.")
    document.save(str(folder / "agenda.docx"))
    text = folder / "agenda.txt"
    text.write_text("\n".join("\t".join(r) for r in AGENDA), encoding="utf-8")
    return {"text": text, "word": folder / "agenda.docx",
            "pdf": convert(_need_soffice(), folder / "agenda.docx", "pdf", folder)}


@pytest.mark.parametrize("form", ("text", "word", "pdf"))
def test_a_document_that_is_neither_plan_nor_tracker_is_refused(agenda, form, tmp_path):
    with pytest.raises(UsageError, match=rf"{agenda[form].name}: no header row found"):
        import_legacy(agenda[form], period=PERIOD)
    assert main(["import", str(agenda[form]), "-o", str(tmp_path / "m.xlsx"),
                 "--period", PERIOD]) != 0
    assert not (tmp_path / "m.xlsx").exists()


def test_a_programme_plan_pdf_without_table_lines_is_refused_saying_so(tmp_path):
    """Its tables are read from their ruling lines; without them nothing is guessed."""
    word = docs.write_docx(SPEC, tmp_path / "bare plan.docx", ruled=False)
    pdf = convert(_need_soffice(), word, "pdf", tmp_path)
    with pytest.raises(UsageError, match="bare plan.pdf: no table found .* a programme plan "
                       "from ruled tables"):
        import_legacy(pdf, period=PERIOD)


# -- seed 003 as Word and PDF ------------------------------------------------------------
SEED = SEEDS / "003_31615a5fe2b3e7b2.txt"


@pytest.fixture(scope="module")
def seed_forms(tmp_path_factory):
    """Seed 003 imported from its text, and from the Word document built from that text
    (``programme_docs.seed_docx``) and its PDF."""
    folder = tmp_path_factory.mktemp("seed003")
    word = docs.seed_docx(SEED.read_text(encoding="utf-8"), folder / "nottingham plan.docx")
    pdf = convert(_need_soffice(), word, "pdf", folder)
    return {form: import_legacy(path, period=PERIOD)
            for form, path in (("text", SEED), ("word", word), ("pdf", pdf))}


@pytest.mark.parametrize("form", ("word", "pdf"))
def test_seed_003_imports_as_its_text_does(seed_forms, form):
    text, got = seed_forms["text"].book, seed_forms[form].book
    assert len(got.extra_settings["aims"]) == 3
    assert len(got.extra_settings["programmes"]) == 11
    assert got.extra_settings["programmes"] == text.extra_settings["programmes"]
    assert len(got.risks) == 5 and all(r["mitigation"] for r in got.risks)
    fields = ("id", "title", "description", "mitigation")
    assert [[_squash(r[k]) for k in fields] for r in got.risks] == [
        [_squash(r[k]) for k in fields] for r in text.risks]
    assert len(got.kpis) == 20
    assert [k["measure"] for k in got.kpis] == [k["measure"] for k in text.kpis]
    assert got.extra_settings["kpi_aims"] == text.extra_settings["kpi_aims"]
    for row in got.actions:  # no chapter heading filed as an activity
        assert re.fullmatch(rf"{row['section'].split('.')[0]}\.\d{{1,2}}", row["ref"])
        assert not re.match(r"(section|appendix|aim|programme)\b", row["action"], re.I)
    want = {a["ref"]: a for a in text.actions}
    have = {a["ref"]: a for a in got.actions}
    assert list(have) == list(want)
    assert [r for r in want if start_end(have[r]) != start_end(want[r])] == []
    assert [r for r in want if _squash(have[r]["action"]) != _squash(want[r]["action"])] == []
    assert [(a["accountable_officer"], a["lead_officer"]) for a in got.actions] == [
        (a["accountable_officer"], a["lead_officer"]) for a in text.actions]


def test_seed_003_pdf_review_names_the_same_rows_as_its_text(seed_forms):
    def mismatches(report):
        return [(f.extra["programme"], f.extra["refs"], f.got) for f in report.findings
                if f.code == "REVIEW" and "line up" in f.message]

    assert mismatches(seed_forms["pdf"]) == mismatches(seed_forms["text"])
    assert {p.split(".")[0] for p, _, _ in mismatches(seed_forms["pdf"])} == {"3", "6", "8",
                                                                            "9"}


# -- the bench's section of RESULTS.md ----------------------------------------------------
def test_programme_bench_section_is_replaced_and_kept_by_the_main_bench(tmp_path):
    """programme_bench writes its figures between its markers in RESULTS.md (replacing
    its last ones); results_md, re-rendering the main bench's figures, keeps them."""
    import sys

    sys.path.insert(0, str(SEEDS.parents[2] / "bench"))
    from programme_bench import BEGIN, END, write_section
    from results_md import with_kept_sections

    results_md = tmp_path / "RESULTS.md"
    results_md.write_text("# Bench results\n\nmain figures\n", encoding="utf-8")
    write_section(results_md, f"{BEGIN}\nfirst run\n{END}\n")
    write_section(results_md, f"{BEGIN}\nsecond run\n{END}\n")
    text = results_md.read_text(encoding="utf-8")
    assert text.startswith("# Bench results\n\nmain figures\n") and text.count(BEGIN) == 1
    assert "second run" in text and "first run" not in text
    again = with_kept_sections("# Bench results\n\nnew main figures\n", text)
    assert again.startswith("# Bench results\n\nnew main figures\n")
    assert again.count(BEGIN) == 1 and f"{BEGIN}\nsecond run\n{END}" in again
