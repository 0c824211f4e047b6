/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Workloads shared by the CLI tests: raw syscalls only (see cgtest.h), so
 * that the counts they leave are exact.
 */
#ifndef KABISTAT_CLI_WORKLOADS_H
#define KABISTAT_CLI_WORKLOADS_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <linux/seccomp.h>

#include "abis.h"

#define NR_GETPPID	1000
#define NR_BADCLOSE	7

static inline int wl_counts(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < NR_GETPPID; i++)
		syscall(SYS_getppid);
	for (i = 0; i < NR_BADCLOSE; i++)
		if (syscall(SYS_close, -1) != -1 || errno != EBADF)
			return 1;
	return 0;
}

static inline int do_clone3(void)
{
	struct clone_args args = { .exit_signal = SIGCHLD };
	long pid = syscall(SYS_clone3, &args, sizeof(args));

	if (pid == 0)
		syscall(SYS_exit_group, 0);
	if (pid < 0)
		return -1;
	return syscall(SYS_wait4, pid, NULL, 0, NULL) == pid ? 0 : -1;
}

/* openat2 twice (5.6), clone3 once (5.3); @arg: openat2 gets ENOSYS */
static inline int wl_modern(void *arg)
{
	struct open_how how = { .flags = O_RDONLY | O_DIRECTORY };
	int i, expect_enosys = arg != NULL;

	for (i = 0; i < 2; i++) {
		long fd = syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how));

		if (expect_enosys) {
			if (fd != -1 || errno != ENOSYS)
				return 2;
		} else {
			if (fd < 0)
				return 3;
			syscall(SYS_close, fd);
		}
	}
	return do_clone3() ? 4 : 0;
}

/* Answers openat2 with ENOSYS, as Docker's profile does for clone3. */
static inline int prep_openat2_enosys(void *arg)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TEST_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(insns) / sizeof(insns[0]), .filter = insns,
	};

	(void)arg;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return 10;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) ? 11 : 0;
}

#endif /* KABISTAT_CLI_WORKLOADS_H */
