"""Desktop add-in on a Mac: protection lifted and restored through AppleScript.

There is no Mac (nor Excel) here, so the AppleScript side is checked two ways:
the command and property names xltools calls are in Excel's AppleScript
dictionary as xlwings ships it (``xlwings.mac_dict``, what appscript uses to
talk to Excel), and the lift/restore order is driven through a stand-in for
the appscript sheet reference that records each call.
"""

from __future__ import annotations

import pytest

from xltools.excel import actions, desktop, mac_protection


def test_the_applescript_names_are_in_excels_dictionary():
    from xlwings import mac_dict

    commands = {name: [p for p, _ in params] for name, _, params in mac_dict.commands}
    assert "unprotect" in commands
    assert set(mac_protection.PROTECT_OPTIONS) <= set(commands["protect_worksheet"])
    assert "protect_contents" in {name for name, _ in mac_dict.properties}


class Prop:
    def __init__(self, value):
        self.value = value

    def get(self):
        return self.value


class SheetRef:
    """Stands in for the appscript reference ``xw.Sheet.api`` is on a Mac."""

    def __init__(self, name, locked, calls):
        self.name, self.calls = name, calls
        self.protect_contents = Prop(locked)

    def unprotect(self):
        self.calls.append(("unprotect", self.name))
        self.protect_contents.value = False

    def protect_worksheet(self, **options):
        self.calls.append(("protect", self.name, tuple(sorted(options))))
        self.protect_contents.value = True


class Sheet:
    def __init__(self, name, locked, calls):
        self.name, self.api = name, SheetRef(name, locked, calls)


class Sheets(list):
    def __getitem__(self, key):
        return next(s for s in self if s.name == key) if isinstance(key, str) else \
            super().__getitem__(key)


class Book:
    def __init__(self, locked: dict[str, bool]):
        self.calls: list = []
        self.sheets = Sheets(Sheet(n, v, self.calls) for n, v in locked.items())


def test_a_mac_button_lifts_only_protected_sheets_it_writes_and_restores_them(monkeypatch):
    monkeypatch.setattr(mac_protection, "is_mac", lambda: True)
    book = Book({"Guidance": True, "Actions": True, "Savings": False, "Log": True,
                 "Settings": True})
    seen = []

    def consolidate(xwbook):
        seen.append([s.name for s in xwbook.sheets if s.api.protect_contents.get()])

    consolidate.__name__ = "consolidate"
    desktop.run(consolidate, book)
    assert seen == [["Guidance"]]  # while it ran, only Guidance (not written) was locked
    opts = tuple(sorted(mac_protection.PROTECT_OPTIONS))
    assert book.calls == [("unprotect", "Actions"), ("unprotect", "Log"),
                          ("unprotect", "Settings"), ("protect", "Actions", opts),
                          ("protect", "Log", opts), ("protect", "Settings", opts)]


def test_protection_comes_back_when_the_button_fails(monkeypatch):
    monkeypatch.setattr(mac_protection, "is_mac", lambda: True)
    book = Book({"Actions": True})

    def flag_stale(xwbook):
        raise RuntimeError("Excel said no")

    with pytest.raises(RuntimeError):
        desktop.run(flag_stale, book)
    assert book.sheets["Actions"].api.protect_contents.get() is True
    assert [c[0] for c in book.calls] == ["unprotect", "protect"]


def test_every_button_says_which_sheets_it_writes():
    from xltools.addin.buttons import BUTTONS
    from xltools.excel.sheets_needed import WRITES

    assert sorted(WRITES) == sorted(b.script for b in BUTTONS)
    assert all(callable(getattr(actions, name)) for name in WRITES)
