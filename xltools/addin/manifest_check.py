"""Offline checks of the Office.js add-in manifest (add-in only XML manifest).

Microsoft's validator (``npx office-addin-manifest validate``) posts the
manifest to an online Microsoft service, which CI and many council networks
cannot reach, and the XSDs are not shipped in any package we can install. So
this checks, from Python, the rules that make Office reject a manifest or
show a broken ribbon: element order of ``OfficeApp``, a GUID ``Id`` and a
four-part ``Version``, every ``resid`` defined once in the right resource
list, length limits (resid 32, ShortString 125, LongString 250), unique
control ids, complete buttons (label, supertip, 16/32/80 icons, action), a
``FunctionFile`` for ``ExecuteFunction`` buttons, absolute (optionally https)
URLs. Returns a list of problems; empty means it passed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter

APP = "{http://schemas.microsoft.com/office/appforoffice/1.1}"
V = "{http://schemas.microsoft.com/office/taskpaneappversionoverrides}"
BT = "{http://schemas.microsoft.com/office/officeappbasictypes/1.0}"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
ORDER = ("Id", "AlternateId", "Version", "ProviderName", "DefaultLocale", "DisplayName",
         "Description", "IconUrl", "HighResolutionIconUrl", "SupportUrl", "AppDomains", "Hosts",
         "Requirements", "DefaultSettings", "Permissions", "VersionOverrides")
REQUIRED = ("Id", "Version", "ProviderName", "DefaultLocale", "DisplayName", "Description",
            "IconUrl", "DefaultSettings", "Permissions")
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
VERSION = re.compile(r"^\d{1,5}(\.\d{1,5}){3}$")
# which resource list a resid must be defined in, by the element that uses it
RESID_KIND = {"Label": "ShortStrings", "Title": "ShortStrings", "Namespace": "ShortStrings",
              "Description": "LongStrings", "Image": "Images", "SourceLocation": "Urls",
              "Runtime": "Urls", "FunctionFile": "Urls"}
LIMITS = {"ShortStrings": 125, "LongStrings": 250}


def check_manifest(xml_text: str, *, require_https: bool = False) -> list[str]:
    try:
        root = ET.fromstring(xml_text.encode("utf-8"))
    except ET.ParseError as exc:
        return [f"not well-formed XML: {exc}"]
    if root.tag != f"{APP}OfficeApp" or root.get(XSI_TYPE) != "TaskPaneApp":
        return ["root must be <OfficeApp xsi:type=\"TaskPaneApp\"> (appforoffice/1.1)"]
    problems = top_level(root)
    resources = resource_lists(root, problems)
    problems += resid_uses(root, resources)
    problems += controls(root)
    problems += urls(root, resources, require_https)
    return problems


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def top_level(root: ET.Element) -> list[str]:
    names = [_local(child.tag) for child in root]
    problems = [f"<{n}> is required" for n in REQUIRED if n not in names]
    known = [n for n in names if n in ORDER]
    if known != sorted(known, key=ORDER.index):
        problems.append(f"top-level elements out of schema order: {', '.join(known)}")
    ident = root.findtext(f"{APP}Id", "").strip()
    if not GUID.match(ident):
        problems.append(f"<Id> '{ident}' is not a GUID")
    version = root.findtext(f"{APP}Version", "").strip()
    if not VERSION.match(version):
        problems.append(f"<Version> '{version}' must have four parts like 1.0.0.0")
    for tag, limit in (("DisplayName", 125), ("Description", 250)):
        element = root.find(f"{APP}{tag}")
        value = "" if element is None else element.get("DefaultValue", "")
        if not value or len(value) > limit:
            problems.append(f"<{tag}> DefaultValue must be 1-{limit} characters")
    return problems


def resource_lists(root: ET.Element, problems: list[str]) -> dict[str, dict[str, str]]:
    lists: dict[str, dict[str, str]] = {}
    for kind in ("Images", "Urls", "ShortStrings", "LongStrings"):
        items = root.findall(f".//{V}Resources/{BT}{kind}/*")
        ids = [item.get("id", "") for item in items]
        for rid, n in Counter(ids).items():
            if n > 1:
                problems.append(f"resource id '{rid}' defined {n} times in {kind}")
        for item in items:
            rid, value = item.get("id", ""), item.get("DefaultValue", "")
            if not 1 <= len(rid) <= 32:
                problems.append(f"resource id '{rid}' must be 1-32 characters")
            if kind in LIMITS and not 1 <= len(value) <= LIMITS[kind]:
                problems.append(f"{kind} '{rid}' must be 1-{LIMITS[kind]} characters")
        lists[kind] = {item.get("id", ""): item.get("DefaultValue", "") for item in items}
    return lists


def resid_uses(root: ET.Element, resources: dict[str, dict[str, str]]) -> list[str]:
    problems = []
    overrides = root.find(f"{V}VersionOverrides")
    for element in overrides.iter() if overrides is not None else ():
        rid = element.get("resid")
        if rid is None or element.tag.startswith(BT) and _local(element.tag) != "Image":
            continue
        kind = RESID_KIND.get(_local(element.tag))
        if kind and rid not in resources.get(kind, {}):
            problems.append(f"<{_local(element.tag)} resid=\"{rid}\"> is not defined in {kind}")
    return problems


def controls(root: ET.Element) -> list[str]:
    problems = []
    all_ids = [e.get("id") for e in root.iter() if e.tag in (f"{V}CustomTab", f"{V}Group",
                                                             f"{V}Control")]
    for cid, n in Counter(all_ids).items():
        if n > 1:
            problems.append(f"control id '{cid}' is used {n} times")
    for group in root.iter(f"{V}Group"):
        if group.find(f"{V}Label") is None or not group.findall(f"{V}Control"):
            problems.append(f"group '{group.get('id')}' needs a Label and at least one Control")
    executes = False
    for control in root.iter(f"{V}Control"):
        cid = control.get("id")
        for part in (f"{V}Label", f"{V}Supertip/{V}Title", f"{V}Supertip/{V}Description",
                     f"{V}Action"):
            if control.find(part) is None:
                problems.append(f"button '{cid}' has no {_local(part)}")
        sizes = sorted(int(i.get("size", 0)) for i in control.findall(f"{V}Icon/{BT}Image"))
        if sizes != [16, 32, 80]:
            problems.append(f"button '{cid}' needs icons of size 16, 32 and 80")
        action = control.find(f"{V}Action")
        if action is not None and action.get(XSI_TYPE) == "ExecuteFunction":
            executes = True
            if not (action.findtext(f"{V}FunctionName") or "").strip():
                problems.append(f"button '{cid}' runs no FunctionName")
    if executes and root.find(f".//{V}DesktopFormFactor/{V}FunctionFile") is None:
        problems.append("ExecuteFunction buttons need a <FunctionFile>")
    return problems


def urls(root: ET.Element, resources: dict[str, dict[str, str]], https: bool) -> list[str]:
    found = [(f"resource '{rid}'", url) for kind in ("Images", "Urls")
             for rid, url in resources.get(kind, {}).items()]
    for tag in ("IconUrl", "HighResolutionIconUrl", "SupportUrl"):
        element = root.find(f"{APP}{tag}")
        if element is not None:
            found.append((f"<{tag}>", element.get("DefaultValue", "")))
    found += [("<SourceLocation>", e.get("DefaultValue", ""))
              for e in root.findall(f"{APP}DefaultSettings/{APP}SourceLocation")]
    pattern = r"^https://" if https else r"^https?://"
    return [f"{where} URL '{url}' must be absolute{' https' if https else ''}"
            for where, url in found if not re.match(pattern + r"[^/\s]+", url)]
