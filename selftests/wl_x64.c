// SPDX-License-Identifier: GPL-2.0
/*
 * A 64-bit workload with an exactly known syscall sequence, for
 * spec_exec.c: 7 getppid, then exit_group(0), or exit_group(1) if a
 * getppid failed.  No libc and no start files, so the image makes no
 * other system call at all.
 *
 * Built by selftests.mk with -static -nostdlib into the payload's bin/,
 * not as a test.
 */
#ifndef __x86_64__
#error "wl_x64.c is x86_64 code"
#endif

/* x86_64 numbers (arch/x86/entry/syscalls/syscall_64.tbl) */
#define X64_NR_GETPPID		110
#define X64_NR_EXIT_GROUP	231

#define STR_(x)	#x
#define STR(x)	STR_(x)

__asm__(
	"	.text\n"
	"	.globl _start\n"
	"_start:\n"
	"	xorl %r12d, %r12d\n"		/* exit code */
	"	movl $7, %r13d\n"		/* calls left */
	"1:	movl $" STR(X64_NR_GETPPID) ", %eax\n"
	"	syscall\n"
	"	testq %rax, %rax\n"
	"	jg 2f\n"
	"	movl $1, %r12d\n"
	"2:	decl %r13d\n"
	"	jnz 1b\n"
	"	movl %r12d, %edi\n"
	"	movl $" STR(X64_NR_EXIT_GROUP) ", %eax\n"
	"	syscall\n"
	"	hlt\n"
);
