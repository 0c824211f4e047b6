// SPDX-License-Identifier: GPL-2.0
/*
 * A 32-bit workload with an exactly known syscall sequence, for
 * counting.c: 5 ia32 getppid, then ia32 exit_group(0), or exit_group(1)
 * if a getppid failed.  No libc and no start files, so the image makes no
 * other system call at all.
 *
 * Built by selftests.mk with gcc -m32 -static -nostdlib into the payload's
 * bin/, not as a test.
 */
#ifndef __i386__
#error "wl_ia32.c is built with -m32"
#endif

/* ia32 numbers (arch/x86/entry/syscalls/syscall_32.tbl) */
#define IA32_NR_GETPPID		64
#define IA32_NR_EXIT_GROUP	252

#define STR_(x)	#x
#define STR(x)	STR_(x)

__asm__(
	"	.text\n"
	"	.globl _start\n"
	"_start:\n"
	"	xorl %edi, %edi\n"		/* exit code */
	"	movl $5, %esi\n"		/* calls left */
	"1:	movl $" STR(IA32_NR_GETPPID) ", %eax\n"
	"	int $0x80\n"
	"	testl %eax, %eax\n"
	"	jg 2f\n"
	"	movl $1, %edi\n"
	"2:	decl %esi\n"
	"	jnz 1b\n"
	"	movl %edi, %ebx\n"
	"	movl $" STR(IA32_NR_EXIT_GROUP) ", %eax\n"
	"	int $0x80\n"
	"	hlt\n"
);
