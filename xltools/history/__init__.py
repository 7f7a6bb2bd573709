"""The history store: every recorded quarter of every plan, in a real database.

A master holds one quarter; the store keeps them all (DESIGN.md §11), so the
Dashboard can show the RAG mix over quarters and the paper a direction of travel.
SQLAlchemy Core over SQLite (a file beside the master, the default) or a shared
PostgreSQL: one schema, one code path, migrated by the Alembic scripts shipped in
``migrations/``.

Layer: above ``workbook`` (it reads masters), below ``reporting`` and the front
ends (they show what it holds). It imports nothing above the workbook layer.
"""
