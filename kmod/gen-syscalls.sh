#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Generate the syscall tables of one ABI from the kernel build tree:
# names come from the uapi unistd header (__NR_<name> <nr>), and whether a
# number is implemented from the generated syscall table (an entry that
# points at sys_ni_syscall is not).  The output is a C fragment of
# designated initialisers for struct ks_sysent, one for every number of the
# kernel's dispatch table, so that the array has the table's size.
#
# Both headers changed form over time; what is not a syscall of this ABI's
# table is left out by its form, whichever kernel has it: the last number
# (__NR_syscall_max, before 5.11) and the table size (__NR_syscalls) are
# not syscalls, and the x32 entries that syscalls_64.h listed next to the
# 64-bit ones (__SYSCALL_X32, before 5.11) belong to another table.  A
# 32-bit table line names the native and the compat entry (from 5.11
# __SYSCALL_WITH_COMPAT; before, two lines, the compat one last): a 64-bit
# kernel runs the compat one, and vm86 is sys_ni_syscall there.
#
# usage: gen-syscalls.sh UNISTD_H SYSCALLS_H
set -eu

awk '
FNR == 1 { file++ }
file == 1 && $1 == "#define" && $2 ~ /^__NR_/ {
	nr = $0
	sub(/^#define[ \t]+__NR_[A-Za-z0-9_]+[ \t]+/, "", nr)
	gsub(/[()]/, "", nr)
	sub(/__X32_SYSCALL_BIT[ \t]*\+[ \t]*/, "", nr)
	if (nr !~ /^[0-9]+$/ || $2 == "__NR_syscalls" ||
	    $2 == "__NR_syscall_max")
		next
	name[nr + 0] = substr($2, 6)
}
file == 2 && /^__SYSCALL/ && !/^__SYSCALL_X32\(/ {
	line = $0
	sub(/^[^(]*\(/, "", line)
	split(line, f, /[ ,)]+/)
	# A 64-bit kernel runs the compat entry of a 32-bit table line.
	entry = f[2]
	if ($0 ~ /^__SYSCALL_WITH_COMPAT\(/)
		entry = f[3]
	impl[f[1] + 0] = (entry != "sys_ni_syscall")
	if (f[1] + 1 > size)
		size = f[1] + 1
}
END {
	for (nr = 0; nr < size; nr++)
		if (nr in name)
			printf "\t[%d] = { \"%s\", %d },\n", nr, name[nr], impl[nr] + 0
		else
			printf "\t[%d] = { NULL, %d },\n", nr, impl[nr] + 0
}' "$1" "$2"
