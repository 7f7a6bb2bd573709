"""Provider ``entraid``: xlwings Server's own Entra ID sign-in (Microsoft 365).

Only the key set can be swapped (``jwks.py`` here): upstream imports
``auth.entraid.jwks`` from the project folder first. A token must say when it
expires: upstream's claim check only tests ``exp`` when present, so a signed
token without one would be good for ever.
"""

from fastapi import HTTPException, status
from xlwings_server.auth.entraid import validate_token as _validate_token


async def validate_token(token_string: str):
    user = await _validate_token(token_string)
    expires = (getattr(user, "claims", None) or {}).get("exp")
    if not isinstance(expires, int | float) or isinstance(expires, bool):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED,
                            detail="Auth error: the sign-in token has no expiry; sign in again.")
    return user
