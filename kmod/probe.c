// SPDX-License-Identifier: GPL-2.0
/*
 * The sys_exit tracepoint and what each event counts; the calls counted
 * when they enter are in entry.c.  The tracepoint's behaviour this relies
 * on (see SPEC.md): a call refused by seccomp fires only sys_exit; exit and
 * exit_group return only if refused; a fork-family call's sys_exit fires
 * again in each child with 0; a successful exec's sys_exit reports execve
 * of the new image's ABI; sigreturn and rt_sigreturn restore the registers
 * of the interrupted context, orig_ax -1 included, so their sys_exit
 * reports number -1 with whatever the restored context returns.
 *
 * Calls seccomp refuses never enter: those counted at entry are counted
 * when they return instead.  A refused exit or exit_group is told by its
 * number at sys_exit (the real ones never get there); a refused exec or
 * sigreturn by the task not being inside one (ks_inflight_leave()).
 */
#include <linux/cgroup.h>
#include <linux/jump_label.h>
#include <linux/mutex.h>
#include <linux/ptrace.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <asm/syscall.h>

#include "abi.h"
#include "cgroup.h"
#include "compat.h"
#include "params.h"
#include "probe.h"
#include "stats.h"
#include "tracepoints.h"

/*
 * A successful exec that returns in another ABI than it entered with
 * (KS_EXEC_SWITCHES_ABI): its number is an exec of the other ABI, and the
 * task is inside an exec.  It was counted when it entered.
 */
static __always_inline bool ks_exec_switched(u32 abi, long id, long ret)
{
#ifdef KS_EXEC_SWITCHES_ABI
	u32 other = abi == KS_ABI_COMPAT ? KS_ABI_NATIVE : KS_ABI_COMPAT;

	return unlikely(!ret && ks_syscall_kind(other, id) == KS_SYS_EXEC &&
			ks_syscall_kind(abi, id) != KS_SYS_EXEC) &&
	       ks_inflight_leave(KS_IN_EXEC);
#else
	return false;
#endif
}

/* The tag of the current call of raw number @nr (see KS_TAG_SLOW). */
static __always_inline u64 ks_raw_tag(u32 nr)
{
	return (u64)ks_status_word() << KS_TAG_ABI | nr;
}

/*
 * sys_exit's probe while counting is off: what entered while it was on is
 * over all the same.
 */
static notrace void ks_probe_sys_exit_off(void *data, struct pt_regs *regs,
					  long ret)
{
	long id = (int)ks_exit_nr(regs);
	u32 abi = ks_current_abi();
	u8 kind = ks_syscall_kind(abi, id);

	if (ks_exec_switched(abi, id, ret))
		return;
	if (kind == KS_SYS_EXEC)
		ks_inflight_leave(KS_IN_EXEC);
	else if (kind == KS_SYS_SIGRETURN || id == -1)
		ks_inflight_leave(KS_IN_SIGRETURN);
}

/*
 * Number -1 at sys_exit: a sigreturn's return (it restored the interrupted
 * context, whose orig_ax is -1), or a call of number -1 (made so, or
 * turned into one by a tracer to skip it), which is counted.
 */
static void ks_exit_nosyscall(struct ks_cpu *cpu, u64 cgid, u32 abi,
			      long ret)
{
	if (ks_inflight_leave(KS_IN_SIGRETURN))
		return;
	ks_count(cpu, cgid, ks_key(abi, -1), ret, true);
}

/*
 * The slow path, jumped to from the probe with no registers to move: the
 * number and the return value are read from @regs, where the tracepoint
 * read them (syscall_get_return_value()).
 */
static noinline __noclone notrace void ks_exit_slow(u64 cgid,
						    struct pt_regs *regs)
{
	struct ks_cpu *cpu = this_cpu_ptr(&ks_cpus);
	long ret = syscall_get_return_value(current, regs);
	long id = (int)ks_exit_nr(regs);
	u32 abi = ks_current_abi();

