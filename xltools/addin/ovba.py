"""A VBA project (vbaProject.bin) written from source, per [MS-OVBA].

Excel keeps a VBA project as a compound file: ``PROJECT`` (text), ``PROJECTwm``
(module names), ``VBA/dir`` (compressed records: project information,
references, modules), ``VBA/_VBA_PROJECT`` and one compressed stream of source
per module. [MS-OVBA] 2.3.4.1 says a writer sets the ``_VBA_PROJECT`` version
to 0xFFFF and omits the compiled "performance cache"; Excel then compiles the
project from source when it opens the file — which is what xlwings' own
``quickstart_addin_ribbon.xlam`` does, and what we do here.

We start from that xlwings add-in's project (its references, project id and
protection records, the ``xlwings`` module with ``RunPython``) and replace the
sample ribbon module with xltools' module: so the records we did not write
come from a project Excel itself saved.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import olefile

CODEPAGE = "cp1252"  # the base project's PROJECTCODEPAGE (0x04E4)
CHUNK = 4096

# dir stream record ids ([MS-OVBA] 2.3.4.2)
PROJECTNAME, PROJECTVERSION, PROJECTMODULES = 0x0004, 0x0009, 0x000F
MODULENAME, TERMINATOR = 0x0019, 0x0010
DOCUMENT, CLASS, PROCEDURAL = "Document", "Class", "Module"  # as PROJECT declares them


# -- compression ([MS-OVBA] 2.4.1) ----------------------------------------------------


def compress(data: bytes) -> bytes:
    """Compress a stream: signature byte 0x01, then one compressed chunk per 4096 bytes."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK):
        out += _chunk(data[start:start + CHUNK])
    return bytes(out)


def _chunk(chunk: bytes) -> bytes:
    body = bytearray()
    pos, seen = 0, {}
    while pos < len(chunk):
        flag_at, flags = len(body), 0
        body.append(0)
        for bit in range(8):
            if pos >= len(chunk):
                break
            offset, length = _match(chunk, pos, seen)
            if length >= 3:
                bits = max((pos - 1).bit_length(), 4)
                body += struct.pack("<H", ((offset - 1) << (16 - bits)) | (length - 3))
                flags |= 1 << bit
                step = length
            else:
                body.append(chunk[pos])
                step = 1
            for i in range(pos, pos + step):
                seen.setdefault(chunk[i:i + 3], []).append(i)
            pos += step
        body[flag_at] = flags
    if len(chunk) == CHUNK and len(body) >= CHUNK:  # incompressible: a raw chunk
        return struct.pack("<H", (CHUNK - 1) | (0b011 << 12)) + chunk
    if len(body) > CHUNK:
        raise ValueError("chunk does not compress; VBA source is text and always should")
    return struct.pack("<H", (len(body) + 2 - 3) | (0b011 << 12) | 0x8000) + body


def _match(chunk: bytes, pos: int, seen: dict[bytes, list[int]]) -> tuple[int, int]:
    """Longest earlier match (overlap allowed) within the copy token's reach."""
    if pos == 0:
        return 0, 0
    bits = max((pos - 1).bit_length(), 4)
    max_len = (0xFFFF >> bits) + 3
    best_len, best_off = 0, 0
    end = min(len(chunk), pos + max_len)
    for cand in reversed(seen.get(chunk[pos:pos + 3], [])[-64:]):
        length = 0
        while pos + length < end and chunk[cand + length] == chunk[pos + length]:
            length += 1
        if length > best_len:
            best_len, best_off = length, pos - cand
            if length == max_len:
                break
    return best_off, best_len


def decompress(data: bytes) -> bytes:
    """The inverse of ``compress`` ([MS-OVBA] 2.4.1.3.1), to read the base project."""
    if not data or data[0] != 1:
        raise ValueError("not a compressed VBA stream (signature byte is not 0x01)")
    out, pos = bytearray(), 1
    while pos < len(data):
        header = struct.unpack_from("<H", data, pos)[0]
        size, compressed = (header & 0x0FFF) + 3, header & 0x8000
        chunk, pos = data[pos + 2:pos + size], pos + size
        out += _inflate(chunk) if compressed else chunk[:CHUNK]
    return bytes(out)


def _inflate(chunk: bytes) -> bytearray:
    out, i = bytearray(), 0
    while i < len(chunk):
        flags, i = chunk[i], i + 1
        for bit in range(8):
            if i >= len(chunk):
                break
            if not flags >> bit & 1:
                out.append(chunk[i])
                i += 1
                continue
            token = struct.unpack_from("<H", chunk, i)[0]
            i += 2
            bits = max((len(out) - 1).bit_length(), 4)
            offset, length = (token >> (16 - bits)) + 1, (token & (0xFFFF >> bits)) + 3
            for _ in range(length):
                out.append(out[-offset])
    return out


