"""What the PDF readers share: words into lines, lines into a cell's text.

``pdf.py`` reads ruled tables (cells from the ruling lines), ``pdf_unruled.py``
tables without lines (columns from the header's positions); both turn the words
of a cell into text the same way, deciding at each new line whether the text
wrapped or the line was broken on purpose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .pdf_words import VOCABULARY, broken_word, name_break, names_only, starts_paragraph

HYPHENED = re.compile(r"\w-$")  # a word broken after its hyphen ("co-"), not a dash
LINE_TOLERANCE = 3.0  # points: words this close vertically are on one line
# points: a next word that would have fitted by less than 1pt (or missed by under
# 0.25pt) is too close to call from the positions a PDF keeps
CLOSE_CALL = (0.25, 1.0)


@dataclass
class Cell:
    """One table cell read from the page, with what is needed to join it on."""

    text: str
    unsure: list[str] = field(default_factory=list)
    slack: float = 0.0  # room left at the end of its last line
    space: float = 0.0
    first: float = 0.0  # width of its first word
    first_line: list[dict] = field(default_factory=list)  # its words, for a page-break join
    last_line: list[dict] = field(default_factory=list)

    def broken_into(self, after: Cell) -> bool:
        """Whether this cell's last word was broken at the cell edge and goes on at
        the start of ``after`` (over a page): "Childr" / "en"."""
        if not self.last_line or not after.first_line:
            return False
        joined, _ = broken_word(self.last_line, after.first_line, self.slack,
                                self.text.rsplit(None, 1)[-1])
        return joined

    def wraps_into(self, after: Cell) -> bool:
        """Whether text continued in ``after`` (over a page) wrapped on from this
        cell's last line: the first word would not have fitted there."""
        return after.first + self.space > self.slack


@dataclass
class PdfRow:
    """A row as read from a page: a table row, or a line of text outside tables."""

    cells: list[Cell]
    page: int
    top: float
    table: int
    number: int
    single: bool = False  # a line of text outside any table
    spanning: bool = False  # one cell merged across the table (a heading)
    unruled: bool = False  # a table without ruling lines, read by position


def inside(word: dict, box: tuple[float, float, float, float]) -> bool:
    x = (word["x0"] + word["x1"]) / 2
    y = (word["top"] + word["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def text_lines(words: list[dict]) -> list[tuple[float, list[dict]]]:
    """Words grouped into lines (by their tops), each line left to right."""
    lines: list[tuple[float, list[dict]]] = []
    for word in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if lines and abs(word["top"] - lines[-1][0]) <= LINE_TOLERANCE:
            lines[-1][1].append(word)
        else:
            lines.append((word["top"], [word]))
    return [(top, sorted(line, key=lambda w: w["x0"])) for top, line in lines]


def box_cell(box: tuple[float, float, float, float], words: list[dict]) -> Cell:
    """A ruled cell's text; its right margin is taken to equal its left one."""
    lines = [line for _, line in text_lines([w for w in words if inside(w, box)])]
    if not lines:
        return Cell("")
    pad = max(0.0, min(line[0]["x0"] for line in lines) - box[0])
    return cell_from_lines(lines, box[2] - pad)


def cell_from_lines(lines: list[list[dict]], right: float) -> Cell:
    """Lines of one cell joined as wrapped text or kept as real breaks: a break is
    real when the next line's first word would have fitted before ``right``, or
    the next line starts a paragraph (a bullet, a gap); a word broken at the
    cell's edge is rejoined, and a name seen whole kept whole (``pdf_words``)."""
    if not lines:
        return Cell("")
    space = _space(lines)
    text = words_text(lines[0])
    unsure: list[str] = []
    pending: str | None = None  # a doubt about the word being rejoined, until it is whole
    names = names_only(lines)
    for before, after in zip(lines, lines[1:], strict=False):
        glue, doubt = _glue(before, after, right, space, text)
        if names and glue == " ":
            split, why = name_break(text.rsplit("\n", 1)[-1], after)
            glue, doubt = ("\n", why) if split else (glue, doubt)
        if glue == "":
            pending = None if doubt is None and pending else (doubt or pending)
        else:
            unsure += [d for d in (pending, doubt) if d]
            pending = None
        text += glue + words_text(after)
    if pending:
        unsure.append(pending)
    return Cell(text, unsure, slack=right - lines[-1][-1]["x1"], space=space,
                first=lines[0][0]["x1"] - lines[0][0]["x0"], first_line=lines[0],
                last_line=lines[-1])


def _glue(before: list[dict], after: list[dict], right: float, space: float,
          text: str) -> tuple[str, str | None]:
    """What goes between two lines of a cell ("\n", " " or ""), and a doubt in
    words when the evidence did not decide it."""
    if starts_paragraph(before, after):
        return "\n", None
    slack = right - before[-1]["x1"]
    joined, doubt = broken_word(before, after, slack, text.rsplit(None, 1)[-1])
    if joined:
        return "", doubt
    hyphened = bool(HYPHENED.search(before[-1]["text"]))  # "co-" / "ordinated": no space
    vocab = VOCABULARY.get()
    if not hyphened and vocab is not None and vocab.is_name(before[-1]["text"],
                                                            after[0]["text"]):
        return " ", None  # "Colin" / "Pettigrew": a name seen whole stays whole
    need = (0.0 if hyphened else space) + after[0]["x1"] - after[0]["x0"]
    wrapped = need > slack
    if doubt is None and -CLOSE_CALL[0] < slack - need < CLOSE_CALL[1]:
        doubt = (f"line break before '{short(words_text(after))}' read as "
                 f"{'wrapped text' if wrapped else 'a real line break'}")
    if not wrapped:
        return "\n", doubt
    return ("" if hyphened else " "), doubt


def words_text(line: list[dict]) -> str:
    return " ".join(w["text"].replace("\uf0b7", "•") for w in line)


def _space(lines: list[list[dict]]) -> float:
    """The width of a space, measured between the words of the cell's lines (a
    third of the text height when no line has two words)."""
    gaps = sorted(b["x0"] - a["x1"] for line in lines for a, b in zip(line, line[1:],
                                                                          strict=False))
    if gaps:
        return gaps[len(gaps) // 2]
    return (lines[0][0]["bottom"] - lines[0][0]["top"]) / 3


def short(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


