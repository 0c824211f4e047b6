// SPDX-License-Identifier: GPL-2.0-or-later
/* kabistat abi: the host kernel's ABI identity. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>

#include "kabistat.h"
#include "cli.h"

static const char *cgroup_mode_name(uint32_t mode)
{
	switch (mode) {
	case KABISTAT_CGROUP_MODE_UNIFIED:
		return "unified";
	case KABISTAT_CGROUP_MODE_HYBRID:
		return "hybrid";
	default:
		return "unknown";
	}
}

static void abi_json(struct cli *cli, const struct kabistat_kernel_abi *abi,
		     bool syscalls)
{
	struct json *j = &cli->j;
	char hash[24];
	uint32_t nr;
	int i;

	json_object_begin(j);
	json_key(j, "kernel");
	json_object_begin(j);
	json_kv_string(j, "release", abi->kernel_release);
	json_kv_string(j, "version", abi->kernel_version);
	json_kv_string(j, "machine", abi->kernel_machine);
	json_object_end(j);
	json_key(j, "module");
	json_object_begin(j);
	json_kv_string(j, "version", abi->module_version);
	json_kv_u64(j, "uapi_version", abi->uapi_version);
	json_kv_u64(j, "family_version", abi->family_version);
	json_object_end(j);
	json_kv_string(j, "cgroup_mode", cgroup_mode_name(abi->cgroup_mode));
	json_kv_u64(j, "timestamp_ns", abi->timestamp_ns);
	json_key(j, "state");
	json_object_begin(j);
	json_kv_bool(j, "counting", abi->counting);
	json_kv_u64(j, "generation", abi->generation);
	json_kv_u64(j, "tracked_cgroups", abi->tracked_cgroups);
	json_kv_u64(j, "max_cgroups", abi->max_cgroups);
	json_kv_u64(j, "memory_used", abi->memory_used);
	json_kv_u64(j, "max_memory", abi->max_memory);
	json_kv_u64(j, "released_ttl", abi->released_ttl);
	json_kv_u64(j, "events_dropped", abi->events_dropped);
	/* null: the module tells only CAP_PERFMON or CAP_SYS_ADMIN */
	json_key(j, "observed");
	if (abi->has_observed)
		json_u64(j, abi->observed);
	else
		json_null(j);
	json_object_end(j);
	json_key(j, "abis");
	json_array_begin(j);
	for (i = 0; i < KABISTAT_MAX_ABIS; i++) {
		const struct kabistat_syscall_table *t = &abi->tables[i];

		if (!t->present)
			continue;
		json_object_begin(j);
		json_kv_string(j, "name", t->name);
		json_kv_u64(j, "table_size", t->size);
		json_kv_u64(j, "implemented", t->nr_implemented);
		snprintf(hash, sizeof(hash), "%016" PRIx64, t->hash);
		json_kv_string(j, "hash", hash);
		if (syscalls) {
			json_key(j, "syscalls");
			json_array_begin(j);
			for (nr = 0; nr < t->size; nr++) {
				if (!t->names[nr])
					continue;
				json_object_begin(j);
				json_kv_u64(j, "nr", nr);
				json_kv_string(j, "name", t->names[nr]);
				json_kv_bool(j, "implemented",
					     kabistat_abi_implemented(abi, i, nr));
				json_object_end(j);
			}
			json_array_end(j);
		}
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
	json_finish(j);
}

static void abi_text(const struct kabistat_kernel_abi *abi, bool syscalls)
{
	char n1[CLI_NUM_LEN], n2[CLI_NUM_LEN], n3[CLI_NUM_LEN];
	uint32_t nr;
	int i;

	printf("kernel:  %s %s (%s)\n", abi->kernel_release,
	       abi->kernel_version, abi->kernel_machine);
	printf("module:  kabistat %s, uapi %u, netlink family %u\n",
	       abi->module_version, abi->uapi_version, abi->family_version);
	printf("cgroups: %s\n", cgroup_mode_name(abi->cgroup_mode));
	printf("state:   counting %s, generation %" PRIu64,
	       abi->counting ? "on" : "off", abi->generation);
	if (abi->has_observed)
		printf(", %s syscalls observed", cli_num(n1, abi->observed));
	printf("\n");
	printf("         %s of %s cgroups tracked, released ones kept %" PRIu32
	       " s\n", cli_num(n1, abi->tracked_cgroups),
	       cli_num(n2, abi->max_cgroups), abi->released_ttl);
	printf("         %s of %s bytes of memory used, %s events dropped\n",
	       cli_num(n1, abi->memory_used), cli_num(n2, abi->max_memory),
	       cli_num(n3, abi->events_dropped));
	printf("\n%-8s %6s %12s  %-16s\n", "ABI", "TABLE", "IMPLEMENTED",
	       "HASH");
	for (i = 0; i < KABISTAT_MAX_ABIS; i++) {
		const struct kabistat_syscall_table *t = &abi->tables[i];

		if (t->present)
			printf("%-8s %6u %12u  %016" PRIx64 "\n", t->name,
			       t->size, t->nr_implemented, t->hash);
	}
	if (!syscalls)
		return;
	for (i = 0; i < KABISTAT_MAX_ABIS; i++) {
		const struct kabistat_syscall_table *t = &abi->tables[i];

		if (!t->present)
			continue;
		printf("\n%s syscalls:\n", t->name);
		for (nr = 0; nr < t->size; nr++)
			if (t->names[nr])
				printf("%6u  %s%s\n", nr, t->names[nr],
				       kabistat_abi_implemented(abi, i, nr) ?
				       "" : "  (not implemented)");
	}
}

int do_abi(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "syscalls", no_argument, NULL, 's' },
		CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct kabistat_kernel_abi *abi;
	struct kabistat *ks;
	bool syscalls = false;
	int c, err;

	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS "s", opts,
				NULL)) != -1) {
		if (c == 's') {
			syscalls = true;
			continue;
		}
		err = cli_common_opt(cli, "abi", c, argv);
		if (err >= 0)
			return err;
	}
	if (optind != argc)
		return cli_usage_error("abi", "unexpected argument '%s'",
				       argv[optind]);

	if (cli_open_abi(&ks, &abi))
		return CLI_EXIT_ERROR;
	if (cli->json)
		abi_json(cli, abi, syscalls);
	else
		abi_text(abi, syscalls);
	kabistat_abi_free(abi);
	kabistat_close(ks);
	return 0;
}
