// SPDX-License-Identifier: GPL-2.0
/*
 * The libbpf row: per (cgroup id, syscall nr), calls counted at sys_enter
 * and errors at sys_exit, in a per-CPU hash, on the raw syscall tracepoints.
 * No CO-RE needed: the cgroup comes from a helper and the syscall number
 * from the tracepoint's arguments (at exit, from regs->orig_ax).
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

struct ksb_key {
	__u64 cgid;
	__u64 nr;
};

struct ksb_val {
	__u64 calls;
	__u64 errors;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct ksb_key);
	__type(value, struct ksb_val);
} counts SEC(".maps");

/* offsetof(struct pt_regs, orig_ax) on x86_64 */
#define KSB_ORIG_AX	120

static __always_inline struct ksb_val *ksb_slot(__u64 nr)
{
	struct ksb_key key = { .cgid = bpf_get_current_cgroup_id(), .nr = nr };
	struct ksb_val *v = bpf_map_lookup_elem(&counts, &key);

	if (v)
		return v;
	{
		struct ksb_val zero = {};

		bpf_map_update_elem(&counts, &key, &zero, BPF_NOEXIST);
	}
	return bpf_map_lookup_elem(&counts, &key);
}

/* raw_tp args: sys_enter(struct pt_regs *regs, long id) */
SEC("raw_tp/sys_enter")
int ksb_enter(__u64 *ctx)
{
	struct ksb_val *v = ksb_slot(ctx[1]);

	if (v)
		v->calls++;
	return 0;
}

/* sys_exit(struct pt_regs *regs, long ret) */
SEC("raw_tp/sys_exit")
int ksb_exit(__u64 *ctx)
{
	long ret = (long)ctx[1];
	__u64 nr = 0;
	struct ksb_val *v;

	if (ret >= 0 || ret < -4095)
		return 0;
	bpf_probe_read_kernel(&nr, sizeof(nr), (void *)ctx[0] + KSB_ORIG_AX);
	v = ksb_slot((__u64)(int)nr);
	if (v)
		v->errors++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
