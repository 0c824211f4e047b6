// SPDX-License-Identifier: GPL-2.0
/*
 * Demo workload: a program built for a newer kernel, probing syscalls this
 * one does not implement: numbers past the table, and uselib, which x86_64
 * names but never implemented.  Each answers ENOSYS.
 */
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	int i;

	for (i = 0; i < 10; i++) {
		syscall(100000);
		syscall(SYS_uselib, "/nonexistent");
		getppid();
	}
	return 0;
}
