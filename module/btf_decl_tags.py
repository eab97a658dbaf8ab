#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Moves the stability tags of a module built by a compiler without
btf_decl_tag (gcc < 15) from its .skf_decl_tags section into its BTF, as
the decl tags clang's build carries (module/btf_decl_tag.h).

    btf_decl_tags.py MODULE.ko BASE_BTF

BASE_BTF is the vmlinux (or a raw BTF file) the module's split BTF was
built over; a module with a distilled base (.BTF.base) uses that instead.
Each tag becomes a BTF_KIND_DECL_TAG on the kfunc's FUNC, component -1,
appended after the module's types (no id changes). The section stays (its
records' symbols refer to it); a module without it, or whose BTF already
has the tags, is left as it is.
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile

BTF_MAGIC = 0xEB9F
KIND_DECL_TAG = 17
KIND_FUNC = 12
# Bytes after the 12-byte struct btf_type, by kind: fixed, or per vlen member.
FIXED = {1: 4, 3: 12, 14: 4, 17: 4}
PER_MEMBER = {4: 12, 5: 12, 6: 8, 13: 8, 15: 12, 19: 12}


def die(msg):
    print(f"btf_decl_tags.py: error: {msg}", file=sys.stderr)
    sys.exit(1)


def sections(path):
    """The ELF machine and named sections of an ELF64 little-endian file:
    (e_machine, {name: bytes})."""
    with open(path, "rb") as f:
        elf = f.read()
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        die(f"{path} is not a 64-bit little-endian ELF file")
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)
    headers = [struct.unpack_from("<IIQQQQIIQQ", elf, shoff + i * shentsize) for i in range(shnum)]
    names = headers[shstrndx]
    out = {}
    for h in headers:
        name_end = elf.index(b"\0", names[4] + h[0])
        name = elf[names[4] + h[0]:name_end].decode()
        out[name] = elf[h[4]:h[4] + h[5]]
    return struct.unpack_from("<H", elf, 0x12)[0], out


class Btf:
    """A raw BTF blob: its header, type count, strings, FUNC ids by name."""

    def __init__(self, blob, what, base=None):
        magic, version, flags, hdr_len = struct.unpack_from("<HBBI", blob, 0)
        if magic != BTF_MAGIC:
            die(f"{what} holds no BTF (magic {magic:#x})")
        if hdr_len != 24:
            die(f"{what}: BTF header of {hdr_len} bytes; only the 24-byte header (no layout section) is supported")
        self.type_off, self.type_len, self.str_off, self.str_len = struct.unpack_from("<IIII", blob, 8)
        self.header = blob[:hdr_len]
        self.types = blob[hdr_len + self.type_off:hdr_len + self.type_off + self.type_len]
        self.strings = blob[hdr_len + self.str_off:hdr_len + self.str_off + self.str_len]
        self.first_id = base.first_id + base.count if base else 1
        self.first_str = base.first_str + base.str_len if base else 0
        self.base = base
        self.funcs = {}
        self.decl_tags = []
        self.count = 0
        pos = 0
        while pos < len(self.types):
            name_off, info, _ = struct.unpack_from("<III", self.types, pos)
            kind, vlen = (info >> 24) & 0x1F, info & 0xFFFF
            if kind == KIND_FUNC:
                self.funcs.setdefault(self.string(name_off), self.first_id + self.count)
            elif kind == KIND_DECL_TAG:
                self.decl_tags.append(self.string(name_off))
            pos += 12 + FIXED.get(kind, 0) + PER_MEMBER.get(kind, 0) * vlen
            self.count += 1
        if pos != len(self.types):
            die(f"{what}: a BTF type runs past the type section")

    def string(self, off):
        if off < self.first_str:
            return self.base.string(off)
        local = off - self.first_str
        return self.strings[local:self.strings.index(b"\0", local)].decode()


def base_btf(path):
    with open(path, "rb") as f:
        magic = f.read(2)
    blob = open(path, "rb").read() if magic == struct.pack("<H", BTF_MAGIC) else sections(path)[1].get(".BTF")
    if blob is None:
        die(f"{path} has no .BTF section: name the vmlinux the module was built against")
    return Btf(blob, path)


def binutils_objcopy(machine):
    """objcopy for ELF machine `machine`: Debian's binutils name a cross
    objcopy by its target."""
    triplet = {62: "x86_64-linux-gnu", 183: "aarch64-linux-gnu"}.get(machine)
    cross = f"{triplet}-objcopy" if triplet else None
    return cross if cross and shutil.which(cross) else "objcopy"


def records(raw):
    """(kfunc, tag) pairs of a .skf_decl_tags section: "kfunc\\0tag\\0"
    records, padding NULs between them skipped."""
    words = [w.decode() for w in raw.split(b"\0") if w]
    if len(words) % 2:
        die(".skf_decl_tags holds an odd number of strings: a record is cut")
    return list(zip(words[0::2], words[1::2]))


def main():
    if len(sys.argv) != 3:
        die("usage: btf_decl_tags.py MODULE.ko BASE_BTF")
    ko, base_path = sys.argv[1:]
    machine, secs = sections(ko)
    if ".skf_decl_tags" not in secs:
        return
    if ".BTF" not in secs:
        die(f"{ko} has no BTF (is CONFIG_DEBUG_INFO_BTF_MODULES set, and vmlinux in the kernel tree?)")
    base = Btf(secs[".BTF.base"], f"{ko} .BTF.base") if ".BTF.base" in secs else base_btf(base_path)
    btf = Btf(secs[".BTF"], f"{ko} .BTF", base)
    if btf.type_off != 0 or btf.str_off != btf.type_len:
        die(f"{ko}: unexpected BTF layout (types at {btf.type_off}, strings at {btf.str_off})")
    if any(tag.startswith("skf.") for tag in btf.decl_tags):
        return
    types, strings = bytearray(btf.types), bytearray(btf.strings)
    tags = records(secs[".skf_decl_tags"])
    for kfunc, tag in tags:
        if kfunc not in btf.funcs:
            die(f"{ko}: kfunc {kfunc} has no FUNC in the module's BTF: pahole dropped it, so its tags cannot be attached")
        name_off = btf.first_str + len(strings)
        strings += tag.encode() + b"\0"
        types += struct.pack("<IIIi", name_off, KIND_DECL_TAG << 24, btf.funcs[kfunc], -1)
    header = bytearray(btf.header)
    struct.pack_into("<IIII", header, 8, 0, len(types), len(types), len(strings))
    with tempfile.TemporaryDirectory() as tmp:
        new_btf = os.path.join(tmp, "btf")
        with open(new_btf, "wb") as f:
            f.write(header + types + strings)
        objcopy = os.environ.get("OBJCOPY") or binutils_objcopy(machine)
        result = subprocess.run([objcopy, "--update-section", f".BTF={new_btf}", ko], capture_output=True, text=True)
        if result.returncode != 0:
            die(f"{objcopy} could not replace the BTF of {ko}: {result.stderr.strip()}")
    print(f"btf_decl_tags.py: {ko}: {len(tags)} decl tags on {len({k for k, _ in tags})} kfuncs", file=sys.stderr)


if __name__ == "__main__":
    main()
