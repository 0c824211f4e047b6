// SPDX-License-Identifier: GPL-2.0
/*
 * The syscall tracepoints and what each event counts.  The tracepoints'
 * behaviour this relies on (see SPEC.md): a call refused by seccomp fires
 * only sys_exit; exit and exit_group fire only sys_enter unless refused; a
 * fork-family call's sys_exit fires again in each child with 0; a
 * successful exec's sys_exit reports execve of the new image's ABI.  And
 * one more: sigreturn and rt_sigreturn restore the registers of the
 * interrupted context and set orig_ax to -1, so their sys_exit reports
 * number -1 with whatever the restored context returns.  Number -1 is
 * therefore counted when it enters and ignored when it exits.
 *
 * Calls seccomp refuses never enter: those counted at entry are counted
 * when they return instead.  A refused exit, exit_group or sigreturn is
 * told by its number at sys_exit (the real ones never get there with it,
 * or a bad sigreturn frame returns 0); a refused exec returns like a
 * failed one, so the tasks inside an exec are remembered (ks_exec_*).
 */
#include <linux/cgroup.h>
#include <linux/hash.h>
#include <linux/jump_label.h>
#include <linux/ptrace.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <asm/syscall.h>

#include "abi.h"
#include "cgroup.h"
#include "compat.h"
#include "params.h"
#include "stats.h"
#include "tracepoints.h"

static __always_inline u32 ks_current_abi(void)
{
	return ks_in_compat_syscall() ? KS_ABI_COMPAT : KS_ABI_NATIVE;
}

/* Call with preemption disabled: css_sets are freed after RCU. */
static __always_inline u64 ks_current_cgid(void)
{
	return cgroup_id(rcu_dereference_sched(current->cgroups)->dfl_cgrp);
}

/*
 * Tasks between the entry and the return of an exec, by address: an exec
 * that entered was counted then, one that returns without having entered
 * was refused.  Exec is rare, so a small open-addressed table does; should
 * every place a task may take be in use, its exec is counted when it
 * returns, in the ABI it returns with.
 */
#define KS_EXEC_BITS	10
#define KS_EXEC_PROBES	8

static struct task_struct *ks_exec_tasks[1 << KS_EXEC_BITS];

static struct task_struct **ks_exec_slot(unsigned int h, unsigned int i)
{
	return &ks_exec_tasks[(h + i) & ((1 << KS_EXEC_BITS) - 1)];
}

/* Remember that current entered an exec; false when there is no room. */
static bool ks_exec_enter(void)
{
	unsigned int h = hash_ptr(current, KS_EXEC_BITS), i;

	for (i = 0; i < KS_EXEC_PROBES; i++)
		if (READ_ONCE(*ks_exec_slot(h, i)) == current)
			return true;
	for (i = 0; i < KS_EXEC_PROBES; i++)
		if (!cmpxchg(ks_exec_slot(h, i), NULL, current))
			return true;
	return false;
}

/* Forget current's exec; whether it had entered one. */
static bool ks_exec_leave(void)
{
	unsigned int h = hash_ptr(current, KS_EXEC_BITS), i;
	bool entered = false;

	/* Only the task itself ever clears its places. */
	for (i = 0; i < KS_EXEC_PROBES; i++)
		if (READ_ONCE(*ks_exec_slot(h, i)) == current) {
			WRITE_ONCE(*ks_exec_slot(h, i), NULL);
			entered = true;
		}
	return entered;
}

/*
 * A successful exec that returns in another ABI than it entered with
 * (KS_EXEC_SWITCHES_ABI): its number is an exec of the other ABI, and the
 * task is in the exec table.  It was counted when it entered.
 */
static __always_inline bool ks_exec_switched(u32 abi, long id, long ret)
{
#ifdef KS_EXEC_SWITCHES_ABI
	u32 other = abi == KS_ABI_COMPAT ? KS_ABI_NATIVE : KS_ABI_COMPAT;

	return unlikely(!ret && ks_syscall_kind(other, id) == KS_SYS_EXEC &&
			ks_syscall_kind(abi, id) != KS_SYS_EXEC) &&
	       ks_exec_leave();
#else
	return false;
#endif
}

