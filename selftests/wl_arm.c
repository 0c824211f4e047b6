// SPDX-License-Identifier: GPL-2.0
/*
 * The AArch32 workload of counting.c on arm64, as wl_ia32 is on x86: 5
 * arm getppid, then arm exit_group(0), or exit_group(1) if a getppid
 * failed.  No libc and no start files, so the image makes no other system
 * call at all.
 *
 * Built by selftests.mk with arm-linux-gnueabihf-gcc -static -nostdlib
 * into the arm64 payload's bin/, not as a test.
 */
#ifndef __arm__
#error "wl_arm.c is built with an AArch32 compiler"
#endif

/* EABI numbers (arch/arm/tools/syscall.tbl), in r7 for svc #0 */
#define ARM_NR_GETPPID		64
#define ARM_NR_EXIT_GROUP	248

#define STR_(x)	#x
#define STR(x)	STR_(x)

__asm__(
	"	.text\n"
	"	.arm\n"
	"	.globl _start\n"
	"_start:\n"
	"	mov r4, #0\n"			/* exit code */
	"	mov r5, #5\n"			/* calls left */
	"1:	mov r7, #" STR(ARM_NR_GETPPID) "\n"
	"	svc #0\n"
	"	cmp r0, #0\n"
	"	movle r4, #1\n"
	"	subs r5, r5, #1\n"
	"	bne 1b\n"
	"	mov r0, r4\n"
	"	mov r7, #" STR(ARM_NR_EXIT_GROUP) "\n"
	"	svc #0\n"
	"2:	b 2b\n"
);
