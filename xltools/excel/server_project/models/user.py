"""The signed-in user as xlwings Server sees it, with xltools' role rule.

xlwings Server asks ``has_required_roles`` before a script or function with
``required_roles`` runs. Upstream needs *all* the roles and answers a refusal
with 400; xltools needs *any one* of them (Reconcile savings: finance or pmo)
and answers 403 with a sentence the task pane shows. The rule itself is in
``xltools.excel.signin``.
"""

from xlwings_server.config import settings
from xlwings_server.models.user import User as BaseUser

from xltools.excel.signin import refuse_role


class User(BaseUser):
    async def has_required_roles(self, required_roles: list[str] | None = None) -> bool:
        if not settings.auth_providers:  # no sign-in configured: loopback only, all allowed
            return True
        refuse_role(self.name, self.roles, required_roles)
        return True
