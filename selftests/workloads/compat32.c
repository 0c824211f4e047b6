// SPDX-License-Identifier: GPL-2.0
/*
 * Demo workload, built as a 32-bit static binary: the same kind of work as
 * a legacy i386 container image, through the ia32 compat syscalls.
 */
#include <fcntl.h>
#include <unistd.h>

int main(void)
{
	char buf[128];
	int i;

	for (i = 0; i < 100; i++) {
		int fd = open("/proc/self/stat", O_RDONLY);

		if (fd >= 0) {
			read(fd, buf, sizeof(buf));
			close(fd);
		}
		getppid();
	}
	return 0;
}
