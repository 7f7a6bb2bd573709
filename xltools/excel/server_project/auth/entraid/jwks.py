"""Entra ID signing keys from a file, for servers that cannot reach Microsoft.

``XLTOOLS_ENTRAID_JWKS_FILE``: a JSON Web Key Set saved from your tenant's
``jwks_uri`` (refresh it when Microsoft rotates keys). Unset: None, and xlwings
Server downloads Microsoft's keys itself.
"""

import json
import os
from pathlib import Path


async def get_jwks_json():
    path = os.environ.get("XLTOOLS_ENTRAID_JWKS_FILE")
    if not path:
        return None
    return json.loads(Path(path).read_text(encoding="utf-8"))
