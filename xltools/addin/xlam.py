"""Build ``xltools.xlam``, the desktop add-in, on any OS (no Excel needed).

The base is xlwings' own ribbon add-in template (``quickstart_addin_ribbon.xlam``,
shipped in the xlwings package, BSD licensed — what ``xlwings quickstart
--addin --ribbon`` copies). We keep its workbook parts and its ``xlwings``
VBA module (``RunPython``), and replace:

- the sample ribbon module with ``xltoolsRibbon`` (``vba.vba_module``);
- the ribbon XML with ``customUI/customUI14.xml`` (``vba.custom_ui``);
- the project and config names (``myaddin`` → ``xltools``, sheet
  ``_xltools.conf``).

The VBA project is rewritten from source (``ovba``) and written as a compound
file with ``cfbwrite``; the zip is written atomically.
"""

from __future__ import annotations

import importlib.util
import os
import re
import tempfile
import zipfile
from pathlib import Path

from cfbwrite import Entry, write_ole

from ..errors import UsageError
from . import ovba
from .vba import MODULE_NAME, PROJECT_NAME, custom_ui, vba_module

BASE_NAME = "quickstart_addin_ribbon.xlam"
BASE_PROJECT, BASE_MODULE = "myaddin", "RibbonMyAddin"
UI_REL_2007 = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
UI_PART = "customUI/customUI14.xml"


def base_xlam() -> Path:
    """xlwings' ribbon add-in template, found without importing xlwings."""
    spec = importlib.util.find_spec("xlwings")
    if spec is None or spec.origin is None:
        raise UsageError("xlwings is not installed (pip install xlwings)")
    path = Path(spec.origin).parent / BASE_NAME
    if not path.is_file():
        raise UsageError(f"{path}: xlwings' add-in template is missing; reinstall xlwings")
    return path


def project_modules(base_bin: Path) -> tuple[dict[str, bytes], list[ovba.Module]]:
    """The base project's modules with the sample ribbon module swapped for ours."""
    streams, modules = ovba.base_modules(base_bin)
    out = []
    for m in modules:
        if m.name == BASE_MODULE:
            out.append(ovba.Module(MODULE_NAME, ovba.PROCEDURAL, vba_module()))
        elif m.name == "xlwings":
            source = re.sub(r'(Public Const PROJECT_NAME As String = )"[^"]*"',
                            rf'\1"{PROJECT_NAME}"', m.source)
            out.append(ovba.Module(m.name, m.kind, source))
        else:
            out.append(m)
    return streams, out


def build_vba_project(base_bin: Path, out: Path) -> Path:
    """Write vbaProject.bin: PROJECT, PROJECTwm, VBA/{dir,_VBA_PROJECT,<modules>}."""
    streams, modules = project_modules(base_bin)
    vba = [_stream("_VBA_PROJECT", streams["VBA/_VBA_PROJECT"]),
           _stream("dir", ovba.compress(ovba.dir_stream(ovba.decompress(streams["VBA/dir"]),
                                                        PROJECT_NAME, modules)))]
    vba += [_stream(m.name, m.stream()) for m in modules]
    project = ovba.project_stream(streams["PROJECT"].decode(ovba.CODEPAGE), PROJECT_NAME,
                                  modules)
    write_ole(out, [_stream("PROJECT", project),
                    _stream("PROJECTwm", ovba.projectwm_stream(modules)),
                    Entry(name="VBA", is_storage=True, size=0, read=None, children=vba)])
    return out


def _stream(name: str, data: bytes) -> Entry:
    return Entry(name=name, is_storage=False, size=len(data), read=lambda: data)


def _rename(text: str) -> str:
    text = text.replace(f"_{BASE_PROJECT}.conf", f"_{PROJECT_NAME}.conf")
    return re.sub(r"<mc:AlternateContent.*?absPath.*?</mc:AlternateContent>", "", text)


def part_text(name: str, data: bytes) -> bytes | None:
    """The new content of a base part, or None to drop it."""
    if name == "customUI/customUI.xml":
        return None
    if name == "_rels/.rels":
        text = re.sub(r'Type="[^"]*/ui/extensibility" Target="customUI/customUI.xml"',
                      f'Type="{UI_REL_2007}" Target="{UI_PART}"', data.decode("utf-8"))
        return text.encode("utf-8")
    if name in ("xl/workbook.xml", "docProps/app.xml"):
        return _rename(data.decode("utf-8")).encode("utf-8")
    return data


def build_xlam(out: str | Path, base: Path | None = None) -> Path:
    """Write the desktop add-in to ``out`` (atomically)."""
    base, out = base or base_xlam(), Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(base) as zin:
            base_bin = Path(tmp) / "base.bin"
            base_bin.write_bytes(zin.read("xl/vbaProject.bin"))
            project = build_vba_project(base_bin, Path(tmp) / "vbaProject.bin").read_bytes()
            fd, tmp_out = tempfile.mkstemp(suffix=".xlam.tmp", dir=out.parent)
            os.close(fd)
            try:
                with zipfile.ZipFile(tmp_out, "w", zipfile.ZIP_DEFLATED) as zout:
                    for info in zin.infolist():
                        data = project if info.filename == "xl/vbaProject.bin" else \
                            part_text(info.filename, zin.read(info))
                        if data is not None:
                            zout.writestr(info.filename, data)
                    zout.writestr(UI_PART, custom_ui())
                os.replace(tmp_out, out)
            finally:
                if os.path.exists(tmp_out):
                    os.unlink(tmp_out)
    return out
