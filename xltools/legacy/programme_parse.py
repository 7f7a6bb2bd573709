"""Read a programme plan's structure out of its rows of cells (text or Word).

A programme plan (the seed 003 shape, issue 27) is not a tracker table but a
document: aims, each with numbered programmes and their purpose ("Aim 2: …"
then "Programme | Description and Purpose" rows), one plan-on-a-page table per
programme (Programme | Purpose | SAO / RDL / Lead Member | Key Activities |
Start | End, continued over pages), a KPI list by aim and a risk table. Copied
to text, a table row's cells are tab-separated, but one printed row often holds
several activities ("6.1 … 6.2 … 6.10 …") with their start and end months run
together in one cell each ("May 2024 May 2024 June 2024 …").

So the key-activity cell is split at the activity numbers of its programme and
the sub-items at their letters (a), b) …, in sequence, so a stray "e)" in a
sentence is not one); the date runs are matched to the items of the row in
order — to its numbered activities when the counts agree, else to its lettered
sub-items when those agree — and otherwise nothing is guessed: the row's items
keep no dates and a ``Mismatch`` records the programme and the dates printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

Cells = list[str]
Rows = list[tuple[int, Cells]]

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
DATE_TOKEN = re.compile(rf"\b{_MONTH}\.?\s+\d{{4}}(?:\s*\((?:and\s+)?ongoing\))?|\bstarted\b|"
                        r"\bongoing\b|\btbc\b|\bas soon as possible\b", re.IGNORECASE)
AIM_HEADING = re.compile(r"^Aim\s+(\d{1,2})\s*:\s*(.+)$")
PROGRAMME_ROW = re.compile(r"^(\d{1,2})\.\s+(.+)$")
PAGE_HEADER = re.compile(r"^Programme\s+(\d{1,2})\b", re.IGNORECASE)
PEOPLE_LABEL = re.compile(r"\b(SAO|RDL|Lead Member)\s*:", re.IGNORECASE)


@dataclass
class Milestone:
    """A lettered sub-item of a key activity (kept with it: docs/decisions.md)."""

    letter: str
    text: str
    start: str = ""
    end: str = ""


@dataclass
class Activity:
    ref: str
    text: str
    line: int
    start: str = ""
    end: str = ""
    milestones: list[Milestone] = field(default_factory=list)


@dataclass
class Programme:
    number: int
    name: str = ""
    purpose: str = ""
    aim: int | None = None
    people: list[str] = field(default_factory=list)  # the SAO / RDL cell's pieces, in order
    line: int = 0
    activities: list[Activity] = field(default_factory=list)

    @property
    def roles(self) -> dict[str, str]:
        """SAO, RDL and Lead Member as printed (each the text after its label)."""
        return people_roles(" ".join(self.people))


@dataclass
class Mismatch:
    """A printed row whose date runs do not line up with its activities."""

    programme: int
    line: int
    refs: list[str]
    starts: list[str]
    ends: list[str]


@dataclass
class Risk:
    number: int
    title: str
    description: str
    mitigation: str
    line: int


@dataclass
class ProgrammePlan:
    title: str = ""
    aims: dict[int, str] = field(default_factory=dict)
    programmes: dict[int, Programme] = field(default_factory=dict)
    kpis: list[tuple[str, str]] = field(default_factory=list)  # (measure, aim text or "")
    risks: list[Risk] = field(default_factory=list)
    mismatches: list[Mismatch] = field(default_factory=list)


def tidy(value: object) -> str:
    return " ".join(str(value or "").split())


def people_roles(text: str) -> dict[str, str]:
    """{"SAO": …, "RDL": …, "Lead Member": …}: each role's first labelled text."""
    roles: dict[str, str] = {}
    marks = list(PEOPLE_LABEL.finditer(text))
    for mark, after in zip(marks, [*marks[1:], None], strict=False):
        name = {"sao": "SAO", "rdl": "RDL"}.get(mark.group(1).casefold(), "Lead Member")
        value = text[mark.end(): after.start() if after else len(text)]
        value = re.sub(r"\bLead Member\s*$", "", tidy(value)).strip(" ,;")
        if value and name not in roles:
            roles[name] = value
    return roles


