"""The cheap measure of a sheet (``plain_extent``) against the exact walk
(``sheet_extent``) and against what python-calamine really builds.

The reader measures a sheet from its plain cell references (``<c r="A1"``) when every
cell is written that way, and walks it element by element otherwise. The cheap
measure must never say less than the walk (nor than calamine's grid), must decline
whatever is not plain — quoting, spacing, a missing or late ``r``, a prefix, a
character reference, lower case, a leading zero, another encoding — and must refuse a
DTD or malformed XML exactly as the walk does. Generated sheets, any chunk size."""

from __future__ import annotations

import io
import zipfile

import pytest
import python_calamine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from returns_data import STEVE
from test_hostile_files import LAUGHS, NS, _one_sheet_book, rewrite

from xltools.errors import WorkbookError
from xltools.workbook import extent as extent_mod
from xltools.workbook.extent import XmlRefused, plain_extent, sheet_extent
from xltools.workbook.layout import col_letter
from xltools.workbook.reader import RETURN_LIMITS, read_book

PART = "xl/worksheets/sheet1.xml"
# how a cell's reference is written: only "plain" is the form the cheap measure reads
CELL_FORMS = {
    "plain": '<c r="{ref}" s="1">',
    "single": "<c r='{ref}'>",
    "spaced": '<c r = "{ref}">',
    "tab": '<c\tr="{ref}">',
    "late": '<c s="1" r="{ref}">',
    "fake_first": "<c s='r=\"XFD1\"' r=\"{ref}\">",
    "lower": '<c r="{lower}">',
    "charref": '<c r="&#{first};{rest}">',
    "none": "<c>",
    "prefixed": '<x:c r="{ref}">',
}
HIDING = {  # text the parser does not take for cells, but the byte patterns see
    "comment": "<!-- <c r=\"XFD900000\"/> -->",
    "cdata": '<c r="A1" t="inlineStr"><is><t><![CDATA[<c r="ZZ99"/>]]></t></is></c>',
    "pi": '<?note <c r="AB300000"/>?>',
}
HEADS = {"none": b"", "utf8": b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n',
         "bom": b'\xef\xbb\xbf<?xml version="1.0"?>', "latin": b'<?xml version="1.0" '
         b'encoding="ISO-8859-1"?>'}


@st.composite
def sheets(draw, plain_only: bool = False, far: int = 250_000) -> tuple[bytes, bool, bool]:
    """A sheet's XML, whether every cell in it is plain, and whether text hides a cell
    (``far``: how far down a hand-made cell may reach). Each sheet mixes the plain form
    with one other (a cell in five, or a formula), as a hand-edited file would."""
    odd = "plain" if plain_only else draw(st.sampled_from([*CELL_FORMS, "prefixed_f"]))
    body, row, all_plain = [], 0, True
    for _ in range(draw(st.integers(0, 10))):
        row += draw(st.integers(1, 3))
        numbered = plain_only or draw(st.booleans())
        body.append(f'<row r="{row}">' if numbered else "<row>")
        col = 0
        for _ in range(draw(st.integers(0, 6))):
            form = odd if odd in CELL_FORMS and draw(st.integers(0, 4)) == 0 else "plain"
            all_plain &= form == "plain"
            col += draw(st.sampled_from([1, 1, 2, 5, 14, 26]))  # past Z, and ties
            at = draw(st.one_of(st.just(row), st.integers(1, 50), st.integers(far - 10, far)))
            ref = f"{col_letter(col)}{at}"
            body.append(CELL_FORMS[form].format(ref=ref, lower=ref.lower(), first=ord(ref[0]),
                                                rest=ref[1:]) + "<v>1</v>"
                        + ("</x:c>" if form == "prefixed" else "</c>"))
        if draw(st.booleans()):  # a formula, prefixed or not
            prefixed = odd.startswith("prefixed") and draw(st.booleans())
            all_plain &= not prefixed
            body.append(f'<c r="B{row}"><x:f>A1</x:f><v>1</v></c>' if prefixed
                        else f'<c r="B{row}"><f>A1</f><v>1</v></c>')
        body.append("</row>")
    hiding = draw(st.sampled_from([None, *HIDING]))
    if hiding:
        body.insert(draw(st.integers(0, len(body))) if hiding != "cdata" else len(body),
                    f"<row>{HIDING[hiding]}</row>" if hiding == "cdata" else HIDING[hiding])
    head = draw(st.sampled_from(list(HEADS)))
    xml = (f'<worksheet xmlns="{NS}" xmlns:x="{NS}"><sheetData>{"".join(body)}</sheetData>'
           "</worksheet>")
    return HEADS[head] + xml.encode(), all_plain and head != "latin", hiding is not None


