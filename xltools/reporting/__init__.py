"""Reporting on a master: roll-up, flags, KPIs, the Dashboard and its charts,
the one-page highlight report.

May import ``workbook`` and the shared ground; not the cycle, legacy or savings.
"""
