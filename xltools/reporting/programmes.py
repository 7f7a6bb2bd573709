"""A programme plan as the board reads it: aims → programmes → key activities.

A programme plan's workbook keeps each activity as an Actions row whose Section is
its programme, and the programme's aim, purpose, SAO, RDL and Lead Member in the
hidden Settings (``programmes``, ``aims``: docs/decisions.md "Programme plans").
The Dashboard, the highlight report and the plan-on-a-page paper all group by
this one view, so a programme is named and ordered the same way in each.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..workbook.book import Book, Row


@dataclass
class Programme:
    """One programme, its people and its activities (Actions rows, in sheet order)."""

    section: str  # the Section value its activities carry, e.g. "3. Manage and monitor …"
    number: str = ""
    name: str = ""
    aim: str = ""  # the aim's number ("1"), as printed
    aim_title: str = ""
    purpose: str = ""
    sao: str = ""
    rdl: str = ""
    lead_member: str = ""
    activities: list[Row] = field(default_factory=list)


def programmes(book: Book) -> list[Programme]:
    """The plan's programmes in plan order, each with its activities.

    Activities whose Section names no programme in Settings (a programme added by
    hand on the Actions sheet) get a programme of their own, after the plan's, so
    every activity is shown once and none is dropped."""
    aims = {str(k): str(v) for k, v in (book.extra_settings.get("aims") or {}).items()}
    found: dict[str, Programme] = {}
    for entry in book.extra_settings.get("programmes") or []:
        section = str(entry.get("section") or "")
        if not section or section in found:
            continue
        aim = str(entry.get("aim") or "")
        found[section] = Programme(
            section=section, number=str(entry.get("number") or ""),
            name=str(entry.get("name") or section), aim=aim, aim_title=aims.get(aim, ""),
            purpose=str(entry.get("purpose") or ""), sao=str(entry.get("sao") or ""),
            rdl=str(entry.get("rdl") or ""), lead_member=str(entry.get("lead_member") or ""))
    for row in book.actions:
        section = str(row.get("section") or "") or "(no programme)"
        if section not in found:
            found[section] = Programme(section=section, name=section)
        found[section].activities.append(row)
    return list(found.values())


def by_aim(book: Book) -> list[tuple[str, str, list[Programme]]]:
    """(aim number, aim title, its programmes) in plan order; programmes with no aim
    come last under an empty aim."""
    groups: dict[str, tuple[str, str, list[Programme]]] = {}
    for programme in programmes(book):
        key = programme.aim
        groups.setdefault(key, (key, programme.aim_title, []))[2].append(programme)
    return sorted(groups.values(), key=lambda g: (g[0] == "", _number(g[0])))


def _number(text: str) -> tuple[int, str]:
    digits = "".join(ch for ch in text if ch.isdigit())
    return (int(digits) if digits else 0, text)
