"""KPI RAG and trend: the pure functions, and the KPIs sheet of a real workbook."""

from __future__ import annotations

import math

import pytest
from conftest import ROOT
from pmo_master import master_book

from xltools.findings import flatten
from xltools.reporting.kpis import (
    apply_kpis,
    assess_kpis,
    kpi_rag,
    kpi_trend,
    load_kpi_rows,
    merge_kpis,
)
from xltools.workbook.reader import read_book
from xltools.workbook.writer import write_book


@pytest.mark.parametrize(("latest", "target", "good_is", "expected"), [
    (85.0, 85.0, "High", "Green"),       # met exactly
    (90.0, 85.0, "High", "Green"),
    (80.75, 85.0, "High", "Amber"),      # exactly 5% of 85 below
    (80.7, 85.0, "High", "Red"),
    (22.0, 22.0, "Low", "Green"),
    (23.1, 22.0, "Low", "Amber"),        # exactly 5% of 22 above
    (23.2, 22.0, "Low", "Red"),
    (10.0, 12.0, "low", "Green"),        # case of Good is ignored
    (1.0, 0.0, "Low", "Red"),            # zero target: no tolerance band
    (None, 85.0, "High", None),          # no latest → no RAG
    (80.0, None, "High", None),          # no target → no RAG
    ("81.2", "85", "High", "Amber"),     # numbers typed as text are read
])
def test_kpi_rag(latest, target, good_is, expected):
    assert kpi_rag(latest, target, good_is, 0.05) == expected


def test_kpi_rag_tolerance_is_a_fraction_of_target():
    assert kpi_rag(80.0, 85.0, "High", tolerance=0.10) == "Amber"
    assert kpi_rag(80.0, 85.0, "High", tolerance=0.0) == "Red"


@pytest.mark.parametrize(("latest", "previous", "good_is", "expected"), [
    (21.8, 23.4, "Low", "Improved"),
    (21.8, 23.4, "High", "Worsened"),
    (81.2, 83.5, "High", "Worsened"),
    (3.1, 3.1, "Low", "No change"),
    (0.1 + 0.2, 0.3, "High", "No change"),  # float noise is not a change
    (5.0, None, "High", None),
])
def test_kpi_trend(latest, previous, good_is, expected):
    assert kpi_trend(latest, previous, good_is) == expected


@pytest.mark.parametrize(("call", "names"), [
    (lambda: kpi_rag(1, 2, "Up"), "good_is"),
    (lambda: kpi_rag("n/a", 2, "High"), "latest"),
    (lambda: kpi_rag(1, math.inf, "High"), "target"),
    (lambda: kpi_rag(1, 2, "High", -0.1), "tolerance"),
    (lambda: kpi_rag(True, 2, "High"), "latest"),
    (lambda: kpi_trend(1, "x", "Low"), "previous"),
])
def test_bad_input_raises_value_error_naming_the_argument(call, names):
    with pytest.raises(ValueError, match=names):
        call()


def test_kpis_sheet_rag_and_trend_round_trip(plan, tmp_path):
    """Written by our writer, read back, judged, written, read again."""
    path = write_book(master_book(plan), tmp_path / "master.xlsx")
    book = read_book(path)
    report = assess_kpis(book)
    assert [(k["rag"], k["trend"]) for k in report.rows] == [
        ("Green", "Improved"), ("Amber", "Worsened"), ("Red", "Worsened"), (None, "No change")]
    assert report.counts == {"Green": 1, "Amber": 1, "Red": 1, "No RAG": 1}
    apply_kpis(book, report)
    again = read_book(write_book(book, tmp_path / "out.xlsx"))
    assert [(k["rag"], k["trend"]) for k in again.kpis] == [
        ("Green", "Improved"), ("Amber", "Worsened"), ("Red", "Worsened"), (None, "No change")]


def test_text_in_a_number_cell_is_an_invalid_finding_and_the_row_is_kept(plan, tmp_path):
    book = master_book(plan)
    book.kpis[1]["latest"] = "n/a"
    report = assess_kpis(read_book(write_book(book, tmp_path / "m.xlsx")))
    assert flatten(report.findings) == [("m.xlsx", "C3", "INVALID")]
    assert len(report.rows) == 4 and report.rows[1]["rag"] is None


def test_sample_kpis_load_and_merge_by_measure(plan):
    rows = load_kpi_rows(ROOT / "workbook_templates" / "sample_kpis.json")
    assert len(rows) == 10
    book = master_book(plan)
    book.kpis[0]["measure"] = rows[0]["measure"].upper()  # same measure, other case
    assert merge_kpis(book, rows) == (1, 9)
    assert len(book.kpis) == 4 + 9
    assert book.kpis[0]["latest"] == rows[0]["latest"]
