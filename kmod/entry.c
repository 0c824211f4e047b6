// SPDX-License-Identifier: GPL-2.0
/*
 * The calls counted when they enter: exit and exit_group, which do not
 * return; execve and execveat, whose success returns in another image;
 * and sigreturn and rt_sigreturn, which return as number -1.  Their own
 * entry points (the syscall wrappers, found by name at load) are probed
 * with kprobes, so that no other syscall pays for a sys_enter probe.  A
 * kprobe fires only once seccomp let the call in, in the task that makes
 * it; the number and ABI are those the kernel dispatched on.
 *
 * The tasks inside an exec or a sigreturn are remembered until their
 * sys_exit (ks_inflight_leave()): an exec that returns without having
 * entered was refused by seccomp, and an exit with number -1 is a
 * sigreturn's return, not a call, when the task entered one.
 */
#include <linux/hash.h>
#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "abi.h"
#include "compat.h"
#include "params.h"
#include "probe.h"
#include "stats.h"

#if !IS_ENABLED(CONFIG_KPROBES)
#error "kabistat needs CONFIG_KPROBES: it counts exit, exec and sigreturn at their entry points"
#endif

/*
 * A small open-addressed table of task pointers, the low bit telling exec
 * from sigreturn (task_structs are cache-line aligned).  Exec and sigreturn
 * are rare and short, so it is enough; a task that finds no room among its
 * KS_INFLIGHT_PROBES places is counted as if it had not entered (README:
 * "What is counted").
 */
#define KS_INFLIGHT_BITS	10
#define KS_INFLIGHT_PROBES	8

static unsigned long ks_inflight_tasks[1 << KS_INFLIGHT_BITS];

static unsigned long *ks_inflight_slot(unsigned int h, unsigned int i)
{
	return &ks_inflight_tasks[(h + i) & ((1 << KS_INFLIGHT_BITS) - 1)];
}

/* Remember that current entered @what; false when there is no room. */
static bool ks_inflight_enter(enum ks_inflight what)
{
	unsigned long me = (unsigned long)current | what;
	unsigned int h = hash_ptr(current, KS_INFLIGHT_BITS), i;

	for (i = 0; i < KS_INFLIGHT_PROBES; i++)
		if (READ_ONCE(*ks_inflight_slot(h, i)) == me)
			return true;
	for (i = 0; i < KS_INFLIGHT_PROBES; i++)
		if (!cmpxchg(ks_inflight_slot(h, i), 0, me))
			return true;
	return false;
}

/**
 * ks_inflight_leave() - forget that current entered an exec or a sigreturn
 * @what: which
 *
 * Called from sys_exit with preemption disabled.  Return: whether current
 * had entered one.
 */
bool ks_inflight_leave(enum ks_inflight what)
{
	unsigned long me = (unsigned long)current | what;
	unsigned int h = hash_ptr(current, KS_INFLIGHT_BITS), i;
	bool entered = false;

	/* Only the task itself ever clears its places. */
	for (i = 0; i < KS_INFLIGHT_PROBES; i++)
		if (READ_ONCE(*ks_inflight_slot(h, i)) == me) {
			WRITE_ONCE(*ks_inflight_slot(h, i), 0);
			entered = true;
		}
	return entered;
}

static notrace int ks_entry_probe(struct kprobe *p, struct pt_regs *regs)
{
	/* The syscall's own registers, not the wrapper's. */
	long id = (int)syscall_get_nr(current, task_pt_regs(current));
	u32 abi = ks_current_abi();

	switch (ks_syscall_kind(abi, id)) {
	case KS_SYS_EXEC:
		/* Remembered with counting off too: its sys_exit forgets it. */
		if (!ks_inflight_enter(KS_IN_EXEC))
			return 0;	/* counted when it returns */
		break;
	case KS_SYS_SIGRETURN:
		if (!ks_inflight_enter(KS_IN_SIGRETURN))
			return 0;	/* its -1 exit is counted instead */
		break;
	case KS_SYS_EXIT:
		break;
	default:
		/* Another ABI's call into a shared wrapper: not this one's. */
		return 0;
	}
	if (!static_branch_likely(&ks_counting))
		return 0;
	ks_syscall_probe_begin();
	ks_count(this_cpu_ptr(&ks_cpus), ks_current_cgid(), ks_key(abi, id),
		 0, true);
	ks_syscall_probe_end();
	return 0;
}

