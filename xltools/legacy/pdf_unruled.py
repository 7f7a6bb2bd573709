"""Tables without ruling lines in a PDF: columns from the header's positions.

Many committee papers print the tracker table without borders, so there are no
lines for pdfplumber to find cells by. The header row still says where each
column starts: the words of a header cell are left-aligned at its column's left
edge, and so is every cell under it. So, on each page:

* the **header** is the first band of up to three lines whose words, grouped
  by position, name known columns (``header_test``, the importer's matcher);
* **columns** start where the header's groups start; words left of the first
  (a ref column with no header) form one more column;
* a **row** starts at a line with a ref in the first column (or, in a table
  without refs, after a vertical gap bigger than the line spacing);
* a line whose words run on across a column edge, as a paragraph does, or that
  starts in the ref column with something that is not a ref ("Page 3 of 8"),
  is not part of the table (a section heading, a note): a row of one cell.

All of it is a reading of positions, so each page's table is listed for review.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .pdf_text import Cell, PdfRow, cell_from_lines, text_lines, words_text
from .refs import as_ref

HEADER_LINES = 3
COLUMN_GAP = 3.0  # spaces: words closer than this belong to one phrase
ROW_GAP = 1.6  # line spacings: a bigger gap starts a row when there are no refs


def unruled_rows(page, words: list[dict],
                 header_test: Callable[[list[Any]], bool] | None) -> list[PdfRow]:
    """The page as rows: lines before the header, the header, the table's rows."""
    lines = text_lines(words)
    found = _find_header(lines, header_test)
    if found is None:
        return [_single(page, top, line) for top, line in lines]
    start, end, edges = found
    out = [_single(page, top, line) for top, line in lines[:start]]
    header = [Cell(" ".join(words_text(line) for line in part))
              for part in _by_column([line for _, line in lines[start:end]], edges)]
    out.append(PdfRow(header, page.page_number, lines[start][0], 1, 1, unruled=True))
    body = _body(page, lines[end:], edges)
    if any(len(r.cells) > len(edges) for r in body):  # a ref column with no header
        header.insert(0, Cell(""))
    return out + body


def _find_header(lines: list[tuple[float, list[dict]]], header_test):
    """(first line, line after, column left edges) of the header band, or None."""
    if header_test is None:
        return None
    for start in range(len(lines)):
        for size in range(1, HEADER_LINES + 1):
            band = lines[start:start + size]
            if len(band) < size or not _close(band):
                break
            groups = _groups([w for _, line in band for w in line])
            texts = [" ".join(w["text"] for w in sorted(g, key=lambda w: (w["top"], w["x0"])))
                     for g in groups]
            if len(groups) >= 2 and header_test([texts]):
                more = lines[start + size:start + size + 1]
                if more and _close(band + more) and header_test(
                        [_group_texts(band + more)]) and size < HEADER_LINES:
                    continue  # the header goes on to the next line
                return start, start + size, [min(w["x0"] for w in g) for g in groups]
    return None


def _group_texts(band) -> list[str]:
    return [" ".join(w["text"] for w in g) for g in _groups([w for _, ln in band for w in ln])]


def _close(band: list[tuple[float, list[dict]]]) -> bool:
    """Lines of one header cell: each within two line heights of the one before."""
    heights = [line[0]["bottom"] - line[0]["top"] for _, line in band]
    return all(b[0] - a[0] <= 2 * h for (a, b, h) in zip(band, band[1:], heights, strict=False))


def _groups(words: list[dict]) -> list[list[dict]]:
    """Words grouped into columns by overlapping (or nearly touching) x-ranges."""
    groups: list[list[dict]] = []
    right = -1e9
    for word in sorted(words, key=lambda w: w["x0"]):
        gap = COLUMN_GAP * _space_of(word)
        if groups and word["x0"] <= right + gap:
            groups[-1].append(word)
            right = max(right, word["x1"])
        else:
            groups.append([word])
            right = word["x1"]
    return groups