/* Counting off: an exec that entered while it was on is over all the same. */
static noinline void ks_exit_uncounted(long id, long ret)
{
	u32 abi = ks_current_abi();

	if (ks_exec_switched(abi, id, ret))
		return;
	if (ks_syscall_kind(abi, id) == KS_SYS_EXEC)
		ks_exec_leave();
}

static noinline void ks_enter_slow(u32 abi, long id)
{
	/* Number -1 only fails, with ENOSYS, once seccomp let it enter. */
	long ret = id == -1 ? -ENOSYS : 0;

	if (ks_syscall_kind(abi, id) == KS_SYS_EXEC && !ks_exec_enter())
		return;
	ks_syscall_probe_begin();
	ks_count(this_cpu_ptr(&ks_cpus), ks_current_cgid(), ks_key(abi, id),
		 ret, true);
	ks_syscall_probe_end();
}

/* exit, exit_group, exec, sigreturn and number -1 count when they enter. */
static void ks_probe_sys_enter(void *data, struct pt_regs *regs, long id)
{
	u32 abi;

	if (!static_branch_likely(&ks_counting))
		return;
	abi = ks_current_abi();
	if (likely(ks_syscall_kind(abi, id) < KS_SYS_EXIT && id != -1))
		return;
	ks_enter_slow(abi, id);
}

static noinline void ks_exit_slow(struct ks_cpu *cpu, u64 cgid, u32 abi,
				  long id, long ret)
{
	switch (ks_syscall_kind(abi, id)) {
	case KS_SYS_SIGRETURN:
		/*
		 * A bad frame returns 0 after entering, and was counted then;
		 * an error is a refusal, which never entered.
		 */
		if (!IS_ERR_VALUE(ret))
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
		if (ks_exec_leave()) {
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
 * The hot path: a call this CPU's cache already holds for the caller's
 * cgroup touches that one slot and this CPU's state, nothing else.
 */
static void ks_probe_sys_exit(void *data, struct pt_regs *regs, long ret)
{
	/*
	 * The kernel dispatches on the low 32 bits of orig_ax, as sys_enter
	 * reports them; int $0x80 leaves -1 zero-extended there.
	 */
	long id = (int)syscall_get_nr(current, regs);
	struct ks_cslot *cs;
	struct ks_cpu *cpu;
	u32 abi, key;
	u64 cgid;

	if (!static_branch_likely(&ks_counting)) {
		ks_exit_uncounted(id, ret);
		return;
	}
	if (id == -1)
		return;
	abi = ks_current_abi();
	if (ks_exec_switched(abi, id, ret))
		return;
	key = ks_key(abi, id);

	ks_syscall_probe_begin();
	cgid = ks_current_cgid();
	cpu = this_cpu_ptr(&ks_cpus);
	cs = ks_cache_at(cpu, cgid, key);
	/* The tag is the key alone when the syscall is counted plainly. */
	if (likely(cs->cgid == cgid && cs->tag == key)) {
		/*
		 * Only this CPU writes them, and readers load each once: an
		 * aligned 64-bit add needs no more on x86-64.
		 */
		cs->c.calls++;
		this_cpu_inc(ks_observed_calls);
		if (IS_ERR_VALUE(ret))
			ks_count_error(cpu, cs, cgid, ret);
	} else {
		ks_exit_slow(cpu, cgid, abi, id, ret);
	}
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
		err = tracepoint_probe_register(tps[i].tp, tps[i].probe, NULL);
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

static struct ks_tp ks_syscall_tps[] = {
	{ .name = "sys_enter", .probe = ks_probe_sys_enter },
	{ .name = "sys_exit", .probe = ks_probe_sys_exit },
};

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
	err = ks_tp_register(ks_syscall_tps, ARRAY_SIZE(ks_syscall_tps));
	if (err) {
		ks_cgroup_probes_unregister();
		tracepoint_synchronize_unregister();
	}
	return err;
}

/**
 * ks_probes_unregister() - stop counting; no probe runs on return
 */
void ks_probes_unregister(void)
{
	ks_tp_unregister(ks_syscall_tps, ARRAY_SIZE(ks_syscall_tps));
	ks_cgroup_probes_unregister();
	tracepoint_synchronize_unregister();
}
