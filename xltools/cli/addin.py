"""``xltools addin``: build the desktop add-in; check an Office.js manifest."""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError
from .common import console


def register(sub) -> None:
    p = sub.add_parser("addin", help="build the desktop Excel add-in (xltools.xlam) or check "
                       "an add-in manifest",
                       description="Build xltools.xlam (ribbon + VBA calling xlwings' "
                       "RunPython) for users with local Python, or check an Office.js "
                       "manifest offline.")
    actions = p.add_subparsers(dest="addin_command", metavar="ACTION", required=True)
    b = actions.add_parser("build", help="write xltools.xlam",
                           description="Write the desktop add-in. Works on any OS; Excel "
                           "compiles the VBA from source when it first opens the add-in.")
    b.add_argument("-o", "--output", type=Path, default=Path("xltools.xlam"),
                   help="add-in to write (default xltools.xlam)")
    b.add_argument("--sources", type=Path, metavar="DIR",
                   help="also write the VBA module and customUI14.xml as text into DIR "
                   "(the repository keeps them in macros/)")
    b.set_defaults(run=run_build)
    m = actions.add_parser("check-manifest", help="check an Office.js manifest offline",
                           description="Check manifest.xml (e.g. saved from the server's "
                           "/manifest.xml) against the rules Office enforces.")
    m.add_argument("manifest", type=Path,
                   help="the manifest file (.xml), e.g. downloaded from /manifest/download")
    m.add_argument("--https", action="store_true", help="require https URLs (production)")
    m.set_defaults(run=run_check)


def write_sources(folder: Path) -> list[Path]:
    from ..addin.vba import MODULE_NAME, custom_ui, vba_module
    from ..workbook.files import replacing

    folder.mkdir(parents=True, exist_ok=True)
    bas = folder / f"{MODULE_NAME}.bas"
    xml = folder / "customUI14.xml"
    for path, data in ((bas, vba_module().encode("cp1252")),
                       (xml, custom_ui().encode("utf-8"))):
        with replacing(path, ".tmp") as tmp:  # never through a link planted at its name
            tmp.write_bytes(data)
    return [bas, xml]


def run_build(args) -> int:
    from ..addin.xlam import build_xlam

    out = build_xlam(args.output)
    console().print(f"Desktop add-in written to {out}")
    for path in write_sources(args.sources) if args.sources else []:
        console().print(f"Source written to {path}")
    return 0


def run_check(args) -> int:
    from ..addin.manifest_check import check_manifest

    if not args.manifest.is_file():
        raise UsageError(f"{args.manifest}: file not found")
    problems = check_manifest(args.manifest.read_text(encoding="utf-8"),
                              require_https=args.https)
    out = console()
    for problem in problems:
        out.print(f"[red]{problem}[/red]")
    out.print("[green]Manifest OK.[/green]" if not problems else
              f"[red]{len(problems)} problem(s).[/red]")
    return 1 if problems else 0