def is_page_header(cells: Cells) -> bool:
    """The plan-on-a-page table's header row: "Programme N … | Purpose … | … Start | End"."""
    texts = [tidy(c).casefold() for c in cells]
    return bool(texts and PAGE_HEADER.match(texts[0])) and "start" in texts and any(
        t.startswith("key activities") for t in texts)


ITEM_START = re.compile(r"^(?:\d{1,2}\.\d{1,2}\.?|[a-lA-L]\))(?=\s|$)")


def starts_item(cells: Cells) -> bool:
    """Whether a printed row starts a key activity ("6.2 …") or a lettered sub-item
    ("b) …") in a cell after the programme's name and purpose, rather than going
    on with the text of the row before (a row split over a page)."""
    return any(ITEM_START.match(tidy(c)) for c in cells[2:])


def looks_like_programme_plan(rows: Rows) -> bool:
    """Two or more plan-on-a-page headers: a programme plan, not a tracker."""
    return sum(1 for _, cells in rows if is_page_header(cells)) >= 2


def parse_programme_plan(rows: Rows) -> ProgrammePlan:
    plan = ProgrammePlan(title=next((tidy(c[0]) for _, c in rows if c and tidy(c[0])), ""))
    listed = _aims_and_programmes(rows, plan)
    tables = _PageTables(plan)
    tables.read(rows)
    _name_programmes(plan, listed, {n: " ".join(p) for n, p in tables.names.items()})
    plan.kpis = _kpis(rows, plan)
    plan.risks = _risks(rows)
    return plan


# -- aims and the programme list ------------------------------------------------
def _aims_and_programmes(rows: Rows, plan: ProgrammePlan) -> dict[int, Programme]:
    """"Aim N: title" headings and, under each, "N. Programme<TAB>purpose" rows: the
    programmes as the plan lists them (matched to the page tables by name later —
    a plan may number them differently in its list and its appendix)."""
    aim = None
    listed: dict[int, Programme] = {}
    for line, cells in rows:
        first = tidy(cells[0]) if cells else ""
        heading = AIM_HEADING.match(first)
        if heading and len([c for c in cells if tidy(c)]) == 1:
            aim = int(heading.group(1))
            plan.aims[aim] = tidy(heading.group(2))
            continue
        if first.startswith(("Section ", "Appendix ")):
            aim = None
        row = PROGRAMME_ROW.match(first)
        if aim is not None and row and len(cells) >= 2 and tidy(cells[1]):
            number = int(row.group(1))
            listed[number] = Programme(number, tidy(row.group(2)), tidy(cells[1]), aim,
                                       line=line)
    return listed


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]{3,}", text.casefold())) - {"the", "and", "our", "programme"}


