// SPDX-License-Identifier: GPL-2.0
/*
 * Demo workload: a small "web server" mix of file syscalls, some of which
 * fail, repeated N times (default 1000).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int i, n = argc > 1 ? atoi(argv[1]) : 1000;
	struct stat st;
	char buf[256];

	for (i = 0; i < n; i++) {
		int fd = open("/proc/self/status", O_RDONLY);

		if (fd >= 0) {
			while (read(fd, buf, sizeof(buf)) > 0)
				;
			close(fd);
		}
		stat("/missing/index.html", &st);	/* ENOENT */
		access("/etc/shadow", W_OK);		/* EACCES if not root */
		close(-1);				/* EBADF */
	}
	return 0;
}
