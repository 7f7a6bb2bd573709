"""How a PDF cell's lines join (issue 25): each decision on the evidence a reader has.

Words are laid out here as pdfplumber gives them (text and box); the filled line
is the one whose room left is under a character. The word list is pyspellchecker's.
"""

from __future__ import annotations

import pytest

from xltools.legacy.pdf_text import cell_from_lines
from xltools.legacy.pdf_words import VOCABULARY, Vocabulary, broken_word

RIGHT = 100.0  # the cell's right margin
SIZE = 8.0  # text height; a character is about 4 points wide here


def line(*texts: str, top: float = 0.0, end: float | None = None) -> list[dict]:
    """Words left to right from x=10, ending at ``end`` (the last word stretched)."""
    out, x = [], 10.0
    for text in texts:
        out.append({"text": text, "x0": x, "x1": x + 4 * len(text), "top": top,
                    "bottom": top + SIZE})
        x = out[-1]["x1"] + 2
    if end is not None:
        out[-1]["x1"] = end
    return out


def two(first: list[str], second: list[str], filled: bool = True) -> tuple[list, list]:
    return (line(*first, end=RIGHT - 1 if filled else None),
            line(*second, top=SIZE + 1.5))


@pytest.mark.parametrize("before, after, joined, certain", [
    (["Status", "Comple"], ["te"], True, True),            # "te" is a piece, "Complete" a word
    (["Depar"], ["tment"], True, True),
    (["prioritise"], ["d", "by"], True, True),              # a lone letter is no word
    (["Pettigre"], ["w"], True, True),
    (["ref", "2.1"], ["0"], True, True),                  # a number in a narrow column
    (["Sue", "Summersc"], ["ales"], True, False),           # no word list has it: REVIEW
    (["put", "in"], ["a", "bid"], False, True),             # "in a", not "ina"
    (["to", "the"], ["Board"], False, True),                # a capital starts a word
    (["CYP"], ["and", "families"], False, True),            # an acronym, then a word
    (["to", "have", "smartph"], ["ones", "by"], False, False),  # kept apart, but REVIEW
    (["for", "review"], ["b)", "Publish"], False, True),    # "b)": the next lettered item
    (["by", "2024"], ["6.2", "Agree", "the"], False, True),  # "6.2 …": the next activity
])
def test_a_line_that_filled_the_cell(before, after, joined, certain):
    b, a = two(before, after)
    got, doubt = broken_word(b, a, RIGHT - b[-1]["x1"], before[-1])
    assert (got, doubt is None) == (joined, certain)


def test_a_line_with_room_left_is_never_a_broken_word():
    b, a = two(["Comple"], ["te"], filled=False)
    assert broken_word(b, a, RIGHT - b[-1]["x1"], "Comple") == (False, None)


def test_a_word_broken_over_three_lines_is_one_word_and_certain():
    """A column 25 points wide (six characters): "continuous improvement" breaks."""
    right = 35.0
    lines = [line("contin"), line("uous", top=10), line("impro", top=20),
             line("veme", top=30), line("nt", top=40)]
    lines[3][0]["x1"] = right - 1  # "veme" is wider than four plain letters: it filled
    cell = cell_from_lines(lines, right)
    assert cell.text == "continuous improvement" and not cell.unsure


def test_a_hyphen_ending_a_line_joins_without_a_space_a_dash_keeps_it():
    hyphen = [line("the", "Medium-", end=RIGHT - 1), line("Term", "plan", top=10)]
    assert cell_from_lines(hyphen, RIGHT).text == "the Medium-Term plan"
    dash = [line("Workforce", "Planning", "-", end=RIGHT - 1), line("including", top=10)]
    assert cell_from_lines(dash, RIGHT).text == "Workforce Planning - including"


def test_a_bullet_or_a_gap_starts_a_paragraph():
    lines = [line("Panel", "met", end=RIGHT - 1), line("•", "Next", "panel", top=10),
             line("Report", "due", top=40)]
    assert cell_from_lines(lines, RIGHT).text == "Panel met\n• Next panel\nReport due"


def test_a_name_seen_whole_in_the_document_is_never_split():
    words = [line("Colin", "Pettigrew", "and", "Nigel", "Stevenson", top=200)]
    token = VOCABULARY.set(Vocabulary.of(words))
    try:
        cell = cell_from_lines([line("Colin"), line("Pettigrew", top=10)], 40.0)
    finally:
        VOCABULARY.reset(token)
    assert cell.text == "Colin Pettigrew" and not cell.unsure


def test_a_cell_of_names_starts_a_name_after_first_name_and_surname():
    lines = [line("Katharine", "Smith", end=RIGHT - 1), line("Tracy", "Hill", top=10,
                                                              end=RIGHT - 1),
             line("Joe", "Foley", top=20)]
    cell = cell_from_lines(lines, RIGHT)
    assert cell.text == "Katharine Smith\nTracy Hill\nJoe Foley"
    assert len(cell.unsure) == 2  # no document evidence: each is a doubt to review
