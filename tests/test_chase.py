"""Chase e-mails from the hand-built master: one parseable .eml per officer with
something to do, none for the others, the missing return attached."""

from __future__ import annotations

import io
from email import policy
from email.parser import BytesParser

import pytest
from openpyxl import load_workbook
from pmo_master import AS_OF, master_book

from xltools.cli import main
from xltools.errors import PlanError
from xltools.plan import Plan
from xltools.workbook.reader import read_book
from xltools.workbook.writer import write_book

EMAILS = {"Steve Edwards": "steve.edwards@example.gov.uk", "Lucy Peel": "lucy.peel@example.gov.uk"}


@pytest.fixture
def master(tmp_path, plan):
    """The master after consolidation: Nigel Harlow sent nothing; of the joint leads
    of 1.2, Sue Summerscales sent nothing and Laurence Jones did."""
    book = master_book(plan.with_changes(officer_emails=EMAILS))
    for row in book.actions:
        if row["id"] == "A-0011":
            row["flags"] = "MISSING_RETURN: no return from Nigel Harlow for Q2 2019/20"
        if row["id"] == "A-0002":
            row["flags"] = "MISSING_RETURN: no return from Sue Summerscales for Q2 2019/20"
    return write_book(book, tmp_path / "master.xlsx")


def _read(path):
    return BytesParser(policy=policy.default).parse(path.open("rb"))


def test_one_draft_per_officer_with_something_to_do(master, tmp_path):
    outbox = tmp_path / "outbox"
    assert main(["chase", str(master), "-o", str(outbox), "--as-of", AS_OF.isoformat()]) == 0
    mails = {_read(p)["X-Xltools-Officer"]: _read(p) for p in outbox.glob("*.eml")}
    assert set(mails) == {"Laurence Jones", "Sue Summerscales", "Simon Lacey", "Steve Edwards",
                          "Derek Higton", "Lucy Peel", "Helen Richardson", "Nigel Harlow"}
    # nothing to do, no e-mail: Jon Hawketts, Rob Disney, Luke Barrett, Catherine Kelly
    steve = mails["Steve Edwards"]
    assert steve["To"] == "Steve Edwards <steve.edwards@example.gov.uk>"
    assert steve["From"] == "Improvement PMO <pmo@example.gov.uk>"
    assert steve["Subject"] == ("Children and Families Department Improvement Plan, "
                                "Q2 2019/20: 1 action needs your attention")
    assert steve["X-Unsent"] == "1"  # Outlook opens it as a draft
    text = steve.get_body(("plain",)).get_content()
    assert text.startswith("Dear Steve Edwards,")
    assert "1.5  Action 1.5\n" in text  # by Ref and title, as the officer's return shows it
    assert "A-00" not in text  # the internal ID is on nothing the officer sees
    assert "was due by 31 July 2019" in text  # OVERDUE, in the flag's own words
    assert "Steve Edwards, please" not in text and "; please" in text  # spoken to him
    assert "by Monday 14 October 2019" in text  # the deadline
    assert mails["Simon Lacey"]["To"] is None  # no address in the plan: the PMO adds it


def test_missing_return_is_attached_and_only_the_silent_joint_officer_chased(master, tmp_path):
    outbox = tmp_path / "outbox"
    main(["chase", str(master), "-o", str(outbox), "--as-of", AS_OF.isoformat()])
    nigel = _read(outbox / "Q2_2019-20_Nigel_Harlow.eml")
    assert "not been received" in nigel["Subject"]
    (attachment,) = list(nigel.iter_attachments())
    assert attachment.get_filename() == "Q2_2019-20_Nigel_Harlow.xlsx"
    assert load_workbook(io.BytesIO(attachment.get_content())).active.title == "Guidance"
    ret = tmp_path / "ret.xlsx"
    ret.write_bytes(attachment.get_content())
    book = read_book(ret)
    assert book.kind == "return" and book.officer == "Nigel Harlow"
    assert [r["id"] for r in book.actions] == ["A-0011"]
    laurence = _read(outbox / "Q2_2019-20_Laurence_Jones.eml")
    assert not list(laurence.iter_attachments())  # he sent his: chased for 1.2's update only
    assert "not been received" not in laurence["Subject"]
    assert "same progress update as last quarter" in laurence.get_body(("plain",)).get_content()


def test_nobody_to_chase_writes_nothing(tmp_path, plan, capsys):
    book = master_book(plan)
    book.actions = [r for r in book.actions if r["id"] == "A-0005"]  # complete, updated
    path = write_book(book, tmp_path / "m.xlsx")
    assert main(["chase", str(path), "-o", str(tmp_path / "out"),
                 "--as-of", AS_OF.isoformat()]) == 0
    assert not list((tmp_path / "out").glob("*.eml"))
    assert "Nobody to chase" in capsys.readouterr().out


