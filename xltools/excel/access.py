"""Sign-in for xltools' own routes on the add-in server (beside xlwings Server's).

xlwings Server checks the signed-in user for its script and function calls.
A route xltools adds (``server_project/routers/custom.py``: who am I; later
downloads and uploads) takes the same user, from the same providers, with::

    PmoOrFinance = requires("pmo", "finance")

    @router.get("/xltools/thing")
    async def thing(user: PmoOrFinance): ...

Without sign-in configured everyone is let through, as for the buttons: the
guard then answers calls only on the server's own machine.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from fastapi import Depends
from xlwings_server import dependencies
from xlwings_server.config import settings
from xlwings_server.models import User

from .signin import plain_roles, refuse_role


def requires(*roles: str):
    """A parameter type: the signed-in user, if they hold one of ``roles`` (none: anyone).

    Like xlwings Server's ``dependencies.User``, it is ``Annotated[User, Depends(…)]``.
    """

    async def user_with_role(user: dependencies.User) -> User:
        refuse(user, roles)
        return user

    return Annotated[User, Depends(user_with_role)]


def refuse(user: User, roles: Iterable[str] | None) -> None:
    """403 with a sentence unless ``user`` holds one of ``roles`` (None or empty: anyone);
    nobody is refused when no sign-in is configured (the guard then allows this machine
    only). For routes whose roles depend on the path (``run-file/{script}``)."""
    if settings.auth_providers:
        refuse_role(user.name, user.roles, roles)


def roles_of(user: User) -> set[str] | None:
    """The user's plain role names; None when no sign-in is configured (the guard then
    allows this machine only, and every button is anyone's)."""
    return plain_roles(user.roles) if settings.auth_providers else None


def describe(user: User) -> dict:
    """What the task pane may show about the signed-in person: name and roles, nothing else."""
    return {"name": user.name, "roles": sorted(plain_roles(user.roles)),
            "signed_in": bool(settings.auth_providers)}
