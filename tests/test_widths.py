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


def rendered_widths(fods) -> list[float]:
    """Column widths (pixels at 96 dpi) of the first sheet LibreOffice rendered."""
    import xml.etree.ElementTree as ET

    ns = {"table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
          "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0"}
    root = ET.parse(fods).getroot()
    inches = {s.get(f"{{{ns['style']}}}name"): s.find("style:table-column-properties", ns)
              .get(f"{{{ns['style']}}}column-width")
              for s in root.iter(f"{{{ns['style']}}}style")
              if s.get(f"{{{ns['style']}}}family") == "table-column"}
    widths: list[float] = []
    for col in root.find(".//table:table", ns).findall("table:table-column", ns):
        width = inches[col.get(f"{{{ns['table']}}}style-name")]
        assert width.endswith("in"), width
        repeat = int(col.get(f"{{{ns['table']}}}number-columns-repeated", "1"))
        widths += [float(width[:-2]) * 96] * min(repeat, 10)
    return widths


def test_excels_rule_predicts_libreoffices_rendering_of_openpyxl_widths(soffice, tmp_path):
    """LibreOffice renders a stored width by the same rule — characters of its default
    font's digit width — so, given the digit width it uses here (whatever font stands
    in for Calibri on this machine), the rule predicts every column to the pixel."""
    from conftest import convert

    stored = [10, 38, 9.5, 3, 90, 16]
    wb = Workbook()
    for i, width in enumerate(stored):
        wb.active.column_dimensions["ABCDEF"[i]].width = width
    wb.active["A1"] = "x"
    wb.save(tmp_path / "widths.xlsx")
    rendered = rendered_widths(convert(soffice, tmp_path / "widths.xlsx", "fods", tmp_path))
    digit = rendered[0] / stored[0]  # the renderer's maximum digit width, in pixels
    predicted = [width_pixels(w, digit) for w in stored]
    assert [abs(p - r) <= 1 for p, r in zip(predicted, rendered, strict=False)] == \
        [True] * len(stored), (predicted, rendered[:len(stored)])