static struct kprobe *ks_kprobes;
static unsigned int ks_nr_kprobes;

/* Whether @sym is probed already: ABIs may share a wrapper. */
static bool ks_entry_probed(const char *sym)
{
	unsigned int i;

	for (i = 0; i < ks_nr_kprobes; i++)
		if (!strcmp(ks_kprobes[i].symbol_name, sym))
			return true;
	return false;
}

/*
 * Probe @name of @abi at the first of its entry points the kernel has.
 * Return: 0, or -ENOENT when it has none.
 */
static int ks_entry_add(u32 abi, const char *name, unsigned int max)
{
	unsigned int i;
	int err = -ENOENT;

	for (i = 0; i < KS_ENTRY_PREFIXES && ks_entry_prefix(abi, i); i++) {
		struct kprobe *kp = &ks_kprobes[ks_nr_kprobes];
		char *sym;

		sym = kasprintf(GFP_KERNEL, "%s%s", ks_entry_prefix(abi, i),
				name);
		if (!sym)
			return -ENOMEM;
		/* one probe a wrapper: its handler counts by the caller's ABI */
		if (ks_entry_probed(sym)) {
			kfree(sym);
			return 0;
		}
		if (WARN_ON_ONCE(ks_nr_kprobes == max)) {
			kfree(sym);
			return -E2BIG;
		}
		memset(kp, 0, sizeof(*kp));
		kp->symbol_name = sym;
		kp->pre_handler = ks_entry_probe;
		err = register_kprobe(kp);
		if (!err) {
			ks_nr_kprobes++;
			return 0;
		}
		kfree(sym);
		if (err != -ENOENT && err != -EINVAL)
			return err;
		err = -ENOENT;
	}
	return err;
}

/**
 * ks_entry_register() - probe the entry-counted syscalls of every ABI
 *
 * Every implemented entry-counted syscall of every ABI the module reports
 * must have an entry point.
 *
 * Return: 0 or a negative errno; on failure nothing stays probed.
 */
int ks_entry_register(void)
{
	unsigned int max = 0, abi, nr;
	const char *name;
	int err = 0;

	for (abi = 0; abi < KS_NR_ABIS; abi++)
		for (nr = 0; nr < ks_abi_size[abi]; nr++)
			max += !!ks_abi_entry_counted(abi, nr);
	ks_kprobes = kcalloc(max ?: 1, sizeof(*ks_kprobes), GFP_KERNEL);
	if (!ks_kprobes)
		return -ENOMEM;

	for (abi = 0; abi < KS_NR_ABIS && !err; abi++)
		for (nr = 0; nr < ks_abi_size[abi] && !err; nr++) {
			name = ks_abi_entry_counted(abi, nr);
			if (!name)
				continue;
			err = ks_entry_add(abi, name, max);
			if (err == -ENOENT)
				pr_err("kabistat: no entry point for %s of %s\n",
				       name, ks_abi_get(abi)->name);
		}
	if (err)
		ks_entry_unregister();
	return err;
}

/**
 * ks_entry_unregister() - remove the entry probes
 *
 * No probe runs any more on return.
 */
void ks_entry_unregister(void)
{
	struct kprobe **kps;
	unsigned int i;

	if (!ks_nr_kprobes)
		goto out;
	/*
	 * Together: one RCU grace period for all of them, not one each
	 * (unload time).  Without memory for the array, one by one.
	 */
	kps = kmalloc_array(ks_nr_kprobes, sizeof(*kps), GFP_KERNEL);
	if (kps) {
		for (i = 0; i < ks_nr_kprobes; i++)
			kps[i] = &ks_kprobes[i];
		unregister_kprobes(kps, ks_nr_kprobes);
		kfree(kps);
	} else {
		for (i = 0; i < ks_nr_kprobes; i++)
			unregister_kprobe(&ks_kprobes[i]);
	}
	for (i = 0; i < ks_nr_kprobes; i++)
		kfree(ks_kprobes[i].symbol_name);
	ks_nr_kprobes = 0;
out:
	kfree(ks_kprobes);
	ks_kprobes = NULL;
}