def test_officer_emails_are_optional_checked_and_kept_out_of_returns(plan, tmp_path):
    assert Plan.from_dict({**plan.to_dict(), "officer_emails": EMAILS}).email_of(
        "lucy  PEEL") == "lucy.peel@example.gov.uk"
    with pytest.raises(PlanError, match="officer_emails"):
        Plan.from_dict({**plan.to_dict(), "officer_emails": {"Lucy Peel": "not an address"}})
    with_emails = plan.with_changes(officer_emails=EMAILS)
    master = write_book(master_book(with_emails), tmp_path / "m.xlsx")
    assert read_book(master).plan.officer_emails == EMAILS  # the master keeps them
    main(["issue", str(master), "-o", str(tmp_path / "returns")])
    ret = read_book(tmp_path / "returns" / "Q2_2019-20_Lucy_Peel.xlsx")
    assert ret.plan.officer_emails == {}  # a return goes to one officer: no address book


def test_joint_action_in_conflict_says_what_each_wrote_and_what_to_do(cycle, tmp_path):
    """Both officers of a joint action dated and sent an update, differently: each is
    told what the other wrote and to agree one update — not that their update has no
    'Last updated' date (the master keeps last quarter's, undated, until the PMO decides)."""
    from returns_data import HELEN, LUCY, fill_return

    from xltools.cycle.chase import write_chases
    from xltools.cycle.consolidate import consolidate

    fill_return(cycle[1] / LUCY, {"A-0012": {"Progress update": "CPD offer relaunched.",
                                             "RAG status": "Green"}})
    fill_return(cycle[1] / HELEN, {"A-0012": {"Progress update": "CPD offer delayed.",
                                              "RAG status": "Amber"}})
    out = tmp_path / "q2.xlsx"
    consolidate(cycle[0], cycle[1], out, as_of=AS_OF)
    written = {c.officer: p for c, p in write_chases(read_book(out), tmp_path / "outbox",
                                                     as_of=AS_OF)}
    for officer, other in (("Lucy Peel", "Helen Richardson"), ("Helen Richardson",
                                                                "Lucy Peel")):
        text = _read(written[officer]).get_body(("plain",)).get_content()
        block = text.split("3.6  Good continuing professional development", 1)[1]
        block = block.split("\n\n", 1)[0]
        assert f"You and {other} sent different updates" in block
        assert "'CPD offer relaunched.', RAG status Green" in block
        assert "'CPD offer delayed.', RAG status Amber" in block
        assert f"please agree one update with {other}, and one of you send it" in block
        assert "Last updated" not in block and "A-00" not in text
        title_line = text.split("\n3.6  ", 1)[1].split("\n", 1)[0]
        assert title_line.endswith("…")  # the title is long: cut, and at a word boundary
        assert title_line[:-1].split()[-1] in TITLE_WORDS


TITLE_WORDS = ("Good continuing professional development and career progression "
               "opportunities through a refreshed CPD offer.").split()


# -- pins (issue 28): each failed with its bug planted (bench/mutants.py) ----------------


def test_an_unresolved_conflict_is_chased(tmp_path, plan):
    """Two different updates for 2.4, neither merged: its officer is asked to agree one
    (Jon Hawketts has nothing else to do this quarter)."""
    from xltools.cycle.chase import who_to_chase

    book = master_book(plan)
    for row in book.actions:
        if row["id"] == "A-0007":
            row["flags"] = ("CONFLICT: two returns sent different updates for this action; "
                            "neither was merged")
    chases = who_to_chase(read_book(write_book(book, tmp_path / "master.xlsx")), as_of=AS_OF)
    assert "Jon Hawketts" in chases
    assert [(row["id"], [f.code for f in found])
            for row, found in chases["Jon Hawketts"].items] == [("A-0007", ["CONFLICT"])]


def test_a_missing_returns_actions_are_listed_once_under_the_return(master, tmp_path):
    """Nigel sent nothing: his e-mail asks for the return and lists what it covers,
    not the same action again among "the following actions" with its symptoms."""
    outbox = tmp_path / "outbox"
    main(["chase", str(master), "-o", str(outbox), "--as-of", AS_OF.isoformat()])
    text = _read(outbox / "Q2_2019-20_Nigel_Harlow.eml").get_body(("plain",)).get_content()
    assert "Your return covers:" in text
    assert text.count("3.2  Action 3.2") == 1
    assert "Please look at the following" not in text


def test_draft_names_differ_ignoring_case():
    """Windows and SharePoint fold case: two officers whose names differ only in case
    (an unlisted "Ann de Souza" beside "Ann De Souza") must still get two drafts."""
    from xltools.cycle.chase import draft_names

    names = draft_names("Q2 2019/20", ["Ann De Souza", "Ann de Souza", "J. Smith", "J Smith"])
    assert len({n.casefold() for n in names.values()}) == 4
