"""Chase e-mails: one draft ``.eml`` per officer with something to fix or send.

The flags already say what each action needs in a sentence a PMO can paste
into an e-mail; this does the pasting. For every officer who answers for an
action (the plan's ``return_by``: lead officer by default) with a chased
finding — no return received, no update, an out-of-date or unchanged update,
overdue, Red/Amber without explanation, a value that breaks the rules, returns
that disagree — it writes one message: addressed by name (and e-mail address
when the plan's ``officer_emails`` has one), the plan and period in the
subject, the deadline, a plain list of their actions and what each needs, and
their return attached when it is missing. Officers with nothing to do get
nothing.

Standard library ``email`` only, and nothing is sent: the PMO opens each draft
(``X-Unsent: 1`` makes Outlook open it for editing), reads it and sends it.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr, make_msgid
from pathlib import Path

from ..findings import Finding, cut_words
from ..plan import Plan, split_officers
from ..reporting.flags import default_as_of, flag_book
from ..workbook.book import Book, Row, blank
from ..workbook.files import BINARY, NOFOLLOW, replacing
from ..workbook.writer import write_book
from .returns import by_column, return_book, return_filename
from .unresolved import conflict_texts

CHASED = ("MISSING_RETURN", "NO_UPDATE", "NO_NARRATIVE", "OUT_OF_DATE", "UNCHANGED",
          "OVERDUE", "NOT_STARTED", "SLIPPED", "INVALID", "CONFLICT")
# What the master's own cells say about an action in CONFLICT: it keeps last quarter's
# update, undated, until the PMO decides — not what the officers who wrote one did.
HIDDEN_BY_CONFLICT = ("NO_UPDATE", "NO_NARRATIVE", "OUT_OF_DATE", "UNCHANGED")
TITLE_LIMIT = 100  # characters of an action's title in an e-mail (cut at a word)
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(\.[\w-]+)+")


@dataclass
class Chase:
    """What one officer is asked for: their actions' findings, in master order."""

    officer: str
    email: str = ""
    items: list[tuple[Row, list[Finding]]] = field(default_factory=list)
    missing_rows: list[Row] = field(default_factory=list)  # actions their return lacks
    conflicts: dict[str, list[dict]] = field(default_factory=dict)  # ID -> what each said

    @property
    def missing_return(self) -> bool:
        return bool(self.missing_rows)

    @property
    def count(self) -> int:
        return sum(len(found) for _, found in self.items)


def who_to_chase(master: Book, *, as_of: date | None = None) -> dict[str, Chase]:
    """Officer → what they are chased for (only officers with something to do)."""
    plan = master.plan
    key = by_column(plan.return_by or "lead")
    listed = {n.casefold(): n for n in plan.individual_officers}
    report = flag_book(master, as_of=as_of or default_as_of(plan))
    by_id: dict[str, list[Finding]] = {}
    for finding in report.findings:
        if finding.code in CHASED and finding.action_id:
            by_id.setdefault(finding.action_id, []).append(finding)
    chases: dict[str, Chase] = {}
    texts = conflict_texts(master)
    for row in master.actions:
        found = by_id.get(str(row.get("id") or ""), [])
        officers = [listed.get(n.casefold(), n) for n in split_officers(row.get(key))]
        for officer in officers:
            theirs = [f for f in found if _concerns(f, officer, officers)]
            if any(f.code == "CONFLICT" for f in theirs):
                theirs = [f for f in theirs if f.code not in HIDDEN_BY_CONFLICT]
            if not theirs:
                continue
            chase = chases.setdefault(officer, Chase(officer, plan.email_of(officer)))
            if any(f.code == "CONFLICT" for f in theirs):
                chase.conflicts[str(row.get("id"))] = texts.get(str(row.get("id")), [])
            chase.items.append((row, theirs))
            if any(f.code == "MISSING_RETURN" for f in theirs):
                chase.missing_rows.append(row)
    return chases


