"""The evidence a PDF reader has for how a cell's lines join: words and names.

A layout engine breaks a word it cannot fit on a line at the cell's edge, with
no hyphen ("Comple" / "te", "Summersc" / "ales"); it wraps a name over two
lines ("Colin" / "Pettigrew"); a bullet or a gap between lines starts a new
paragraph. A PDF keeps only the words and where they are, so ``join`` decides
each line break from what a careful reader would use:

* **a word broken at the cell edge** is rejoined without a space when the line
  before filled the cell (the room left was less than one character) and the
  joined word is a word — seen whole in the document (``Vocabulary``: words with
  a neighbour on both sides on one line, so never a fragment), or in an English
  word list (pyspellchecker's, British spellings read as their American twins);
* **a name seen whole** elsewhere in the document (two capitalised words side by
  side) or in the plan's officer list is joined with a space, never split;
* **a bullet glyph** or **a vertical gap** larger than a line's spacing starts a
  new line.

A join is *certain* when that evidence decides it; when it does not (the line
filled the cell, the continuation starts in lower case, but no word list knows
the word) the choice is made and returned as a doubt, for a ``REVIEW``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache

BULLETS = ("•", "\uf0b7", "\uf0a7", "▪", "◦", "●", "■", "○", "➢")
WORD = re.compile(r"^[^\w]*([A-Za-z][A-Za-z'’]*[A-Za-z]|[A-Za-z])[^\w]*$")
NEIGHBOUR = 1.8  # spaces: a word this close on the same line is in the same cell
LIST_MARK = re.compile(r"\(?[a-z]\)")  # "b)", "(c)": a lettered list item
NUMBERED = re.compile(r"\d{1,2}\.\d{1,2}\.?")  # "6.2": a numbered item (activity 6.2)
PARAGRAPH_GAP = 0.6  # text heights: a bigger gap between lines is a new paragraph
BRITISH = ((r"isation", "ization"), (r"ise", "ize"), (r"ised", "ized"), (r"ising", "izing"),
           (r"ises", "izes"), (r"our", "or"), (r"ours", "ors"), (r"tre", "ter"),
           (r"lled", "led"), (r"lling", "ling"), (r"ogramme", "ogram"), (r"ence", "ense"))


@cache
def _dictionary():
    from spellchecker import SpellChecker  # loads a word list: only when a PDF is read
    return SpellChecker(distance=1)


def frequency(word: str) -> int:
    """How common an English word is (British spellings as their American twins,
    a plural as its singular); 0 when the word list does not have it."""
    word = re.sub(r"['’]s$", "", word.casefold())  # "children's" is "children"
    known = _dictionary().word_frequency
    forms = [word, word[:-1]] if len(word) > 4 and word.endswith("s") else [word]
    forms += [f[: -len(b)] + a for f in list(forms) for b, a in BRITISH if f.endswith(b)]
    return next((known[f] for f in forms if f in known), 0)


def in_word_list(word: str) -> bool:
    """An English word, in British or American spelling."""
    return len(word) > 1 and frequency(word) > 0 or word.casefold() in ("a", "i")


def common_word(word: str) -> bool:
    """A word that stands on its own in running text: word lists also hold rare
    pieces of words ("te", "ales"), which a broken word leaves behind."""
    if word.casefold() in ("a", "i"):
        return True
    return frequency(word) >= (100_000 if len(word) <= 3 else 1_000)


@dataclass
class Vocabulary:
    """Words and names the document itself spells out whole."""

    words: set[str] = field(default_factory=set)
    names: set[tuple[str, str]] = field(default_factory=set)

    @classmethod
    def of(cls, pages: Iterable[list[dict]], officers: Iterable[str] = ()) -> Vocabulary:
        vocab = cls()
        for words in pages:
            for segment in _segments(words):
                texts = [w["text"] for w in segment]
                for inner in texts[1:-1]:  # with a neighbour on both sides: never a piece
                    if core(inner):
                        vocab.words.add(core(inner).casefold())
                for a, b in zip(texts, texts[1:], strict=False):
                    vocab.add_name(a, b)
        for officer in officers:
            parts = str(officer).split()
            vocab.words.update(core(p).casefold() for p in parts if core(p))
            for a, b in zip(parts, parts[1:], strict=False):
                vocab.add_name(a, b)
        return vocab

    def add_name(self, a: str, b: str) -> None:
        if _capitalised(a) and _capitalised(b):
            self.names.add((core(a).casefold(), core(b).casefold()))

    def is_word(self, word: str) -> bool:
        word = core(word)
        return bool(word) and (word.casefold() in self.words or in_word_list(word))

    def stands_alone(self, word: str) -> bool:
        """A word in its own right, not a piece a broken word left behind."""
        word = core(word)
        return bool(word) and (word.casefold() in self.words or common_word(word))

    def is_name(self, a: str, b: str) -> bool:
        return (core(a).casefold(), core(b).casefold()) in self.names


VOCABULARY: ContextVar[Vocabulary | None] = ContextVar("pdf_vocabulary", default=None)
"""The document being read's vocabulary, set by ``pdf.read_pdf`` for the cells it
reads (so the ruled and unruled readers need not pass it through every call)."""


def core(token: str) -> str:
    """A token without its punctuation ("(Prospect," → "Prospect"); "" if not a word."""
    match = WORD.match(token)
    return match.group(1) if match else ""


def _capitalised(token: str) -> bool:
    word = core(token)
    return len(word) > 1 and word[0].isupper() and word[1:].islower()


def _segments(words: list[dict]) -> list[list[dict]]:
    """A page's words as runs on one line with word spacing between them (a run
    never crosses from one cell into the next: cell padding is wider)."""
    out: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        last = out[-1][-1] if out else None
        height = word["bottom"] - word["top"]
        if last is not None and abs(word["top"] - last["top"]) <= 3.0 and \
                0 <= word["x0"] - last["x1"] < NEIGHBOUR * height / 3:
            out[-1].append(word)
        else:
            out.append([word])
    return out


def starts_paragraph(before: list[dict], after: list[dict]) -> bool:
    """A bullet glyph, or more space between the lines than a line's spacing."""
    if after[0]["text"].startswith(BULLETS):
        return True
    height = before[-1]["bottom"] - before[-1]["top"]
    return after[0]["top"] - before[-1]["bottom"] > PARAGRAPH_GAP * height


