// SPDX-License-Identifier: GPL-2.0
/*
 * Host-only: the ABI hash libkabistat computes (kabistat_syscall_hash())
 * of a syscall table as kmod/gen-syscalls.sh generates it for the module,
 * one "[NR] = { "NAME", IMPLEMENTED }," line per number.  The guest tests
 * show that the module's hash equals the library's over the table GET_ABI
 * sends (genl_abi.c); scripts/host-tests.sh uses this to show that the
 * tables of two kernels give two hashes.
 *
 * usage: abi-hash TABLE.inc  -- prints the hash, in hex, and the count of
 * implemented numbers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kabistat.h"

#define MAX_NR	4096

int main(int argc, char **argv)
{
	static const char *names[MAX_NR];
	static uint32_t bits[MAX_NR / 32];
	struct kabistat_syscall_table t = { .present = 1 };
	char line[256], name[128];
	unsigned int nr = 0;
	int impl, n = 0;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: abi-hash TABLE.inc\n");
		return 2;
	}
	f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " [%u] = { \"%127[^\"]\", %d }", &nr, name,
			   &impl) == 3) {
			if (nr >= MAX_NR)
				break;
			names[nr] = strdup(name);
		} else if (sscanf(line, " [%u] = { NULL, %d }", &nr,
				  &impl) == 2) {
			if (nr >= MAX_NR)
				break;
		} else {
			fprintf(stderr, "%s: not a table line: %s", argv[1],
				line);
			fclose(f);
			return 1;
		}
		if (nr != t.size) {
			fprintf(stderr, "%s: number %u after %u\n", argv[1],
				nr, t.size);
			fclose(f);
			return 1;
		}
		if (impl) {
			bits[nr / 32] |= 1U << (nr % 32);
			n++;
		}
		t.size = nr + 1;
	}
	fclose(f);
	if (nr >= MAX_NR || !t.size) {
		fprintf(stderr, "%s: no table, or one too large\n", argv[1]);
		return 1;
	}
	t.names = names;
	t.implemented = bits;
	t.nr_implemented = n;
	printf("%016llx %d\n", (unsigned long long)kabistat_syscall_hash(&t),
	       n);
	for (nr = 0; nr < t.size; nr++)
		free((char *)names[nr]);
	return 0;
}
