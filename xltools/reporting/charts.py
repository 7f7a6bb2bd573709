"""The Dashboard's native Excel charts, in the plan's RAG colours.

Both read the Dashboard's chart-data block (the section table with zeros as
#N/A, so neither chart shows "0" labels on empty segments). Every data-label
flag is set explicitly: LibreOffice shows category and series names that are
merely left unset.
"""

from __future__ import annotations

from openpyxl.chart import BarChart, DoughnutChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.series import DataPoint
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.drawing.line import LineProperties

from ..workbook import styles


def section_bar(ws, head: int, sections: int, colours: list[str]) -> BarChart:
    """Horizontal stacked bar, one bar per section (rows below ``head``), one series
    per status (columns B onwards, titles in row ``head``)."""
    bar = stacked_bars(ws, head, sections, colours, kind="bar", gap=50, height=10.0)
    bar.title = "RAG status by section"
    bar.x_axis.scaling.orientation = "maxMin"  # first section at the top
    bar.y_axis.majorGridlines = None
    return bar


def overall_doughnut(ws, head: int, row: int, colours: list[str]) -> DoughnutChart:
    """All actions by status: the values in ``row``, the status names in ``head``."""
    pie = DoughnutChart(holeSize=55)
    pie.title = "All actions"
    pie.add_data(Reference(ws, min_col=2, max_col=len(colours) + 1, min_row=row),
                 from_rows=True, titles_from_data=False)
    pie.series[0].cat = text_categories(
        Reference(ws, min_col=2, max_col=len(colours) + 1, min_row=head))
    for i, colour in enumerate(colours):
        pie.series[0].dPt.append(DataPoint(idx=i, spPr=fill(colour)))
    pie.dataLabels = labels()
    pie.legend.position = "r"
    pie.width, pie.height = 10.5, 8.5
    return pie


def text_categories(ref: Reference) -> AxDataSource:
    """Category labels as text (strRef): openpyxl's default numRef would ask Excel to
    read section and status names as numbers."""
    return AxDataSource(strRef=StrRef(f=str(ref)))


def labels() -> DataLabelList:
    """Values only, zeros hidden where the reader honours the format."""
    return DataLabelList(numFmt="0;-0;;", showVal=True, showCatName=False, showSerName=False,
                         showLegendKey=False, showPercent=False, showLeaderLines=False)


def fill(colour: str) -> GraphicalProperties:
    """A chart fill in ``colour`` with a thin white edge between segments."""
    return GraphicalProperties(solidFill=styles.hex_colour(colour),
                               ln=LineProperties(solidFill="FFFFFF"))


def quarter_columns(ws, head: int, quarters: int, statuses: int, colours: list[str],
                    ) -> BarChart:
    """Vertical stacked columns, one per recorded quarter (rows below ``head``), one
    series per status (columns B onwards, titles in row ``head``): the RAG mix over
    time, from the history store (``trend_block``)."""
    if statuses != len(colours):
        raise ValueError(f"{statuses} statuses but {len(colours)} colours")
    bar = stacked_bars(ws, head, quarters, colours, kind="col", gap=60, height=8.0)
    bar.title = "RAG status by quarter"
    return bar


def stacked_bars(ws, head: int, count: int, colours: list[str], *, kind: str, gap: int,
                 height: float) -> BarChart:
    """What both stacked charts share: one category per row below ``head`` (names in
    column A), one series per status in the plan's colour, labels, legend below."""
    bar = BarChart()
    bar.type, bar.grouping, bar.overlap, bar.gapWidth = kind, "stacked", 100, gap
    bar.x_axis.delete = bar.y_axis.delete = False
    bar.y_axis.title = "Actions"
    bar.add_data(Reference(ws, min_col=2, max_col=len(colours) + 1, min_row=head,
                           max_row=head + count), titles_from_data=True)
    names = Reference(ws, min_col=1, min_row=head + 1, max_row=head + count)
    for series, colour in zip(bar.series, colours, strict=True):
        series.graphicalProperties = fill(colour)
        series.cat = text_categories(names)
    bar.dataLabels = labels()
    bar.legend.position = "b"
    bar.width, bar.height = 14.5, height
    return bar