def broken_word(before: list[dict], after: list[dict], slack: float, so_far: str = ""
                ) -> tuple[bool, str | None]:
    """Was the last word of ``before`` broken at the cell edge and continued at the
    start of ``after``? (joined?, doubt in words or None when certain).
    ``so_far``: the cell's last word as joined up to here ("Depar" + "tment" is
    "Department" when "al" comes next)."""
    piece, first = before[-1]["text"], after[0]["text"]
    last = so_far if so_far.endswith(piece) else piece
    char = (before[-1]["x1"] - before[-1]["x0"]) / max(len(piece), 1)
    if slack > 1.6 * char or not (last[-1:].isalnum() or re.search(r"\d\.$", last)):
        return False, None
    if first[:1] in ".,;:)]" and len(first) <= 2:
        return True, None  # "September" / ".": the stop did not fit
    if NUMBERED.fullmatch(first) and len(after) > 1:
        return False, None  # "6.2 Agree …": the next numbered item starts the line
    if re.search(r"\d\.?$", last) and first[:1].isdigit():
        return True, None  # "2.1" / "0", "1." / "1": a number broken in a narrow column
    if not first[:1].isalpha() or (first[0].isupper() and not (last.isalpha()
                                                               and last.isupper())):
        return False, None  # a capital starts a word (but "DEVELOP" / "MENT")
    if LIST_MARK.fullmatch(first):
        return False, None  # "b)" starts the next item of a lettered list
    if len(core(first)) == 1 and first[0].islower() and first[0] not in "ai":
        return True, None  # "Pettigre" / "w": a lone letter is no word of its own
    vocab = VOCABULARY.get() or Vocabulary()
    last = re.split(r"[/(\[.,;:]", last)[-1] or last  # "sufficient/prioritis": its last word
    joined = core(last + first)
    whole = bool(joined) and vocab.is_word(joined)
    left, right = vocab.stands_alone(last), vocab.stands_alone(first)
    if whole and not (left and right):
        return True, None
    if whole:  # "Account" + "able", "some" + "times": both readings are words
        if joined.casefold() in vocab.words:
            return True, None  # the document spells it whole elsewhere
        # one word when the piece filled a line alone, when neither part is a short word
        # ("in" / "to" wrap as often as anything), or a name goes on in lower case
        one = (len(before) == 1 or min(len(core(last)), len(core(first))) >= 4
               or (_capitalised(last) and first.islower()))
        return one, (f"'{last} {first}' at the cell edge read as one word" if one else None)
    acronym = sum(ch.isupper() for ch in last) >= 2  # "CYP", "NQSWs", "D2N2"
    unknown = bool(core(last)) and not vocab.is_word(last) and not acronym
    if unknown and not right:  # "Summersc" + "ales"; not "manageable" + "caseloads"
        return True, (f"'{last}' + '{first}' joined as '{last}{first}' (a word broken at "
                      "the cell edge that no word list has)")
    if unknown:  # "smartph" + "ones": kept apart, but no word list knows the first part
        return False, (f"'{last} {first}' at the cell edge read as two words ('{last}' is "
                       "in no word list: it may be a word broken there)")
    return False, None


NAME_WORD = re.compile(r"^[A-Z][a-z'’\-]+[,;]?$|^[/&]$")


def names_only(lines: list[list[dict]]) -> bool:
    """Every line of the cell is a few capitalised words: a list of names."""
    return len(lines) > 1 and all(
        len(line) <= 3 and all(NAME_WORD.match(w["text"]) for w in line) for line in lines)


def name_break(paragraph: str, after: list[dict]) -> tuple[bool, str | None]:
    """In a cell of names, does ``after`` start the next name? Yes once the name so
    far has two words (a first name and a surname) — unless the document shows
    the words either side of the break as one name. (break?, doubt or None)."""
    words = [w for w in paragraph.split() if w not in "/&"]
    vocab = VOCABULARY.get() or Vocabulary()
    if words and vocab.is_name(words[-1], after[0]["text"]):
        return False, None
    if len(words) < 2:
        return False, None
    if vocab.is_name(words[-2], words[-1]):
        return True, None
    return True, (f"'{' '.join(words[-2:])}' / '{after[0]['text']}' read as two names "
                  "on separate lines")
