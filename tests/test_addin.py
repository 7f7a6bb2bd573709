"""The desktop add-in (xltools.xlam) and the offline manifest checks.

The built file is read back with independent tools: oletools' olevba (which
parses the VBA project's dir stream and decompresses each module, as malware
scanners do) and the zip/XML structure Excel expects of an .xlam.
"""

from __future__ import annotations

import re
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import olefile
import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

with warnings.catch_warnings():  # oletools uses pyparsing's old names
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Parser, decompress_stream

from xltools.addin import ovba
from xltools.addin.buttons import BUTTONS
from xltools.addin.manifest_check import check_manifest
from xltools.addin.vba import MODULE_NAME, custom_ui, vba_module
from xltools.addin.xlam import build_xlam

CUI = "{http://schemas.microsoft.com/office/2009/07/customui}"


@pytest.fixture(scope="module")
def xlam(tmp_path_factory) -> Path:
    return build_xlam(tmp_path_factory.mktemp("addin") / "xltools.xlam")


def macros(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {name: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def test_vba_reads_back_with_olevba(xlam):
    found = macros(xlam)
    assert sorted(found) == ["Dictionary.cls", "Sheet2.cls", "ThisWorkbook.cls",
                             f"{MODULE_NAME}.bas", "xlwings.bas"]
    ribbon = found[f"{MODULE_NAME}.bas"].replace("\r\n", "\n")
    assert ribbon.strip() == vba_module().replace("\r\n", "\n").strip()
    for b in BUTTONS:
        assert f'RunPython "import xltools.excel.desktop; xltools.excel.desktop.{b.script}()"' \
            in ribbon
    assert 'Public Const PROJECT_NAME As String = "xltools"' in found["xlwings.bas"]
    assert "Public Function RunPython(PythonCommand As String)" in found["xlwings.bas"]


def test_project_is_source_only_so_excel_compiles_it(xlam):
    with zipfile.ZipFile(xlam) as zf:
        ole = olefile.OleFileIO(zf.read("xl/vbaProject.bin"))
    streams = sorted("/".join(p) for p in ole.listdir())
    assert streams == ["PROJECT", "PROJECTwm", "VBA/Dictionary", "VBA/Sheet2",
                       "VBA/ThisWorkbook", "VBA/_VBA_PROJECT", "VBA/dir", "VBA/xltoolsRibbon",
                       "VBA/xlwings"]
    # [MS-OVBA] 2.3.4.1: version 0xFFFF, no performance cache
    assert ole.openstream("VBA/_VBA_PROJECT").read()[:4] == b"\xcc\x61\xff\xff"
    project = ole.openstream("PROJECT").read().decode("cp1252")
    assert 'Name="xltools"' in project and f"Module={MODULE_NAME}" in project
    assert "Document=ThisWorkbook/&H00000000" in project and "Class=Dictionary" in project
    for name in ("xltoolsRibbon", "xlwings", "ThisWorkbook"):  # source from offset 0
        source = bytes(decompress_stream(bytearray(ole.openstream(f"VBA/{name}").read())))
        assert source.startswith(f'Attribute VB_Name = "{name}"'.encode())


def test_xlam_package_parts(xlam):
    with zipfile.ZipFile(xlam) as zf:
        names = set(zf.namelist())
        types = zf.read("[Content_Types].xml").decode()
        rels = zf.read("_rels/.rels").decode()
        workbook = zf.read("xl/workbook.xml").decode()
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
        ui = zf.read("customUI/customUI14.xml").decode()
    assert "customUI/customUI.xml" not in names
    assert "application/vnd.ms-excel.addin.macroEnabled.main+xml" in types
    assert 'PartName="/xl/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"' \
        in types
    assert ('Type="http://schemas.microsoft.com/office/2007/relationships/ui/extensibility" '
            'Target="customUI/customUI14.xml"') in rels
    assert 'name="_xltools.conf"' in workbook and 'codeName="ThisWorkbook"' in workbook
    assert "absPath" not in workbook
    assert 'codeName="Sheet2"' in sheet  # the document module Sheet2 belongs to this sheet
    assert ui == custom_ui()


def test_ribbon_xml_calls_a_macro_per_button():
    root = ET.fromstring(custom_ui().encode())
    assert root.tag == f"{CUI}customUI"
    buttons = root.findall(f".//{CUI}button")
    assert [b.get("id") for b in buttons] == [b.control_id for g in ("Officer", "PMO", "Finance")
                                              for b in BUTTONS if b.group == g]
    subs = set(re.findall(r"^Public Sub (\w+)\(control As IRibbonControl\)$",
                          vba_module().replace("\r\n", "\n"), re.M))
    for element in buttons:
        module, macro = element.get("onAction").split(".")
        assert module == MODULE_NAME and macro in subs
        assert element.get("imageMso") and len(element.get("supertip")) <= 1024
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[A-Za-z_]\w*", i) for i in ids)


def test_desktop_entry_points_exist_for_every_button():
    import xltools.excel.desktop as desktop

    for b in BUTTONS:
        assert callable(getattr(desktop, b.script)), b.script


def test_committed_macros_match_the_generator():
    assert (ROOT / "macros" / f"{MODULE_NAME}.bas").read_bytes() == vba_module().encode("cp1252")
    assert (ROOT / "macros" / "customUI14.xml").read_text(encoding="utf-8") == custom_ui()


def test_addin_build_command(tmp_path):
    done = subprocess.run([sys.executable, "-m", "xltools", "addin", "build", "-o",
                           str(tmp_path / "x.xlam"), "--sources", str(tmp_path / "src")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "src").iterdir()) == ["customUI14.xml",
                                                                   f"{MODULE_NAME}.bas"]
    assert zipfile.is_zipfile(tmp_path / "x.xlam")


# -- compression ([MS-OVBA] 2.4.1), checked against oletools' decompressor ----------


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=9000))
def test_compress_round_trips_bytes(data):
    assert bytes(decompress_stream(bytearray(ovba.compress(data)))) == data


