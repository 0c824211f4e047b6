// SPDX-License-Identifier: GPL-2.0
/*
 * Demo workload: syscalls that older kernels lack -- openat2 (5.6) and
 * clone3 (5.3) -- so that kabistat reports the kernel version it needs.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	struct open_how how = { .flags = O_RDONLY, .resolve = RESOLVE_NO_SYMLINKS };
	struct clone_args args = { .exit_signal = SIGCHLD };
	int i;

	for (i = 0; i < 20; i++) {
		long fd = syscall(SYS_openat2, AT_FDCWD, "/proc/version", &how,
				  sizeof(how));
		long pid;

		if (fd >= 0)
			close(fd);
		pid = syscall(SYS_clone3, &args, sizeof(args));
		if (pid == 0)
			syscall(SYS_exit_group, 0);
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
	return 0;
}
