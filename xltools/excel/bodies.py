"""Request bodies for xlwings Server: JSON only, parsed off the event loop, errors as sentences.

Upstream's ``parse_book_input`` also takes a form field (``bookData``), so a
cross-site HTML form could run a script; malformed JSON or bad UTF-8 become a
bare 500; FastAPI's own 422 answer echoes the input back. ``install_body_rules``
overrides that dependency on the app (it is nested in the Book and script
argument dependencies; FastAPI's overrides reach it there) and adds handlers.
"""

from __future__ import annotations

import json

import anyio
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

BAD_CALL = "The request was not a valid xltools call."
BAD_TEXT = ("A cell holds a character that is not valid text (a broken symbol or emoji); "
            "retype it and try again.")


def parse(raw: bytes) -> dict:
    """The workbook JSON Office.js sent, or a 400 saying what is wrong with it."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
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


def install_body_rules(app: FastAPI) -> None:
    from xlwings_server import dependencies

    app.dependency_overrides[dependencies.parse_book_input] = parse_book_json
    app.add_exception_handler(RequestValidationError, invalid_call)
    app.add_exception_handler(UnicodeError, invalid_text)