# -- the dir stream --------------------------------------------------------------------


def records(dir_data: bytes) -> Iterator[tuple[int, bytes]]:
    """(id, data) of each record; PROJECTVERSION's size field says 4 but 6 bytes follow."""
    i = 0
    while i < len(dir_data):
        rid, size = struct.unpack_from("<HI", dir_data, i)
        if rid == PROJECTVERSION:
            size = 6
        yield rid, dir_data[i + 6:i + 6 + size]
        i += 6 + size


def record(rid: int, data: bytes = b"") -> bytes:
    if rid == PROJECTVERSION:
        return struct.pack("<HI", rid, 4) + data
    return struct.pack("<HI", rid, len(data)) + data


@dataclass
class Module:
    """One VBA module: its name, kind and full source (with ``Attribute`` lines)."""

    name: str
    kind: str
    source: str

    def stream(self) -> bytes:
        text = self.source.replace("\r\n", "\n").replace("\n", "\r\n")
        return compress(text.encode(CODEPAGE))


def module_records(module: Module) -> bytes:
    name = module.name.encode(CODEPAGE)
    wide = module.name.encode("utf-16-le")
    kind = 0x0021 if module.kind == PROCEDURAL else 0x0022
    return b"".join([
        record(0x0019, name), record(0x0047, wide), record(0x001A, name), record(0x0032, wide),
        record(0x001C), record(0x0048), record(0x0031, struct.pack("<I", 0)),
        record(0x001E, struct.pack("<I", 0)), record(0x002C, struct.pack("<H", 0xFFFF)),
        record(kind), record(0x002B),
    ])


def dir_stream(base_dir: bytes, project_name: str, modules: list[Module]) -> bytes:
    """The base project's information and references, our name and our modules."""
    head = bytearray()
    for rid, data in records(base_dir):
        if rid == PROJECTMODULES:
            break
        head += record(rid, project_name.encode(CODEPAGE) if rid == PROJECTNAME else data)
    body = record(PROJECTMODULES, struct.pack("<H", len(modules)))
    body += record(0x0013, struct.pack("<H", 0xFFFF))
    body += b"".join(module_records(m) for m in modules)
    return bytes(head) + body + record(TERMINATOR)


def project_stream(base_text: str, project_name: str, modules: list[Module]) -> bytes:
    """PROJECT: the base's id, protection and host records with our name and modules."""
    lines = base_text.replace("\r\n", "\n").split("\n")
    keep = [ln for ln in lines if not ln.startswith(("Document=", "Module=", "Class=", "Name="))]
    first = keep.index(next(ln for ln in keep if ln.startswith("ID=")))
    declared = [f"{m.kind}={m.name}" + ("/&H00000000" if m.kind == DOCUMENT else "")
                for m in modules]
    out = keep[:first + 1] + declared + [f'Name="{project_name}"'] + keep[first + 1:]
    workspace = out.index("[Workspace]")
    out = out[:workspace + 1] + [f"{m.name}=0, 0, 0, 0, C" for m in modules] + [""]
    return "\r\n".join(out).encode(CODEPAGE)


def projectwm_stream(modules: list[Module]) -> bytes:
    parts = [m.name.encode(CODEPAGE) + b"\x00" + m.name.encode("utf-16-le") + b"\x00\x00"
             for m in modules]
    return b"".join(parts) + b"\x00\x00"


# -- reading the base project ------------------------------------------------------------


def base_modules(path: Path) -> tuple[dict[str, bytes], list[Module]]:
    """The base vbaProject.bin's raw streams and its modules' source."""
    ole = olefile.OleFileIO(str(path))
    try:
        streams = {"/".join(p): ole.openstream(p).read() for p in ole.listdir()}
    finally:
        ole.close()
    kinds = {}
    for line in streams["PROJECT"].decode(CODEPAGE).splitlines():
        key, _, value = line.partition("=")
        if key in (DOCUMENT, CLASS, PROCEDURAL):
            kinds[value.split("/")[0]] = key
    modules, pending = [], {}
    for rid, data in records(decompress(streams["VBA/dir"])):
        if rid == MODULENAME:
            pending = {"name": data.decode(CODEPAGE)}
        elif rid == 0x001A:
            pending["stream"] = data.decode(CODEPAGE)
        elif rid == 0x0031:
            pending["offset"] = struct.unpack("<I", data)[0]
        elif rid == 0x002B:
            raw = streams["VBA/" + pending["stream"]][pending["offset"]:]
            modules.append(Module(pending["name"], kinds[pending["name"]],
                                  decompress(raw).decode(CODEPAGE)))
    return streams, modules
