"""Column widths: stored characters → pixels → points, as Excel converts them."""

from __future__ import annotations

import pytest
from openpyxl import Workbook, load_workbook

from xltools.excel.columns import engine_width
from xltools.workbook.widths import shown_characters, width_pixels, width_points


def test_excels_default_column_is_64_pixels_and_8_43_characters():
    # Excel's default width (Calibri 11) is stored as 9.140625: "8.43 (64 pixels)", 48 pt
    assert width_pixels(9.140625) == 64
    assert width_points(9.140625) == 48.0
    assert shown_characters(9.140625) == 8.43


def test_a_width_openpyxl_writes_converts_to_the_points_office_js_takes(tmp_path):
    wb = Workbook()
    for letter, width in {"A": 38, "B": 9.5, "C": 90}.items():
        wb.active.column_dimensions[letter].width = width
    wb.save(tmp_path / "w.xlsx")
    stored = {k: d.width for k, d in load_workbook(tmp_path / "w.xlsx").active
              .column_dimensions.items() if k in "ABC"}
    assert {k: width_points(w) for k, w in stored.items()} == {"A": 199.5, "B": 49.5,
                                                               "C": 472.5}
    # desktop Excel takes the characters its width box shows: 38 stored is 37.29 shown
    assert shown_characters(stored["A"]) == 37.29


def test_each_engine_gets_its_own_unit():
    assert engine_width("remote", 34) == width_points(34) == 178.5
    assert engine_width("excel", 34) == shown_characters(34) == 33.29


@pytest.mark.parametrize("bad", [-1, 256, "wide", float("nan"), True])
def test_a_width_that_is_not_a_width_is_refused(bad):
    with pytest.raises(ValueError, match="column width"):
        width_points(bad)
