// SPDX-License-Identifier: GPL-2.0
/*
 * A 32-bit workload for spec_errno.c: 7 int $0x80 calls of number 100000
 * and 3 of number -1, numbers outside the ia32 table, then ia32
 * exit_group(0), or exit_group(1) if one of them did not fail with
 * ENOSYS.  No libc and no start files, so the image makes no other
 * system call at all.
 *
 * Built by selftests.mk with gcc -m32 -static -nostdlib into the payload's
 * bin/, not as a test.
 */
#ifndef __i386__
#error "wl_ia32_oor.c is built with -m32"
#endif

/* ia32 numbers (arch/x86/entry/syscalls/syscall_32.tbl) */
#define IA32_NR_EXIT_GROUP	252
#define ENOSYS_RET		-38

#define STR_(x)	#x
#define STR(x)	STR_(x)

__asm__(
	"	.text\n"
	"	.globl _start\n"
	"_start:\n"
	"	xorl %edi, %edi\n"		/* exit code */
	"	movl $7, %esi\n"		/* calls of 100000 left */
	"1:	movl $100000, %eax\n"
	"	int $0x80\n"
	"	cmpl $" STR(ENOSYS_RET) ", %eax\n"
	"	je 2f\n"
	"	movl $1, %edi\n"
	"2:	decl %esi\n"
	"	jnz 1b\n"
	"	movl $3, %esi\n"		/* calls of -1 left */
	"3:	movl $-1, %eax\n"
	"	int $0x80\n"
	"	cmpl $" STR(ENOSYS_RET) ", %eax\n"
	"	je 4f\n"
	"	movl $1, %edi\n"
	"4:	decl %esi\n"
	"	jnz 3b\n"
	"	movl %edi, %ebx\n"
	"	movl $" STR(IA32_NR_EXIT_GROUP) ", %eax\n"
	"	int $0x80\n"
	"	hlt\n"
);