def _name_programmes(plan: ProgrammePlan, listed: dict[int, Programme],
                     printed: dict[int, str]) -> None:
    """Each page table's programme gets the listed name, purpose and aim that its
    printed name matches best (most shared words), else the one with its number."""
    for number, programme in plan.programmes.items():
        words = _words(printed.get(number, ""))
        best = max(listed.values(), key=lambda p: len(words & _words(p.name)), default=None)
        if best is None or len(words & _words(best.name)) < max(1, len(_words(best.name)) // 2):
            best = listed.get(number)
        if best is not None:
            programme.name, programme.purpose, programme.aim = best.name, best.purpose, best.aim
        elif printed.get(number):
            programme.name = re.sub(r"^Programme\s+\d+\s*", "", printed[number], flags=re.I)
    for number, programme in listed.items():  # listed but without a page table
        if not any(p.name == programme.name for p in plan.programmes.values()):
            plan.programmes.setdefault(number, programme)
    plan.programmes = dict(sorted(plan.programmes.items()))


# -- the plan-on-a-page tables ------------------------------------------------------
class _PageTables:
    """Walks the tables row by row, keeping the programme and the item being read."""

    def __init__(self, plan: ProgrammePlan):
        self.plan = plan
        self.programme: Programme | None = None
        self.item: Activity | Milestone | None = None
        self.names: dict[int, list[str]] = {}

    def read(self, rows: Rows) -> None:
        for line, raw in rows:
            cells = [str(c or "") for c in raw]
            first = tidy(cells[0]) if cells else ""
            if is_page_header(cells):
                number = int(PAGE_HEADER.match(first).group(1))
                if self.programme is None or self.programme.number != number:
                    self.item = None  # "Programme 3 continued" goes on with the same item
                self.programme = self.plan.programmes.setdefault(
                    number, Programme(number, line=line))
                continue
            if first.casefold().startswith("appendix"):
                self.programme = None  # the KPI and risk appendices are read apart
            if self.programme is None:
                continue
            if first.isdigit():  # a page number printed in the first column
                cells[0] = first = ""
            if tidy(cells[2] if len(cells) > 2 else "").casefold() == "lead member" and not any(
                    tidy(c) for c in cells[3:]):
                continue  # the header's second row
            self._row(line, cells)

    def _row(self, line: int, cells: Cells) -> None:
        programme = self.programme
        at = next((i for i, c in enumerate(cells) if i >= 2 and self._starts_item(c)), None)
        if at is None:
            at = 3 if len(cells) > 3 else len(cells)
        if at >= 2 and tidy(cells[0]):
            self.names.setdefault(programme.number, []).append(tidy(cells[0]))
        if at >= 3 and tidy(cells[2]):
            if not programme.people or programme.people[-1] != tidy(cells[2]):
                programme.people.append(tidy(cells[2]))
        text = tidy(cells[at]) if at < len(cells) else ""
        items = self._split(text, line)
        starts = DATE_TOKEN.findall(cells[at + 1]) if at + 1 < len(cells) else []
        ends = DATE_TOKEN.findall(cells[at + 2]) if at + 2 < len(cells) else []
        self._dates(line, items, [tidy(s) for s in starts], [tidy(e) for e in ends])

    def _starts_item(self, cell: str) -> bool:
        return bool(self._activity_at(tidy(cell), 0)) or bool(
            re.match(r"^[a-lA-L]\)\s", tidy(cell)) and self.item is not None)

    def _activity_at(self, text: str, pos: int) -> re.Match | None:
        number = self.programme.number
        return re.compile(rf"(?<!\S){number}\.(\d{{1,2}})\.?(?=\s)").match(text, pos)

    def _split(self, text: str, line: int) -> list[Activity | Milestone]:
        """The row's items, new ones appended to the programme; text before the first
        continues the item the previous row ended on."""
        number = self.programme.number
        marks = re.compile(rf"(?<!\S)(?:{number}\.(\d{{1,2}})\.?|([a-lA-L])\))(?=\s)")
        found: list[Activity | Milestone] = []
        last = 0
        target = self.item  # the item the previous row ended on
        for mark in marks.finditer(text):
            before = text[last:mark.start()]
            item = self._new_item(mark, line)
            if item is None:
                continue
            self._extend(target, before)
            target, last = item, mark.end()
            found.append(item)
        self._extend(target, text[last:])
        return found

    def _new_item(self, mark: re.Match, line: int) -> Activity | Milestone | None:
        if mark.group(1):
            ref = f"{self.programme.number}.{int(mark.group(1))}"
            done = self.programme.activities
            if done and done[-1].ref == ref:  # reprinted in full at the top of a new page
                done[-1].text, done[-1].milestones = "", []
                self.item = done[-1]
                return done[-1]
            activity = Activity(f"{self.programme.number}.{int(mark.group(1))}", "", line)
            self.programme.activities.append(activity)
            self.item = activity
            return activity
        letter = mark.group(2).lower()
        activity = self.programme.activities[-1] if self.programme.activities else None
        expected = chr(ord("a") + len(activity.milestones)) if activity else None
        if letter != expected:
            return None  # a letter out of sequence is part of a sentence
        milestone = Milestone(letter, "")
        activity.milestones.append(milestone)
        self.item = milestone
        return milestone

    @staticmethod
    def _extend(target: Activity | Milestone | None, text: str) -> None:
        text = tidy(text)
        if text and target is not None:
            target.text = tidy(f"{target.text} {text}")

    def _dates(self, line: int, items: list, starts: list[str], ends: list[str]) -> None:
        if not starts and not ends:
            return
        numbered = [i for i in items if isinstance(i, Activity)]
        lettered = [i for i in items if isinstance(i, Milestone)]
        if not items and self.item is not None and len(starts) <= 1 and len(ends) <= 1 \
                and not (self.item.start or self.item.end):
            numbered = [self.item]  # a continued row's dates: the item it continues
        for group in (numbered, lettered):
            if group and len(starts) in (len(group), 0) and len(ends) in (len(group), 0):
                for i, item in enumerate(group):
                    item.start = starts[i] if starts else item.start
                    item.end = ends[i] if ends else item.end
                return
        refs = [i.ref if isinstance(i, Activity) else f"{self._owner(i)}{i.letter})"
                for i in items] or [self._ref_of(self.item)]
        self.plan.mismatches.append(Mismatch(self.programme.number, line, refs, starts, ends))

    def _owner(self, milestone: Milestone) -> str:
        owner = next((a for a in self.programme.activities if milestone in a.milestones), None)
        return f"{owner.ref} " if owner else ""

    def _ref_of(self, item) -> str:
        if isinstance(item, Activity):
            return item.ref
        return f"{self._owner(item)}{item.letter})" if item else "(no activity)"


# -- KPIs and risks -------------------------------------------------------------
def _section(rows: Rows, start: str, stop: str) -> Rows:
    inside, out = False, []
    for line, cells in rows:
        first = tidy(cells[0]) if cells else ""
        if first.startswith(start):
            inside = True
            continue
        if inside and first.startswith(stop):
            break
        if inside:
            out.append((line, cells))
    return out


def _kpis(rows: Rows, plan: ProgrammePlan) -> list[tuple[str, str]]:
    """Appendix A2's metrics, each with the aim printed beside it (when one is)."""
    kpis = []
    aim_words = {n: set(t.casefold().replace(",", "").split()) for n, t in plan.aims.items()}
    aim = ""
    for _, cells in _section(rows, "Appendix A2", "Appendix A3"):
        texts = [tidy(c) for c in cells if tidy(c)]
        if not texts or texts[:2] == ["Aim", "Metric"]:
            continue
        if len(texts) >= 2:
            aim = _aim_named(texts[0], aim_words, plan) or aim
            metric = texts[1]
        elif _aim_named(texts[0], aim_words, plan):
            aim = _aim_named(texts[0], aim_words, plan)
            continue
        else:
            metric = texts[0]
        for piece in re.split(r"\s\d{1,3}\s(?=[A-Z])", metric):  # a page number run in
            kpis.append((piece.strip(), aim))
    return kpis


def _aim_named(text: str, aim_words: dict[int, set[str]], plan: ProgrammePlan) -> str:
    """The aim a fragment of the aim column names ("A Council that delivers with")."""
    words = set(text.casefold().replace(",", "").split())
    if not words:
        return ""
    best = max(aim_words, key=lambda n: len(words & aim_words[n]), default=None)
    if best is None or not words <= aim_words[best] | {"a", "with", "that", "is"}:
        return ""
    return plan.aims[best]


def _risks(rows: Rows) -> list[Risk]:
    """Appendix A3's table: number | title | description | mitigation."""
    risks: list[Risk] = []
    for line, cells in _section(rows, "Appendix A3", "Appendix A4"):
        texts = [tidy(c) for c in cells]
        number = re.match(r"^(\d{1,2})\b", texts[0]) if texts else None
        if number and len(texts) >= 3:
            body = [*texts[1:4], "", ""][:3]
            risks.append(Risk(int(number.group(1)), *body, line=line))
        elif risks and any(texts[1:]):  # a row continued over a page
            risk = risks[-1]
            for attr, value in zip(("title", "description", "mitigation"), texts[1:4],
                                   strict=False):
                if value:
                    setattr(risk, attr, tidy(f"{getattr(risk, attr)} {value}"))
    return risks
