/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A workload (see cgtest.h) of about a hundred distinct calls, each made
 * once and none with an effect: every one exists since 5.10 (so none is a
 * first ENOSYS), and those x86-64 has and arm64 lacks are left out there.
 * Its cgroup gets some seven chunks of keys and, removed, a release event
 * of some 10 KiB, a real process's worth.
 */
#ifndef KABISTAT_WL_VARIED_H
#define KABISTAT_WL_VARIED_H

#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Calls whose first argument is an fd: -1 makes each fail, EBADF. */
static const long wl_varied_fd_calls[] = {
	SYS_read, SYS_write, SYS_close, SYS_fstat, SYS_lseek, SYS_ioctl,
	SYS_pread64, SYS_pwrite64, SYS_readv, SYS_writev, SYS_dup,
	SYS_connect, SYS_accept, SYS_sendto, SYS_recvfrom, SYS_sendmsg,
	SYS_recvmsg, SYS_shutdown, SYS_bind, SYS_listen, SYS_getsockname,
	SYS_getpeername, SYS_setsockopt, SYS_getsockopt, SYS_fcntl,
	SYS_flock, SYS_fsync, SYS_fdatasync, SYS_ftruncate,
	SYS_fchdir, SYS_fchmod, SYS_fchown, SYS_fstatfs, SYS_readahead,
	SYS_fsetxattr, SYS_fgetxattr, SYS_flistxattr, SYS_fremovexattr,
	SYS_getdents64, SYS_fadvise64, SYS_epoll_ctl,
	SYS_inotify_rm_watch, SYS_splice, SYS_tee, SYS_sync_file_range,
	SYS_vmsplice, SYS_epoll_pwait, SYS_timerfd_settime,
	SYS_timerfd_gettime, SYS_accept4, SYS_dup3, SYS_preadv, SYS_pwritev,
	SYS_recvmmsg, SYS_sendmmsg, SYS_syncfs, SYS_setns,
	SYS_copy_file_range, SYS_preadv2, SYS_pwritev2,
	SYS_pidfd_send_signal, SYS_pidfd_getfd, SYS_process_madvise,
	SYS_fsmount,
#ifdef SYS_dup2
	SYS_dup2,
#endif
#ifdef SYS_getdents
	SYS_getdents,
#endif
#ifdef SYS_epoll_wait
	SYS_epoll_wait,
#endif
};

/* Calls relative to a directory fd: -1 with a relative path, EBADF. */
static const long wl_varied_at_calls[] = {
	SYS_openat, SYS_mkdirat, SYS_mknodat, SYS_fchownat,
	SYS_newfstatat, SYS_unlinkat, SYS_renameat, SYS_linkat,
	SYS_readlinkat, SYS_fchmodat, SYS_faccessat, SYS_utimensat,
	SYS_name_to_handle_at, SYS_renameat2, SYS_statx, SYS_faccessat2,
	SYS_open_tree, SYS_fspick,
#ifdef SYS_futimesat
	SYS_futimesat,
#endif
};

/* Calls that only read the caller's own state. */
static const long wl_varied_get_calls[] = {
	SYS_getpid, SYS_getppid, SYS_getuid, SYS_geteuid, SYS_getgid,
	SYS_getegid, SYS_gettid, SYS_sched_yield,
#ifdef SYS_getpgrp
	SYS_getpgrp,
#endif
};

#define WL_VARIED_LEN(a)	(sizeof(a) / sizeof((a)[0]))

/* The calls wl_varied() makes, each of a syscall of its own. */
#define WL_VARIED_CALLS	(WL_VARIED_LEN(wl_varied_fd_calls) + \
			 WL_VARIED_LEN(wl_varied_at_calls) + \
			 WL_VARIED_LEN(wl_varied_get_calls))

static inline int wl_varied(void *arg)
{
	size_t i;

	(void)arg;
	for (i = 0; i < WL_VARIED_LEN(wl_varied_fd_calls); i++)
		syscall(wl_varied_fd_calls[i], -1L, 0L, 0L, 0L, 0L, 0L);
	for (i = 0; i < WL_VARIED_LEN(wl_varied_at_calls); i++)
		syscall(wl_varied_at_calls[i], -1L, "x", -1L, "x", 0L, 0L);
	for (i = 0; i < WL_VARIED_LEN(wl_varied_get_calls); i++)
		syscall(wl_varied_get_calls[i]);
	return 0;
}

#endif /* KABISTAT_WL_VARIED_H */
