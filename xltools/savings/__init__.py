"""Savings: reconcile returns against the MTFS baseline, classify each project's
change as the committee does, carry approved changes, write the Reconciliation sheet.

May import ``workbook`` and the shared ground; not the cycle, legacy or reporting.
"""