def _concerns(finding: Finding, officer: str, officers: list[str]) -> bool:
    """A MISSING_RETURN names the officer who sent nothing; of a joint action, only
    that officer is chased for it. Every other finding goes to each officer."""
    if finding.code != "MISSING_RETURN" or len(officers) < 2:
        return True
    return officer.casefold() in finding.message.casefold()


def chase_message(master: Book, chase: Chase, *, as_of: date, attachment: bytes | None = None
                  ) -> EmailMessage:
    """The draft e-mail to one officer."""
    plan = master.plan
    msg = EmailMessage(policy=SMTP)
    if chase.email:
        msg["To"] = formataddr((chase.officer, chase.email))
    sender = _EMAIL.search(plan.contact or "")
    if sender:
        msg["From"] = formataddr((plan.contact.split(",")[0].strip(), sender.group(0)))
    msg["Subject"] = subject(plan, chase)
    msg["X-Unsent"] = "1"  # Outlook opens the file as a draft to send
    msg["X-Xltools-Officer"] = chase.officer
    msg["Message-ID"] = make_msgid(domain="xltools.invalid")
    msg.set_content(body(plan, chase, as_of))
    if attachment is not None:
        msg.add_attachment(attachment, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1],
                           filename=return_filename(plan.period, chase.officer))
    return msg


def subject(plan: Plan, chase: Chase) -> str:
    n = len(chase.items)
    what = ("your return has not been received" if chase.missing_return
            else "1 action needs your attention" if n == 1
            else f"{n} actions need your attention")
    return f"{plan.title}, {plan.period}: {what}"


def body(plan: Plan, chase: Chase, as_of: date) -> str:
    """Plain text: greeting, what is needed by when, one block per action, sign-off."""
    deadline = plan.deadline_date
    by = (f"by {deadline:%A} {deadline.day} {deadline:%B %Y}" if deadline and deadline >= as_of
          else "as soon as possible")
    lines = [f"Dear {chase.officer},", "",
             f"{plan.title}: progress report for {plan.period}.", ""]
    if chase.missing_return:
        lines += [f"We have not received your return for {plan.period}. It is attached: "
                  f"please fill it in and send it back {by}.", ""]
    # an action in the missing return needs the return, not a list of its symptoms
    missing = {id(row) for row in chase.missing_rows}
    others = [(row, found) for row, found in chase.items if id(row) not in missing]
    if others:
        lines += [f"Please look at the following {'action' if len(others) == 1 else 'actions'}"
                  f" and send what is needed {by}:", ""]
        for row, found in others:
            lines.append(_action_line(row))
            lines += [f"  - {_conflict(chase, row) if f.code == 'CONFLICT' else _sentence(f)}"
                      for f in found]
            lines.append("")
    if chase.missing_return:
        lines += ["Your return covers:"]
        lines += [_action_line(row) for row in chase.missing_rows]
        lines.append("")
    lines += ["Thank you.", "", plan.contact or "The PMO"]
    return "\n".join(lines) + "\n"


def _action_line(row: Row) -> str:
    """The action as the officer sees it on their return: Ref and title (cut at a word);
    the internal ID only for an action with no Ref, which the return would show alone."""
    ref = _text(row.get("ref")) or _text(row.get("id")) or "?"
    return f"{ref}  {cut_words(row.get('action'), TITLE_LIMIT)}"