def measured(xml: bytes, chunk: int, how=plain_extent):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(PART, xml)
    extent_mod.CHUNK, saved = chunk, extent_mod.CHUNK
    try:
        with zipfile.ZipFile(buffer) as zf:
            return how(zf, PART)
    finally:
        extent_mod.CHUNK = saved


CHUNKS = st.sampled_from([7, 16, 61, 1 << 20])  # a tag split across pieces, or not


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets(), CHUNKS)
def test_the_cheap_measure_is_the_walk_or_declines(sheet, chunk):
    xml, all_plain, hidden = sheet
    plain, exact = measured(xml, chunk), measured(xml, 1 << 20, sheet_extent)
    assert (plain is not None) == all_plain  # the plain form, and only it, is read cheaply
    if plain is None:
        return
    if hidden:  # a comment's cell may only make it say more, never less
        assert (plain.rows, plain.cols, plain.cells) >= (exact.rows, exact.cols, exact.cells)
        assert plain.rows >= exact.rows and plain.cols >= exact.cols
        assert plain.formulas >= exact.formulas
    else:  # to the cell: the refused cell a message names is the same either way
        assert plain == exact


@pytest.mark.parametrize("chunk", [7, 1 << 20])
def test_the_cheap_measure_names_the_cells_the_walk_names(chunk):
    """The first cell furthest right and the last cell on the last row, as the walk
    names them, whichever piece each falls in."""
    xml = (b'<worksheet><sheetData><row r="1"><c r="AB1"/><c r="C1"/></row>'
           b'<row r="2"><c r="AB2"/><c r="C2"/><c r="D2"/></row></sheetData></worksheet>')
    plain = measured(xml, chunk)
    assert (plain.far_col_ref, plain.far_row_ref, plain.cols, plain.rows) == (
        "AB1", "D2", 28, 2)
    assert plain == measured(xml, chunk, sheet_extent)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets(plain_only=True, far=3_000), CHUNKS)  # calamine builds what it finds
def test_the_cheap_measure_is_never_less_than_calamines_grid(sheet, chunk):
    xml, all_plain, _ = sheet
    plain = measured(xml, chunk)
    data = _one_sheet_book(xml.decode("utf-8-sig"))
    grid = python_calamine.load_workbook(io.BytesIO(data)).get_sheet_by_name(
        "Actions").to_python(skip_empty_area=False)
    assert (plain is not None) == all_plain  # declined only for its encoding
    plain = plain or measured(xml, chunk, sheet_extent)
    assert plain.rows >= len(grid)
    assert plain.cols >= max((len(r) for r in grid), default=0)


@pytest.mark.parametrize("xml", [
    ('<worksheet><sheetData><row r="1"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
     "</worksheet>").encode("utf-16"),  # the bytes hold no "<c r=" at all
    b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'
    b"<!-- " + b"x" * 2 * extent_mod.MAX_CARRY + b" --></worksheet>",
], ids=["utf16", "huge_open_piece"])
def test_what_the_patterns_cannot_read_goes_to_the_walk(xml):
    assert measured(xml, 1 << 16) is None
    assert measured(xml, 1 << 16, sheet_extent).rows >= 1


@pytest.mark.parametrize("xml", [
    (LAUGHS + '<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'
     "</worksheet>").encode(),
    b'<worksheet><sheetData><row r="1"><c r="A1"><is><t>&nope;</t></is></c></row>'
    b"</sheetData></worksheet>",
    b'<worksheet><sheetData><row r="1"><c r="A1" r="XFD1048576"><v>1</v></c></row>'
    b"</sheetData></worksheet>",  # which r would calamine take? expat refuses the pair
], ids=["dtd", "undefined_entity", "two_r"])
def test_the_cheap_measure_refuses_bad_xml_as_the_walk_does(xml):
    for how in (plain_extent, sheet_extent):
        with pytest.raises(XmlRefused):
            measured(xml, 1 << 20, how)


def test_a_far_cell_in_a_comment_is_not_a_refusal(cycle, tmp_path):
    """The cheap measure sees the comment's cell and says too far; the walk, asked
    then, knows it is no cell: the return reads as any other."""
    path = rewrite(cycle[1] / STEVE, tmp_path / STEVE, "Actions", lambda xml: xml.replace(
        "</sheetData>", '</sheetData><!-- <c r="XFD1048576"/> -->'))
    book = read_book(path, limits=RETURN_LIMITS)
    assert book.actions and "TOO_LARGE" not in {f.code for f in book.findings}


def test_a_second_r_on_a_plain_cell_is_refused(cycle, tmp_path):
    path = rewrite(cycle[1] / STEVE, tmp_path / STEVE, "Actions", lambda xml: xml.replace(
        '<c r="A2"', '<c r="A2" r="XFD1048576"', 1))
    with pytest.raises(WorkbookError) as err:
        read_book(path, limits=RETURN_LIMITS)
    assert (err.value.reason, err.value.sheet) == ("BAD_XML", "Actions")
