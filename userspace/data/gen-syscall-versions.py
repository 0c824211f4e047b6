#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Generate libkabistat's table of (ABI, syscall, first kernel version, source).

Sources, from the Debian packages scripts/deps.sh installs:

  * the syscalls(2) manual page (manpages-dev): "System call / Kernel /
    Notes" for the syscalls it lists;
  * the x86 syscall tables of the kernel trees Debian ships, oldest first:
    6.1 (arch/x86/entry/syscalls/syscall_{64,32}.tbl from linux-source-6.1),
    6.12 (the generated uapi unistd_{64,32,x32}.h of linux-headers-6.12), and
    any newer tree given with --optional-tree (7.3 when it is available);
  * userspace/data/syscall-overrides, which wins over both.

A syscall first present in tree N of the list gets:
  * the manual page's version when that version is newer than tree N-1 (the
    page and the tables agree it is new); else
  * the range "<tree N-1 + 1>-<tree N>": somewhere in between, the tables
    cannot say where ("6.2-6.12").
A syscall already in the oldest tree gets the manual page's version; one the
page does not know (or whose page entry does not apply to this ABI) gets
"1.0-<oldest>": the tables only bound it from above.  A syscall in none of
the trees is newer than the newest: the library gives it ">" and the newest
tree's version (">7.3"), which the C file names ks_since_beyond.

Manual page notes: entries marked "<arch> only" or "Not on x86" never apply
(x86 syscalls of the same name do not exist or come from the tables), and
"x86 since V" gives the ia32 version.

