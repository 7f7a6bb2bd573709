"""xltools' own routes on the add-in server (signed in like the buttons: ``access.requires``).

- ``GET /xltools/whoami``: who the add-in is signed in as;
- ``GET /xltools/last-run``: the signed-in person's last button answer and its links;
- ``GET /xltools/download/{token}``: a file a button made, once, for the person who
  pressed it (``xltools.excel.downloads``);
- ``POST /xltools/upload``: returns from the task pane, PMO and finance
  (``xltools.excel.uploads``), checked against the plan of the master open in Excel
  (field ``master``: its Settings and Lists values) as Consolidate checks them
  (``xltools.excel.acceptance``); ``POST /xltools/upload/remove`` takes one back.
  Listed in ``Guard.post_paths``; the guard's body limit applies.
- ``POST /xltools/run-file/{script}``: the master's .xlsx from the task pane or ribbon,
  for the buttons that only make files (``by_file.SCRIPTS``), with each button's roles
  (``addin.buttons``, as its script); ``/xltools/consolidate-file`` is Consolidate's.
  The guard gives them their own body limit ($XLTOOLS_FILE_MAX_MB).
"""

import json
from urllib.parse import quote

import anyio
from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from xltools.errors import XltoolsError
from xltools.excel import acceptance, by_file, downloads, uploads
from xltools.excel.access import describe, refuse, requires, roles_of
from xltools.excel.scripts import as_caller, roles
from xltools.plan import Plan

router = APIRouter()
SignedIn = requires()
PmoOrFinance = requires("pmo", "finance")
GONE = ("This download link has expired, was already used, or belongs to someone else: "
        "press the button again for a new one.")


@router.get("/xltools/whoami")
async def whoami(user: SignedIn):
    """Who the add-in is signed in as (the task pane's Sign in card shows it)."""
    return describe(user)


@router.get("/xltools/last-run")
async def last_run(user: SignedIn):
    """The task pane's "Last run": the answer to this person's last button, with links."""
    return downloads.last_run(downloads.owner_of(user)) or {}


@router.get("/xltools/download/{token}")
async def download(token: str, user: SignedIn):
    """The file behind ``token``, once, to the person whose button made it; else 404."""
    held = downloads.STORE.take(token, downloads.owner_of(user))
    if held is None:
        raise HTTPException(404, detail=GONE)
    ascii_name = held.name.encode("ascii", "replace").decode().replace("?", "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(held.name)}"
    return Response(held.data, media_type=held.media_type,
                    headers={"Content-Disposition": disposition, "Cache-Control": "no-store",
                             "X-Content-Type-Options": "nosniff"})


@router.post("/xltools/upload")
async def upload(request: Request, user: PmoOrFinance):
    """Returns, several at once (multipart field ``files``), with the open master's plan
    (field ``master``): each checked as Consolidate would and either kept (action
    returns in the returns folder, savings returns in its savings folder) or refused,
    with the reason."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != \
            "multipart/form-data":
        raise HTTPException(415, detail="Upload returns as multipart/form-data (the task "
                            "pane's upload box does this).")
    try:
        folder = uploads.returns_dir()
    except XltoolsError as exc:
        raise HTTPException(503, detail=str(exc)) from None
    results = []
    async with request.form(max_files=uploads.MAX_FILES, max_fields=10) as form:
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
        if not files:
            raise HTTPException(400, detail="No files: choose or drop .xlsx returns.")
        plan = await anyio.to_thread.run_sync(open_master_plan, form.get("master"))
        for item in files:
            data = await item.read()
            outcome = await anyio.to_thread.run_sync(uploads.accept, item.filename or "", data,
                                                     folder, plan, roles_of(user))
            results.append(outcome.to_dict())
    accepted = sum(r["accepted"] for r in results)
    return {"accepted": accepted, "refused": len(results) - accepted, "files": results}


def open_master_plan(sent: object) -> Plan:
    """The plan of the workbook open in Excel (the ``master`` field); 400 in words when
    none came or it is not a master."""
    try:
        grids = json.loads(sent) if isinstance(sent, str) else None
        return acceptance.master_plan(grids)
    except (ValueError, RecursionError):
        raise HTTPException(400, detail=acceptance.OPEN_THE_MASTER) from None
    except XltoolsError as exc:
        raise HTTPException(400, detail=str(exc)) from None


@router.post(uploads.REMOVE)
async def remove_upload(request: Request, user: PmoOrFinance):
    """Take back a file the upload box kept: JSON ``{"file": …, "kind": …}``."""
    try:
        body = await request.json()
        name, kind = str(body["file"]), str(body["kind"])
    except (ValueError, KeyError, TypeError, RecursionError):
        raise HTTPException(400, detail="Say which file to remove (the upload box does "
                            "this).") from None
    try:
        folder = uploads.returns_dir()
        said = await anyio.to_thread.run_sync(acceptance.remove, name, kind, folder,
                                              roles_of(user))
    except PermissionError as exc:
        raise HTTPException(403, detail=f"Not removed: {exc}") from None
    except XltoolsError as exc:
        raise HTTPException(400, detail=f"Not removed: {exc}") from None
    return {"removed": name, "message": said}


@router.post(by_file.PATH)
async def consolidate_file(request: Request, user: SignedIn):
    """Consolidate by file (its first route, kept): as ``run-file/consolidate``."""
    return await by_file_answer("consolidate", request, user)


@router.post(by_file.RUN_PATH + "{script}")
async def run_file(script: str, request: Request, user: SignedIn):
    """A button that only makes files, run on the master sent as a file (the workbook
    open in Excel, read with getFileAsync); answers like the button, with download links."""
    if script not in by_file.SCRIPTS:
        raise HTTPException(404, detail="There is no such xltools button.")
    return await by_file_answer(script, request, user)


async def by_file_answer(script: str, request: Request, user) -> JSONResponse:
    """Roles (the button's), content type, returns folder, body; then ``by_file.run``."""
    refuse(user, roles(script))
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != \
            downloads.XLSX:
        raise HTTPException(415, detail="Send the master as an .xlsx workbook "
                            f"({downloads.XLSX}); the add-in's buttons do this.")
    folder = None
    if script in by_file.NEEDS_RETURNS:
        try:
            folder = uploads.returns_dir()
        except XltoolsError as exc:
            raise HTTPException(503, detail=str(exc)) from None
    data = await request.body()
    if not data:
        raise HTTPException(400, detail="No workbook was sent.")
    name = request.query_params.get("name", "")
    options = {key: request.query_params.get(key, "")[:40]
               for key in ("as_of", "adopt_returns", "carry_problems", "unconsolidated")}
    status, answer = await as_caller(user, by_file.run, script, data, name, folder, options)
    return JSONResponse(answer, status_code=status, headers={"Cache-Control": "no-store"})
