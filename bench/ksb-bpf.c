// SPDX-License-Identifier: GPL-2.0
/*
 * ksb-bpf: load and attach ksb.bpf.o with libbpf, print "ready", and on
 * SIGINT/SIGTERM print the counts summed over the CPUs:
 *
 *   ksb-bpf OBJECT    ->  "CGROUP_ID NR calls errors" lines
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

struct ksb_key {
	unsigned long long cgid, nr;
};

struct ksb_val {
	unsigned long long calls, errors;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct ksb_key key, next, *prev = NULL;
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct ksb_val *vals;
	int ncpus, fd, i;

	if (argc != 2) {
		fprintf(stderr, "usage: ksb-bpf OBJECT\n");
		return 2;
	}
	ncpus = libbpf_num_possible_cpus();
	vals = calloc(ncpus, sizeof(*vals));
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || libbpf_get_error(obj) || bpf_object__load(obj)) {
		fprintf(stderr, "ksb-bpf: cannot load %s: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	bpf_object__for_each_program(prog, obj) {
		if (libbpf_get_error(bpf_program__attach(prog))) {
			fprintf(stderr, "ksb-bpf: cannot attach %s\n",
				bpf_program__name(prog));
			return 1;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("ready\n");
	fflush(stdout);
	while (!stop)
		pause();

	fd = bpf_object__find_map_fd_by_name(obj, "counts");
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, vals))
			continue;
		for (i = 1; i < ncpus; i++) {
			vals[0].calls += vals[i].calls;
			vals[0].errors += vals[i].errors;
		}
		printf("%llu %llu %llu %llu\n", key.cgid, key.nr, vals[0].calls,
		       vals[0].errors);
	}
	bpf_object__close(obj);
	return 0;
}
