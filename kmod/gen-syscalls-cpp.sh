#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The syscall tables of one ABI for kernels whose build tree has no
# generated table: arm64 before 6.11 lists its syscalls as __SYSCALL(nr,
# sym) lines in C headers (asm/unistd.h through asm-generic/unistd.h, and
# asm/unistd32.h for AArch32), under #if of the kernel's configuration.
# The kernel's own preprocessor and flags expand them: __SYSCALL is
# defined to itself, so each line comes out with its number resolved, and
# every __NR_<name> the header defines is expanded the same way.  The two
# results have the forms of the generated headers, and gen-syscalls.sh
# reads them as it reads those.
#
# Left out of the names: __NR_compat_* (arm64's own short list of AArch32
# numbers, in the native header) and __NR_arch_specific_syscall (the first
# number of a range, not a syscall).
#
# usage: gen-syscalls-cpp.sh HEADER OUT -- CC [FLAGS...]
set -eu

header=$1
out=$2
shift 2
if [ "${1:-}" != -- ] || [ $# -lt 2 ]; then
	echo "gen-syscalls-cpp.sh: no compiler after --" >&2
	exit 2
fi
shift

tmp=$out.cpp
printf '#define __SYSCALL(nr, sym) __SYSCALL(nr, sym)\n#include <%s>\n' "$header" >"$tmp.c"
"$@" -E -dM "$tmp.c" |
	awk '$1 == "#define" && $2 ~ /^__NR_[a-z0-9_]+$/ && $2 !~ /^__NR_compat_/ &&
	     $2 != "__NR_arch_specific_syscall" && $2 != "__NR_syscalls" {
		print "KS_NR", substr($2, 6), $2
	}' >"$tmp.names"
cat "$tmp.names" >>"$tmp.c"
"$@" -E -P "$tmp.c" >"$tmp.i"
awk '$1 == "KS_NR" {
	nr = ""
	for (i = 3; i <= NF; i++)
		nr = nr $i
	print "#define __NR_" $2, nr
}' "$tmp.i" >"$tmp.unistd"
grep '^__SYSCALL(' "$tmp.i" >"$tmp.table"
"$(dirname "$0")/gen-syscalls.sh" "$tmp.unistd" "$tmp.table" >"$out"
rm -f "$tmp.c" "$tmp.names" "$tmp.i" "$tmp.unistd" "$tmp.table"
