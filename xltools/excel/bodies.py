"""Request bodies for xlwings Server: JSON only, parsed off the event loop, errors as sentences.

Upstream's ``parse_book_input`` also takes a form field (``bookData``), so a
cross-site HTML form could run a script; malformed JSON or bad UTF-8 become a
bare 500; FastAPI's own 422 answer echoes the input back. ``install_body_rules``
overrides that dependency on the app (it is nested in the Book and script
argument dependencies; FastAPI's overrides reach it there) and adds handlers.
It also overrides the Book itself (``build_book``): each sheet's reach is
checked first (``payload_extent``: TOO_LARGE, 413) and the Book is built in a
worker thread, never on the event loop.
"""

from __future__ import annotations

import json

import anyio
import xlwings as xw
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

BAD_CALL = "The request was not a valid xltools call."
BAD_TEXT = ("A cell holds a character that is not valid text (a broken symbol or emoji); "
            "retype it and try again.")


def parse(raw: bytes) -> dict:
    """The workbook JSON Office.js sent, or a 400 saying what is wrong with it."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise HTTPException(400, detail="The request was not valid JSON.") from None
    if not isinstance(data, dict):
        raise HTTPException(400, detail="The request was not a workbook from the add-in.")
    return data


async def parse_book_json(request: Request) -> dict:
    return await anyio.to_thread.run_sync(parse, await request.body())


async def invalid_call(request: Request, exc: Exception) -> JSONResponse:  # noqa: ARG001
    return JSONResponse({"detail": BAD_CALL}, status_code=400)


async def invalid_text(request: Request, exc: Exception) -> JSONResponse:  # noqa: ARG001
    return JSONResponse({"detail": BAD_TEXT}, status_code=400)


def checked_book(book_data: dict) -> xw.Book:
    """The Book for ``book_data`` once every sheet is within the plan's bounds."""
    from .payload_extent import refusal

    problem = refusal(book_data)
    if problem:
        raise HTTPException(413 if problem.startswith("TOO_LARGE") else 400, detail=problem)
    return xw.Book(json=book_data)


def install_body_rules(app: FastAPI) -> None:
    from xlwings_server import dependencies

    async def build_book(
            book_data: dict = Depends(dependencies.parse_book_input)):  # noqa: B008
        book = await anyio.to_thread.run_sync(checked_book, book_data)
        try:
            yield book
        finally:
            book.close()

    app.dependency_overrides[dependencies.parse_book_input] = parse_book_json
    app.dependency_overrides[dependencies.get_book] = build_book
    app.add_exception_handler(RequestValidationError, invalid_call)
    app.add_exception_handler(UnicodeError, invalid_text)