def _space_of(word: dict) -> float:
    return (word["bottom"] - word["top"]) / 3


def _column(x0: float, edges: list[float]) -> int:
    """The column a word starting at ``x0`` is in (−1: left of the first)."""
    tolerance = 1.0
    index = -1
    for i, edge in enumerate(edges):
        if x0 + tolerance >= edge:
            index = i
    return index


def _runs_across(line: list[dict], edges: list[float]) -> bool:
    """Whether the line's words run on across a column edge, as a paragraph does."""
    for a, b in zip(line, line[1:], strict=False):
        if b["x0"] - a["x1"] < COLUMN_GAP * _space_of(a) and \
                _column(a["x0"], edges) != _column(b["x0"], edges):
            return True
    return False


def _body(page, lines: list[tuple[float, list[dict]]], edges: list[float]) -> list[PdfRow]:
    has_ref_column = any(_column(line[0]["x0"], edges) == -1 for _, line in lines)
    columns = ([min(line[0]["x0"] for _, line in lines)] if has_ref_column else []) + edges
    rights = _rights([ln for _, ln in lines if not _runs_across(ln, edges)], columns)
    out: list[PdfRow] = []
    current: list[list[dict]] = []
    top = 0.0
    spacing = _spacing(lines)
    previous: float | None = None
    for line_top, line in lines:
        in_ref = has_ref_column and _column(line[0]["x0"], edges) == -1
        phrase = len(line) > 1 and line[1]["x0"] - line[0]["x1"] < COLUMN_GAP * _space_of(
            line[0])  # "3. Workforce": a numbered heading, not ref then cell
        if _runs_across(line, edges) or (in_ref and (phrase or as_ref(line[0]["text"]) is None)):
            # a paragraph, or text in the ref column that is no ref: not table rows
            out += _flush(page, current, columns, rights, top, len(out))
            current = []
            out.append(_single(page, line_top, line))
            previous = None
            continue
        starts = in_ref
        gap = previous is not None and line_top - previous > ROW_GAP * spacing
        if current and (starts or (not has_ref_column and gap)):
            out += _flush(page, current, columns, rights, top, len(out))
            current = []
        if not current:
            top = line_top
        current.append(line)
        previous = line_top
    out += _flush(page, current, columns, rights, top, len(out))
    return out


def _spacing(lines: list[tuple[float, list[dict]]]) -> float:
    gaps = sorted(b[0] - a[0] for a, b in zip(lines, lines[1:], strict=False) if b[0] > a[0])
    return gaps[len(gaps) // 2] if gaps else 12.0


def _rights(lines: list[list[dict]], columns: list[float]) -> list[float]:
    """Where each column's text ends on this page: its longest line's end (the
    nearest a PDF gets to the cell's right margin)."""
    rights = [0.0 for _ in columns]
    for line in lines:
        for word in line:
            i = max(_column(word["x0"], columns), 0)
            rights[i] = max(rights[i], word["x1"])
    return rights


def _flush(page, lines: list[list[dict]], columns: list[float], rights: list[float],
           top: float, count: int) -> list[PdfRow]:
    if not lines:
        return []
    cells = [cell_from_lines(part, right) if part else Cell("")
             for part, right in zip(_by_column(lines, columns), rights, strict=True)]
    return [PdfRow(cells, page.page_number, top, 1, count + 2, unruled=True)]


def _by_column(lines: list[list[dict]], columns: list[float]) -> list[list[list[dict]]]:
    """Each column's lines (its words of each line)."""
    out: list[list[list[dict]]] = [[] for _ in columns]
    for line in lines:
        parts: dict[int, list[dict]] = {}
        for word in line:
            parts.setdefault(max(_column(word["x0"], columns), 0), []).append(word)
        for index, part in parts.items():
            out[index].append(part)
    return out


def _single(page, top: float, line: list[dict]) -> PdfRow:
    return PdfRow([Cell(words_text(line))], page.page_number, top, 0, 0, single=True)