	if (id == -1) {
		ks_exit_nosyscall(cpu, cgid, abi, ret);
		return;
	}
	switch (ks_syscall_kind(abi, id)) {
	case KS_SYS_SIGRETURN:
		/*
		 * One that entered returns as number -1, or with its own
		 * after a bad frame: counted when it entered.  Else refused.
		 */
		if (ks_inflight_leave(KS_IN_SIGRETURN))
			return;
		break;
	case KS_SYS_FORK:
		if (!ret)
			return;		/* a child's return, not a call */
		break;
	case KS_SYS_EXEC:
		/*
		 * An exec that entered was counted then; only its failure is
		 * left to count (a successful exec returns 0).
		 */
		if (ks_inflight_leave(KS_IN_EXEC)) {
			if (ret)
				ks_count(cpu, cgid, ks_key(abi, id), ret,
					 false);
			return;
		}
		break;
	default:
		break;
	}
	ks_count(cpu, cgid, ks_key(abi, id), ret, true);
}

/*
 * Whether this CPU's cache holds the current call for the caller's cgroup,
 * in *@cs; its raw tag is compared as it comes: numbers outside the ABI's
 * table, -1 and the syscalls counted specially are never cached under one.
 */
static __always_inline bool ks_exit_cached(struct pt_regs *regs, u64 *cgid,
					   struct ks_cslot **cs)
{
	u64 tag = ks_raw_tag(ks_exit_nr(regs));

	*cgid = ks_current_cgid();
	*cs = ks_cache_at(this_cpu_read(ks_cpus.cache), *cgid, tag);
	return likely((*cs)->cgid == *cgid && (*cs)->tag == tag);
}

/*
 * A call that failed; called as the probe is, jumped to with its registers
 * as they are.  Only this CPU writes a cache slot's counters, and readers
 * load each once: an aligned 64-bit add needs no more on x86-64.
 */
static noinline __noclone notrace void ks_exit_failed(void *data,
						      struct pt_regs *regs,
						      long ret)
{
	/* the errno's tag: the return value is needed no further */
	u32 err_tag = (u32)-ret + 1;
	struct ks_cslot *cs;
	u64 cgid;

	if (!ks_exit_cached(regs, &cgid, &cs)) {
		ks_exit_slow(cgid, regs);
		return;
	}
	cs->c.calls++;
	this_cpu_inc(ks_observed_calls);
	/*
	 * The errno of the slot's last error again, one that counts in errors
	 * alone: the errno histogram's count is in there.
	 */
	if (likely(cs->err_tag == err_tag))
		cs->c.errors++;
	else
		ks_count_error(cs, cgid,
			       syscall_get_return_value(current, regs));
}

/*
 * The hot path: a call that succeeded, which this CPU's cache already
 * holds for the caller's cgroup, touches that one slot and this CPU's
 * count of calls, nothing else.
 */
static notrace void ks_probe_sys_exit(void *data, struct pt_regs *regs,
				      long ret)
{
	struct ks_cslot *cs;
	u64 cgid;

	if (ks_exec_switched(ks_current_abi(), (int)ks_exit_nr(regs), ret))
		return;
	ks_syscall_probe_begin();
	if (IS_ERR_VALUE(ret)) {
		ks_exit_failed(data, regs, ret);
		goto out;
	}
	/*
	 * No load above the error test: GCC would move the return value out
	 * of the register a failing call's jump needs it in.
	 */
	barrier();
	if (ks_exit_cached(regs, &cgid, &cs)) {
		cs->c.calls++;
		this_cpu_inc(ks_observed_calls);
	} else {
		ks_exit_slow(cgid, regs);
	}
out:
	ks_syscall_probe_end();
}

struct ks_tp_find {
	struct ks_tp *tps;
	unsigned int n;
};

static void ks_tp_match(struct tracepoint *tp, void *priv)
{
	struct ks_tp_find *f = priv;
	unsigned int i;

	for (i = 0; i < f->n; i++)
		if (!strcmp(tp->name, f->tps[i].name))
			f->tps[i].tp = tp;
}

/**
 * ks_tp_register() - attach probes to kernel tracepoints by name
 * @tps:	the probes
 * @n:		how many
 *
 * Return: 0, -ENOENT when a tracepoint does not exist, or another negative
 * errno; on failure nothing stays attached.
 */
int ks_tp_register(struct ks_tp *tps, unsigned int n)
{
	struct ks_tp_find f = { .tps = tps, .n = n };
	unsigned int i;
	int err = 0;

	for_each_kernel_tracepoint(ks_tp_match, &f);
	for (i = 0; i < n; i++) {
		if (!tps[i].tp) {
			pr_err("kabistat: no tracepoint %s\n", tps[i].name);
			err = -ENOENT;
			break;
		}
		err = tracepoint_probe_register_prio(tps[i].tp, tps[i].probe,
						     NULL, tps[i].prio ?:
						     TRACEPOINT_DEFAULT_PRIO);
		if (err)
			break;
	}
	if (err)
		ks_tp_unregister(tps, i);
	return err;
}

