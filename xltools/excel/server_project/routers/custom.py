"""xltools' own routes on the add-in server (signed in like the buttons: ``access.requires``)."""

from fastapi import APIRouter

from xltools.excel.access import describe, requires

router = APIRouter()
SignedIn = requires()


@router.get("/xltools/whoami")
async def whoami(user: SignedIn):
    """Who the add-in is signed in as (the task pane's Sign in card shows it)."""
    return describe(user)
