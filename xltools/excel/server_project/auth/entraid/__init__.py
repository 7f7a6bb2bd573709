"""Provider ``entraid``: xlwings Server's own Entra ID sign-in (Microsoft 365).

Only the key set can be swapped (``jwks.py`` here): upstream imports
``auth.entraid.jwks`` from the project folder first.
"""

from xlwings_server.auth.entraid import validate_token  # noqa: F401
