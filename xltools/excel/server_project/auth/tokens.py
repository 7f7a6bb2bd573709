"""Provider ``tokens``: the ``Authorization: Bearer <token>`` header against the tokens file.

Not cached (unlike upstream's providers): a revoked token is refused from the
next request on.
"""

import os

from fastapi import HTTPException, status
from xlwings_server.models import User

from xltools.excel.signin import TOKENS_ENV
from xltools.excel.tokens import TokenChecker

_checker: TokenChecker | None = None
NONE = ("Sign in first: paste your xltools token into the task pane (your PMO or IT gives "
        "you one).")
# the tokens file keeps no revoked tokens, so wrong and revoked look the same here
WRONG = ("This xltools token is wrong or has been revoked: paste the token your PMO or IT "
         "gave you again (Forget, then Sign in), or ask them for a new one.")


def checker() -> TokenChecker:
    global _checker
    if _checker is None:
        _checker = TokenChecker(os.environ[TOKENS_ENV])
    return _checker


async def validate_token(token_string: str) -> User:
    scheme, _, token = (token_string or "").strip().partition(" ")
    entry = checker().verify(token.strip()) if scheme.lower() == "bearer" and token else None
    if entry is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=WRONG if token else NONE,
                            headers={"WWW-Authenticate": "Bearer"})
    return User(id=f"token:{entry.name}", name=entry.name, roles=[entry.role])