def _conflict(chase: Chase, row: Row) -> str:
    """A conflict spoken to one of its officers: what each said, and what to do — agree
    the update with the co-owner, and one of them sends it."""
    said = chase.conflicts.get(str(row.get("id")), [])
    others = [t for t in said if (t.get("officer") or "").casefold()
              != chase.officer.casefold()]
    mine = [t for t in said if t not in others]
    names = " / ".join(dict.fromkeys(t.get("officer") or t.get("file") or "a colleague"
                                     for t in others)) or "the other officer for this action"
    parts = [f"You and {names} sent different updates for this action, so neither has "
             "been used:"]
    for who, texts in (("you", mine), (names, others)):
        for t in texts:
            wrote = [f"'{cut_words(t['progress_update'], 200)}'"] if t.get(
                "progress_update") else []
            wrote += [f"RAG status {t['rag']}"] if t.get("rag") else []
            parts.append(f"{who}: {', '.join(wrote) or 'no update'};")
    parts.append(f"please agree one update with {names}, and one of you send it to the "
                 "PMO (a reply to this e-mail will do).")
    return " ".join(parts)


def _sentence(finding: Finding) -> str:
    """The flag's sentence, spoken to the officer: "…; Steve Edwards, please send one"
    (or "…; Lucy Peel / Helen Richardson, please") becomes "…; please send one"."""
    text = re.sub(r";\s[^;,]+, please\b", "; please", finding.message)
    return text[0].upper() + text[1:] if text else finding.title


def _text(value) -> str:
    return "" if blank(value) else " ".join(str(value).split())


def write_chases(master: Book, out_dir: str | Path, *, as_of: date | None = None,
                 returns_dir: str | Path | None = None) -> list[tuple[Chase, Path]]:
    """Write one ``.eml`` per officer to chase into ``out_dir``; return what was written.

    A missing return is attached: the file issued to them from ``returns_dir`` when it is
    there, else one built now from the master (as ``xltools issue`` would)."""
    as_of = as_of or default_as_of(master.plan)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    chases = who_to_chase(master, as_of=as_of)
    names = draft_names(master.plan.period, list(chases))
    for officer, chase in chases.items():
        attachment = _return_bytes(master, chase, returns_dir) if chase.missing_return else None
        message = chase_message(master, chase, as_of=as_of, attachment=attachment)
        path = out / names[officer]
        _write_atomic(path, message.as_bytes())
        written.append((chase, path))
    return written


def draft_names(period: str, officers: list[str]) -> dict[str, str]:
    """Officer → draft file name, unique ignoring case (Windows and SharePoint fold it):
    names that make the same file name (``J. Smith``/``J Smith``, ``Ann Lee``/``Ann_Lee``)
    are numbered as ``issue`` numbers returns, so no draft overwrites another."""
    used: set[str] = set()
    out = {}
    for officer in officers:
        stem = return_filename(period, officer)[:-len(".xlsx")]
        name, number = f"{stem}.eml", 2
        while name.casefold() in used:
            name, number = f"{stem}_{number}.eml", number + 1
        used.add(name.casefold())
        out[officer] = name
    return out


def _return_bytes(master: Book, chase: Chase, returns_dir: str | Path | None) -> bytes:
    name = return_filename(master.plan.period, chase.officer)
    issued = _read_plain(Path(returns_dir) / name) if returns_dir is not None else None
    if issued is not None:
        return issued
    key = by_column(master.plan.return_by or "lead")
    rows = [r for r in master.actions
            if chase.officer.casefold() in (n.casefold() for n in split_officers(r.get(key)))]
    book = return_book(master, chase.officer, rows, by=master.plan.return_by or "lead")
    with tempfile.TemporaryDirectory(prefix="xltools-chase-") as tmp:
        return write_book(book, Path(tmp) / name, backup=False).read_bytes()


def _read_plain(path: Path) -> bytes | None:
    """The file at ``path`` if it is a plain file (a link there is not followed: its
    target could be anyone's private file, and it would go out in an e-mail)."""
    try:
        fd = os.open(path, os.O_RDONLY | NOFOLLOW | BINARY)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        return fh.read() if stat.S_ISREG(os.fstat(fh.fileno()).st_mode) else None


def _write_atomic(path: Path, data: bytes) -> None:
    with replacing(path, ".eml.tmp") as tmp:
        tmp.write_bytes(data)