arm64 and arm (AArch32) come from the arm64 headers trees given with
--arm64-tree (scripts/arm64-kernel.sh unpacks Debian's): the generated
unistd_64.h and unistd_32.h where the tree has them (6.11 on), else the
uapi asm/unistd.h through the preprocessor and arm64's asm/unistd32.h.
arm64 began in 3.7, with the AArch32 compat layer: a version from the
manual page older than that becomes 3.7 (the page's entries for another
architecture only are left out, "ARM only" ones kept for arm).

usage: gen-syscall-versions.py --manpage syscalls.2.gz \\
	--tree 6.1=DIR --tree 6.12=DIR [--optional-tree 7.3=DIR|TAR] \\
	[--arm64-tree 6.1=DIR ...] \\
	[--overrides FILE] [--c OUT.c] [--tsv OUT.tsv]

A tree is a directory holding arch/x86/entry/syscalls/syscall_*.tbl (a
source tree) or arch/x86/include/generated/uapi/asm/unistd_*.h (a headers
tree), or a linux-source tarball (.tar.xz) from which the .tbl files are
read.  An optional tree that does not exist is skipped with a note.
"""

import argparse
import gzip
import os
import re
import subprocess
import sys
import tarfile

ABIS = ("x86_64", "ia32", "x32", "arm64", "arm")
X86_ABIS = ("x86_64", "ia32", "x32")
ARM64_ABIS = ("arm64", "arm")
ARM64_FIRST = "3.7"

# syscall_64.tbl ABI column -> our ABIs
TBL64 = {"common": ("x86_64", "x32"), "64": ("x86_64",), "x32": ("x32",)}


def die(msg):
    sys.exit("gen-syscall-versions: " + msg)


def vkey(v):
    return tuple(int(x) for x in v.split("."))


def next_version(v):
    """The first release after @v: 6.1 -> 6.2 (7.3 -> 7.4)."""
    major, minor = vkey(v)[:2]
    return "%d.%d" % (major, minor + 1)


def parse_tbl(text, kind):
    """Names per ABI from a syscall_64.tbl (kind 64) or syscall_32.tbl."""
    out = {abi: set() for abi in ABIS}
    for line in text.splitlines():
        f = line.split("#", 1)[0].split()
        if len(f) < 3:
            continue
        if kind == 64:
            for abi in TBL64.get(f[1], ()):
                out[abi].add(f[2])
        elif f[1] == "i386":
            out["ia32"].add(f[2])
    return out


def parse_unistd(text):
    # __NR_syscalls is the table size and __NR_syscall_max (up to 5.10)
    # the last number, not syscalls
    return {m.group(1) for m in
            re.finditer(r"^#define __NR_(\w+)\s+\(?(?:__X32_SYSCALL_BIT \+ )?\d+",
                        text, re.M)} - {"syscalls", "syscall_max"}


def read_tree(path):
    """{abi: set(names)} from a source tree, headers tree or tarball."""
    tbl = "arch/x86/entry/syscalls/syscall_%s.tbl"
    uni = "arch/x86/include/generated/uapi/asm/unistd_%s.h"
    names = {abi: set() for abi in ABIS}
    if os.path.isfile(path) and ".tar" in path:
        wanted = {"syscall_64.tbl": 64, "syscall_32.tbl": 32}
        with tarfile.open(path) as tar:
            for member in tar:
                parts = member.name.split("/", 1)
                if len(parts) != 2:
                    continue
                base = os.path.basename(parts[1])
                if parts[1] == tbl % base[8:10] and base in wanted:
                    text = tar.extractfile(member).read().decode()
                    for abi, s in parse_tbl(text, wanted.pop(base)).items():
                        names[abi] |= s
                if not wanted:
                    break
        if wanted:
            die("%s: no %s" % (path, ", ".join(sorted(wanted))))
        return names
    if os.path.exists(os.path.join(path, tbl % "64")):
        for kind in (64, 32):
            with open(os.path.join(path, tbl % kind)) as f:
                for abi, s in parse_tbl(f.read(), kind).items():
                    names[abi] |= s
        return names
    if os.path.exists(os.path.join(path, uni % "64")):
        for abi, suffix in (("x86_64", "64"), ("ia32", "32"), ("x32", "x32")):
            p = os.path.join(path, uni % suffix)
            if os.path.exists(p):
                with open(p) as f:
                    names[abi] = parse_unistd(f.read())
        return names
    die("%s: neither a kernel source tree, a headers tree nor a tarball" % path)


def read_arm64_tree(path):
    """{abi: set(names)} of arm64 and arm from an arm64 headers tree."""
    names = {abi: set() for abi in ABIS}
    gen = os.path.join(path, "arch/arm64/include/generated")
    if os.path.exists(os.path.join(gen, "uapi/asm/unistd_64.h")):
        for abi, rel in (("arm64", "uapi/asm/unistd_64.h"),
                         ("arm", "asm/unistd_32.h")):
            with open(os.path.join(gen, rel)) as f:
                names[abi] = parse_unistd(f.read())
        return names
    # Debian's headers tree includes the common one by absolute path.
    with open(os.path.join(path, "Makefile")) as f:
        m = re.search(r"^include (\S+)/Makefile$", f.read(), re.M)
    if not m:
        die("%s: neither generated unistd headers nor a common tree" % path)
    common = m.group(1)
    out = subprocess.run(
        ["cpp", "-nostdinc", "-dM",
         "-I", os.path.join(common, "arch/arm64/include/uapi"),
         "-I", os.path.join(gen, "uapi"),
         "-I", os.path.join(common, "include/uapi"),
         "-include", "asm/unistd.h", "/dev/null"],
        check=True, capture_output=True, text=True).stdout
    names["arm64"] = {m.group(1) for m in
                      re.finditer(r"^#define __NR_(\w+) ", out, re.M)} - \
        {"syscalls", "arch_specific_syscall"}
    with open(os.path.join(common, "arch/arm64/include/asm/unistd32.h")) as f:
        names["arm"] = parse_unistd(f.read())
    return names


def parse_manpage_arm(path):
    """{name: version} for entries that apply to arm64 and AArch32."""
    out = {}
    for name, kernel, notes in manpage_rows(path):
        if re.search(r"\bonly\b", notes) and not re.search(r"ARM", notes):
            continue        # another architecture's
        v = re.match(r"\s*(\d+\.\d+(?:\.\d+)?)", kernel) or \
            re.match(r"Added as .*? in (\d+\.\d+(?:\.\d+)?)", notes)
        if v:
            out[name] = v.group(1) if vkey(v.group(1)) > vkey(ARM64_FIRST) \
                else ARM64_FIRST
    return out


def manpage_rows(path):
    """(name, kernel column, notes) of the syscalls(2) table."""
    with gzip.open(path, "rt") as f:
        text = f.read()
    m = re.search(r"^\.TS\n(.*?)^\.TE", text, re.M | re.S)
    if not m:
        die("%s: no table" % path)
    rows, cur = [], None
    in_block = False
    for line in m.group(1).splitlines():
        if line.startswith('.\\"'):
            continue
        if in_block:
            if line.startswith("T}"):
                in_block = False
            else:
                cur[2] += " " + line
            continue
        r = re.match(r"\\fB(\w+)\\fP\(2\)\t([^\t]*)\t?(.*)$", line)
        if not r:
            continue
        cur = [r.group(1), r.group(2), r.group(3)]
        rows.append(cur)
        if cur[2] == "T{":
            cur[2] = ""
            in_block = True
    return [(name, kernel, re.sub(r"\\f[BIRP]", "", notes).strip())
            for name, kernel, notes in rows]


def parse_manpage(path):
    """{name: (version, ia32_version or None)} for entries that apply to x86."""
    out = {}
    for name, kernel, notes in manpage_rows(path):
        if re.search(r"\bonly\b", notes) and not re.search(r"x86", notes):
            continue        # another architecture's
        if re.search(r"Not on x86", notes):
            continue
        # "2.6; 2.4.18": the first is the mainline series that introduced it
        # an empty column: 'Added as "pread" in 2.2; renamed ...'
        v = re.match(r"\s*(\d+\.\d+(?:\.\d+)?)", kernel) or \
            re.match(r"Added as .*? in (\d+\.\d+(?:\.\d+)?)", notes)
        if not v:
            continue
        ia32 = re.search(r"\bx86 since (\d+\.\d+(?:\.\d+)?)", notes)
        out[name] = (v.group(1), ia32.group(1) if ia32 else None)
    return out


def parse_overrides(path):
    out = {}
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            f4 = line.split(None, 3)
            if len(f4) != 4 or (f4[0] not in ABIS and f4[0] != "*") or \
               not re.match(r"^\d+\.\d+(\.\d+)?(-\d+\.\d+(\.\d+)?)?$", f4[2]):
                die("%s:%d: expected 'ABI|* NAME VERSION[-VERSION] SOURCE'" %
                    (path, lineno))
            for abi in (X86_ABIS if f4[0] == "*" else (f4[0],)):
                out[(abi, f4[1])] = (f4[2], f4[3])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--manpage", required=True)
    ap.add_argument("--tree", action="append", default=[])
    ap.add_argument("--optional-tree", action="append", default=[])
    ap.add_argument("--arm64-tree", action="append", default=[])
    ap.add_argument("--overrides")
    ap.add_argument("--c")
    ap.add_argument("--tsv")
    args = ap.parse_args()

    trees = []
    for spec, optional in [(t, False) for t in args.tree] + \
                          [(t, True) for t in args.optional_tree]:
        version, _, path = spec.partition("=")
        if not re.match(r"^\d+\.\d+$", version) or not path:
            die("a tree is VERSION=PATH, not '%s'" % spec)
        if not os.path.exists(path):
            if optional:
                print("gen-syscall-versions: no %s tree at %s, skipped" %
                      (version, path), file=sys.stderr)
                continue
            die("%s: not found" % path)
        trees.append((version, path, read_tree(path)))
    if not trees:
        die("no kernel tree given")
    trees.sort(key=lambda t: vkey(t[0]))
    # The arm64 trees: optional, each a headers tree.
    arm64_trees = []
    for spec in args.arm64_tree:
        version, _, path = spec.partition("=")
        if not re.match(r"^\d+\.\d+$", version) or not path:
            die("a tree is VERSION=PATH, not '%s'" % spec)
        if not os.path.exists(path):
            print("gen-syscall-versions: no arm64 %s tree at %s, skipped" %
                  (version, path), file=sys.stderr)
            continue
        arm64_trees.append((version, path, read_arm64_tree(path)))
    arm64_trees.sort(key=lambda t: vkey(t[0]))
    man = parse_manpage(args.manpage)
    man_arm = parse_manpage_arm(args.manpage)
    overrides = parse_overrides(args.overrides) if args.overrides else {}

    table = []      # (abi, name, version, source)
    counts = {}
    for abi in ABIS:
        seen = set()
        abi_trees = arm64_trees if abi in ARM64_ABIS else trees
        for i, (tver, tpath, names) in enumerate(abi_trees):
            for name in sorted(names[abi] - seen):
                seen.add(name)
                if abi in ARM64_ABIS:
                    mver = man_arm.get(name)
                else:
                    mv = man.get(name)
                    mver = mv and ((mv[1] or mv[0]) if abi == "ia32" else mv[0])
                if (abi, name) in overrides:
                    ver, src = overrides[(abi, name)]
                    src = "override: " + src
                elif mver and (i == 0 or vkey(mver) > vkey(abi_trees[i - 1][0])):
                    ver, src = mver, "syscalls(2)"
                elif i == 0:
                    first = ARM64_FIRST if abi in ARM64_ABIS else "1.0"
                    ver, src = first + "-" + tver, "linux-%s table" % tver
                else:
                    prev = abi_trees[i - 1][0]
                    ver = next_version(prev) + "-" + tver
                    src = "linux-%s table, not in linux-%s" % (tver, prev)
                kind = src.split(":")[0].split(",")[0]
                counts[kind] = counts.get(kind, 0) + 1
                table.append((abi, name, ver, src))

    summary = ", ".join("%s %d" % kv for kv in sorted(counts.items()))
    print("gen-syscall-versions: %d entries from %s (trees %s; arm64 %s)" %
          (len(table), summary, " ".join(t[0] for t in trees),
           " ".join(t[0] for t in arm64_trees) or "none"),
          file=sys.stderr)

    if args.tsv:
        with open(args.tsv, "w") as f:
            f.write("# abi\tsyscall\tsince\tsource\n")
            for row in table:
                f.write("\t".join(row) + "\n")
    if args.c:
        abi_ids = {"x86_64": "KABISTAT_ABI_X86_64", "ia32": "KABISTAT_ABI_IA32",
                   "x32": "KABISTAT_ABI_X32", "arm64": "KABISTAT_ABI_ARM64",
                   "arm": "KABISTAT_ABI_ARM"}
        with open(args.c, "w") as f:
            f.write("/* Generated by userspace/data/gen-syscall-versions.py: do not edit. */\n")
            f.write('#include "since.h"\n\n')
            f.write("/* trees: %s; %s */\n" %
                    (" ".join(t[0] for t in trees), summary))
            f.write("const struct ks_since ks_since_table[] = {\n")
            # sorted by (abi, name) for bsearch
            for abi, name, ver, src in sorted(
                    table, key=lambda r: (ABIS.index(r[0]), r[1])):
                f.write('\t{ %s, "%s", "%s", "%s" },\n' %
                        (abi_ids[abi], name, ver, src.replace('"', "'")))
            f.write("};\n\nconst size_t ks_since_count = %d;\n" % len(table))
            f.write('const char ks_since_beyond[] = ">%s";\n' % trees[-1][0])


if __name__ == "__main__":
    main()
