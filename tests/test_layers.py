"""The package's layers hold: imports only go down, and there are no circles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from import_layers import import_cycles, import_graph, layer_violations

import xltools

ROOT = Path(xltools.__file__).parent


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(ROOT)


def test_the_graph_sees_relative_and_lazy_imports(graph):
    assert "xltools.workbook.reader" in graph["xltools.cycle.consolidate"]
    assert "xltools.savings.carry" in graph["xltools.cycle.rollover"]  # from ..savings import
    assert "xltools.workbook.package" in graph["xltools.workbook.fastrows"]
    assert "xltools.workbook.styles" in graph["xltools.reporting.dashboard"]


def test_no_import_goes_up_a_layer(graph):
    assert layer_violations(graph) == []


def test_no_import_circles(graph):
    assert import_cycles(graph) == []


def test_only_the_shared_ground_sits_at_the_top():
    loose = sorted(p.stem for p in ROOT.glob("*.py") if p.stem not in ("__init__", "__main__"))
    assert loose == ["cellfuncs", "errors", "findings", "findings_doc", "officer_names",
                     "periods", "plan", "status", "timeframes"]


def test_an_upward_import_is_caught():
    bad = {
        "xltools.workbook.reader": {"xltools.cycle.consolidate"},  # format → cycle: up
        "xltools.reporting.flags": {"xltools.savings.rows"},       # sideways in one layer
        "xltools.plan": {"xltools.workbook.layout"},               # shared ground → up
        "xltools.cli.check": {"xltools.excel.bridge", "xltools.cycle.check"},  # fine
        "xltools.cycle.check": {"xltools.reporting.flags"},        # fine: down a layer
    }
    assert layer_violations(bad) == [
        "xltools.plan imports xltools.workbook.layout (shared may not import workbook)",
        "xltools.reporting.flags imports xltools.savings.rows (reporting may not import savings)",
        "xltools.workbook.reader imports xltools.cycle.consolidate "
        "(workbook may not import cycle)",
    ]


def test_a_circle_is_caught():
    circle = {"xltools.workbook.reader": {"xltools.workbook.settings"},
              "xltools.workbook.settings": {"xltools.workbook.fastrows"},
              "xltools.workbook.fastrows": {"xltools.workbook.reader"},
              "xltools.workbook.layout": set()}
    assert import_cycles(circle) == [["xltools.workbook.fastrows", "xltools.workbook.reader",
                                      "xltools.workbook.settings"]]
    assert import_cycles({"a": {"b"}, "b": set()}) == []


def test_the_public_api_resolves_lazily():
    for name in xltools.__all__:
        assert callable(getattr(xltools, name)), name
    with pytest.raises(AttributeError):
        xltools.no_such_function  # noqa: B018


def test_the_readme_names_the_whole_public_api():
    readme = (ROOT.parent / "README.md").read_text(encoding="utf-8")
    listed = readme.split("importable from `xltools` itself:", 1)[1].split("For example", 1)[0]
    assert sorted(re.findall(r"`(\w+)`", listed)) == sorted(xltools.__all__)