/**
 * ks_tp_unregister() - detach probes ks_tp_register() attached
 * @tps:	the probes
 * @n:		how many
 *
 * The probes may still run until tracepoint_synchronize_unregister().
 */
void ks_tp_unregister(struct ks_tp *tps, unsigned int n)
{
	while (n--)
		if (tps[n].tp)
			tracepoint_probe_unregister(tps[n].tp, tps[n].probe,
						    NULL);
}

/*
 * While both are attached the counting probe runs first: the other finds
 * nothing left to forget of an exit counted.
 */
#define KS_PRIO_COUNTING	TRACEPOINT_DEFAULT_PRIO
#define KS_PRIO_OFF		(TRACEPOINT_DEFAULT_PRIO - 1)

static struct ks_tp ks_exit_tp = {
	.name = "sys_exit",
	.probe = ks_probe_sys_exit,
	.prio = KS_PRIO_COUNTING,
};

/*
 * Serialises swaps of sys_exit's probe and its (un)registration.  Before
 * 5.11 detaching a probe can fail without memory: a swap is then undone,
 * and should that fail too, the probe it attached stays attached as well
 * (@ks_exit_stale) until unload, and counting is not switched again.
 */
static DEFINE_MUTEX(ks_exit_mutex);
static bool ks_exit_attached;
static struct ks_tp ks_exit_stale;

static void ks_counting_set(bool on)
{
	if (on)
		static_branch_enable(&ks_counting);
	else
		static_branch_disable(&ks_counting);
}

/**
 * ks_probes_count() - switch counting on or off
 * @on:	which
 *
 * sys_exit's probe is swapped, not tested on every call: the new one is
 * attached before the old one goes, so no exit goes unseen.  ks_counting
 * says which one it is (entry.c tests it).
 *
 * Return: 0, or a negative errno with counting as it was.
 */
int ks_probes_count(bool on)
{
	struct ks_tp *t = &ks_exit_tp, old;
	int err = 0;

	mutex_lock(&ks_exit_mutex);
	old = *t;
	if (static_key_enabled(&ks_counting) == on)
		goto out;
	if (ks_exit_stale.probe) {
		err = -ENOMEM;
		goto out;
	}
	t->probe = on ? ks_probe_sys_exit : ks_probe_sys_exit_off;
	t->prio = on ? KS_PRIO_COUNTING : KS_PRIO_OFF;
	if (!ks_exit_attached) {
		ks_counting_set(on);
		goto out;
	}
	err = tracepoint_probe_register_prio(t->tp, t->probe, NULL, t->prio);
	if (err) {
		*t = old;
		goto out;
	}
	ks_counting_set(on);
	err = tracepoint_probe_unregister(t->tp, old.probe, NULL);
	if (err) {
		ks_counting_set(!on);
		if (tracepoint_probe_unregister(t->tp, t->probe, NULL))
			ks_exit_stale = *t;
		*t = old;
	}
out:
	mutex_unlock(&ks_exit_mutex);
	return err;
}

/**
 * ks_probes_register() - start counting
 *
 * Return: 0 or a negative errno.
 */
int ks_probes_register(void)
{
	int err = ks_cgroup_probes_register();

	if (err)
		return err;
	err = ks_entry_register();
	if (err)
		goto out_cgroup;
	mutex_lock(&ks_exit_mutex);
	err = ks_tp_register(&ks_exit_tp, 1);
	ks_exit_attached = !err;
	mutex_unlock(&ks_exit_mutex);
	if (err)
		goto out_entry;
	return 0;

out_entry:
	ks_entry_unregister();
out_cgroup:
	ks_cgroup_probes_unregister();
	tracepoint_synchronize_unregister();
	return err;
}

/**
 * ks_probes_unregister() - stop counting; no probe runs on return
 */
void ks_probes_unregister(void)
{
	mutex_lock(&ks_exit_mutex);
	ks_tp_unregister(&ks_exit_tp, 1);
	if (ks_exit_stale.probe)
		ks_tp_unregister(&ks_exit_stale, 1);
	ks_exit_attached = false;
	mutex_unlock(&ks_exit_mutex);
	ks_entry_unregister();
	ks_cgroup_probes_unregister();
	tracepoint_synchronize_unregister();
}
