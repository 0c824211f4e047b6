// SPDX-License-Identifier: GPL-2.0
/*
 * The entrypoint of the containers cli_crun.c runs under crun: a static
 * x86_64 image with no libc and no start files, so that after the
 * runtime's execve every system call it makes is one of these:
 *
 *   wl_crun           1000 getppid, then exit_group(0), or exit_group(1)
 *                     if a getppid failed (it returns 0 in a new pid
 *                     namespace: the parent is outside)
 *   wl_crun pause     the same 1000 getppid, then pause() until killed
 *   wl_crun deny      one sched_getscheduler(0), a call neither crun nor
 *                     the forms above ever make; exit_group(0) when it was
 *                     refused with EPERM, 1 when it succeeded, 2 otherwise
 *
 * Built by selftests.mk with gcc -static -nostdlib into the payload's bin/,
 * not as a test.
 */
#ifndef __x86_64__
#error "wl_crun.c is an x86_64 image"
#endif

/* x86_64 numbers (arch/x86/entry/syscalls/syscall_64.tbl) */
#define NR_PAUSE		34
#define NR_GETPPID		110
#define NR_SCHED_GETSCHEDULER	145
#define NR_EXIT_GROUP		231
#define EPERM_RET		-1

#define STR_(x)	#x
#define STR(x)	STR_(x)

/* The kernel's entry stack: argc at (%rsp), then argv[]. */
__asm__(
	"	.text\n"
	"	.globl _start\n"
	"_start:\n"
	"	xorl %r13d, %r13d\n"		/* pause afterwards? */
	"	cmpq $1, (%rsp)\n"
	"	je 1f\n"
	"	movq 16(%rsp), %rax\n"		/* argv[1] */
	"	cmpb $'p', (%rax)\n"
	"	jne 5f\n"
	"	movl $1, %r13d\n"
	"1:	xorl %ebx, %ebx\n"		/* exit code */
	"	movl $1000, %r12d\n"		/* calls left */
	"2:	movl $" STR(NR_GETPPID) ", %eax\n"
	"	syscall\n"
	"	testq %rax, %rax\n"
	"	jns 3f\n"
	"	movl $1, %ebx\n"
	"3:	decl %r12d\n"
	"	jnz 2b\n"
	"	testl %r13d, %r13d\n"
	"	jz 9f\n"
	"4:	movl $" STR(NR_PAUSE) ", %eax\n"
	"	syscall\n"
	"	jmp 4b\n"
	"5:	movl $" STR(NR_SCHED_GETSCHEDULER) ", %eax\n"
	"	xorl %edi, %edi\n"
	"	syscall\n"
	"	movl $2, %ebx\n"
	"	cmpq $" STR(EPERM_RET) ", %rax\n"
	"	jne 6f\n"
	"	xorl %ebx, %ebx\n"
	"	jmp 9f\n"
	"6:	testq %rax, %rax\n"
	"	js 9f\n"
	"	movl $1, %ebx\n"
	"9:	movl %ebx, %edi\n"
	"	movl $" STR(NR_EXIT_GROUP) ", %eax\n"
	"	syscall\n"
	"	hlt\n"
);
