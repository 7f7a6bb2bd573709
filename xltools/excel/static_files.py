"""Static files that cannot escape their folder.

xlwings Server 1.20.0 serves ``/static`` with ``OverridableStaticFiles``, which
looks in the project's static folder with ``user_dir / path`` and ``is_file()``
and skips Starlette's containment check: ``/static/%2e%2e/%2e%2e/…/etc/passwd``
(or ``..%2f``, or a raw ``../``) answers 200 with any file the server can read,
officers' returns included, and static files sit outside the sign-in check.

``secure_static`` swaps the app inside that mount (keeping the mount and its
name, so templates' ``url_for('static', …)`` still work) for Starlette's own
``StaticFiles`` over the same two folders — project first, then the package —
whose lookup resolves the path and refuses anything outside the folders. It
fails closed: if any mount still uses the upstream class afterwards (a new
xlwings Server version adding one), the server does not start.
"""

from __future__ import annotations

from pathlib import Path

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

UNSAFE_CLASS = "OverridableStaticFiles"


class LayeredStaticFiles(StaticFiles):
    """Starlette's ``StaticFiles`` over several folders, the first one that has the file wins.

    Starlette's ``lookup_path`` walks ``all_directories``, joins, resolves
    symlinks and ``..`` with ``realpath`` and keeps the file only if
    ``commonpath`` says it lies inside that folder.
    """

    def __init__(self, *directories: Path):
        super().__init__(directory=str(directories[0]), check_dir=False)
        self.all_directories = [str(d) for d in directories]


def secure_static(app, project_static: Path, package_static: Path) -> None:
    """Replace xlwings Server's escaping static route in ``app`` (a FastAPI app) in place."""
    for route in app.routes:
        if isinstance(route, Mount) and type(route.app).__name__ == UNSAFE_CLASS:
            if route.name != "static":
                raise RuntimeError(f"xlwings Server mounts an unchecked static folder at "
                                   f"{route.path}; xltools refuses to serve it")
            route.app = route._base_app = LayeredStaticFiles(project_static, package_static)
    left = [r.path for r in app.routes
            if isinstance(r, Mount) and type(r.app).__name__ == UNSAFE_CLASS]
    if left:
        raise RuntimeError(f"unchecked static mount(s) {left}: xltools refuses to start")