@settings(max_examples=30, deadline=None)
@given(st.text(alphabet="Sub End If Then x = 1 ' \r\n\"", max_size=12000))
def test_compress_round_trips_vba_like_text(text):
    data = text.encode("cp1252")
    packed = ovba.compress(data)
    assert bytes(decompress_stream(bytearray(packed))) == data
    if len(data) > 200:
        assert len(packed) < len(data)  # repetitive source really compresses


def test_compress_known_vector():
    # [MS-OVBA] 3.2.1: "#aaabcdefaaaaghijaaaabcdefaaaaghijaaaa" (with copy tokens)
    data = b"#aaabcdefaaaaghijaaaaabklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"
    assert bytes(decompress_stream(bytearray(ovba.compress(data)))) == data
    assert ovba.compress(b"") == b"\x01"


# -- manifest checks -----------------------------------------------------------------

MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<OfficeApp xmlns="http://schemas.microsoft.com/office/appforoffice/1.1"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:bt="http://schemas.microsoft.com/office/officeappbasictypes/1.0" xsi:type="TaskPaneApp">
  <Id>85e69f4e-efb7-40ac-81d5-4b6bc32ca7a2</Id><Version>1.0.0.0</Version>
  <ProviderName>x</ProviderName><DefaultLocale>en-GB</DefaultLocale>
  <DisplayName DefaultValue="xltools"/><Description DefaultValue="d"/>
  <IconUrl DefaultValue="https://h/i.png"/>
  <Hosts><Host Name="Workbook"/></Hosts>
  <DefaultSettings><SourceLocation DefaultValue="https://h/t.html"/></DefaultSettings>
  <Permissions>ReadWriteDocument</Permissions>
  <VersionOverrides xmlns="http://schemas.microsoft.com/office/taskpaneappversionoverrides"
    xsi:type="VersionOverridesV1_0"><Hosts><Host xsi:type="Workbook"><DesktopFormFactor>
    FUNCTIONFILE<ExtensionPoint xsi:type="PrimaryCommandSurface"><CustomTab id="T">
    <Group id="G"><Label resid="L"/><Icon><bt:Image size="16" resid="I"/></Icon>
    <Control xsi:type="Button" id="B"><Label resid="L"/><Supertip><Title resid="L"/>
    <Description resid="D"/></Supertip><Icon><bt:Image size="16" resid="I"/>
    <bt:Image size="32" resid="I"/><bt:Image size="80" resid="I"/></Icon>
    <Action xsi:type="ExecuteFunction"><FunctionName>f</FunctionName></Action></Control>
    </Group><Label resid="L"/></CustomTab></ExtensionPoint></DesktopFormFactor></Host></Hosts>
    <Resources><bt:Images><bt:Image id="I" DefaultValue="URL"/></bt:Images>
    <bt:Urls><bt:Url id="U" DefaultValue="https://h/t.html"/></bt:Urls>
    <bt:ShortStrings><bt:String id="L" DefaultValue="Label"/></bt:ShortStrings>
    <bt:LongStrings>LONG</bt:LongStrings></Resources></VersionOverrides></OfficeApp>"""


def manifest(long='<bt:String id="D" DefaultValue="Tip"/>', url="https://h/i.png",
             function_file='<FunctionFile resid="U"/>') -> str:
    return (MANIFEST.replace("LONG", long).replace("URL", url)
            .replace("FUNCTIONFILE", function_file))


def test_manifest_check_accepts_a_complete_manifest():
    assert check_manifest(manifest(), require_https=True) == []


@pytest.mark.parametrize("text, problem", [
    (manifest(long=""), '<Description resid="D"> is not defined in LongStrings'),
    (manifest(long='<bt:String id="D" DefaultValue="' + "x" * 251 + '"/>'),
     "LongStrings 'D' must be 1-250 characters"),
    (manifest(function_file=""), "ExecuteFunction buttons need a <FunctionFile>"),
    (manifest().replace("<Id>85e69f4e", "<Id>zz"), "is not a GUID"),
    (manifest().replace("<Version>1.0.0.0", "<Version>1.0"), "must have four parts"),
])
def test_manifest_check_names_the_problem(text, problem):
    assert any(problem in p for p in check_manifest(text)), check_manifest(text)


def test_manifest_check_https_and_group_icons():
    problems = check_manifest(manifest(url="http://h/i.png"), require_https=True)
    assert problems == ["resource 'I' URL 'http://h/i.png' must be absolute https"]
    assert check_manifest(manifest(url="http://h/i.png")) == []


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=9000))
def test_our_decompressor_agrees_with_oletools(data):
    packed = ovba.compress(data)
    assert ovba.decompress(packed) == bytes(decompress_stream(bytearray(packed))) == data


def test_our_decompressor_reads_what_excel_wrote():
    from xltools.addin.xlam import base_xlam

    with zipfile.ZipFile(base_xlam()) as zf:
        ole = olefile.OleFileIO(zf.read("xl/vbaProject.bin"))
    raw = ole.openstream("VBA/dir").read()  # compressed by Excel itself
    assert ovba.decompress(raw) == bytes(decompress_stream(bytearray(raw)))


def test_libreoffice_imports_the_vba_project(xlam, soffice, tmp_path):
    """A real client's VBA importer reads our vbaProject.bin: LibreOffice turns the
    project into a Basic library. (LibreOffice does not open add-ins, so the package
    is declared a macro workbook; the VBA project part is byte-for-byte the same.)"""
    from conftest import convert

    xlsm = tmp_path / "xltools.xlsm"
    with zipfile.ZipFile(xlam) as zin, zipfile.ZipFile(xlsm, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"ms-excel.addin.macroEnabled.main",
                                    b"ms-excel.sheet.macroEnabled.main")
            zout.writestr(info, data)
    ods = convert(soffice, xlsm, "ods", tmp_path)
    with zipfile.ZipFile(ods) as zf:
        library = zf.read("Basic/xltools/script-lb.xml").decode()
        ribbon = zf.read(f"Basic/xltools/{MODULE_NAME}.xml").decode().replace("&apos;", "'")
        ribbon = ribbon.replace("&quot;", '"')
    assert sorted(re.findall(r'library:element library:name="(\w+)"', library)) == [
        "Dictionary", "Sheet2", "ThisWorkbook", MODULE_NAME, "xlwings"]
    for b in BUTTONS:
        assert f"Public Sub {b.vba_macro}(control As IRibbonControl)" in ribbon
        assert f'RunPython "{b.python}"' in ribbon


def test_check_manifest_command_exit_codes(tmp_path):
    good, bad = tmp_path / "good.xml", tmp_path / "bad.xml"
    good.write_text(manifest(), encoding="utf-8")
    bad.write_text(manifest(long=""), encoding="utf-8")
    cmd = [sys.executable, "-m", "xltools", "addin", "check-manifest"]
    ok = subprocess.run(cmd + [str(good), "--https"], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "Manifest OK." in ok.stdout
    ko = subprocess.run(cmd + [str(bad)], capture_output=True, text=True, timeout=60)
    assert ko.returncode == 1 and "is not defined in LongStrings" in ko.stdout
