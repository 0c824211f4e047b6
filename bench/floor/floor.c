// SPDX-License-Identifier: GPL-2.0
/*
 * ksb_floor: empty probes on the sys_enter and sys_exit tracepoints, attached
 * the way kabistat attaches its own.  What it costs is what any
 * tracepoint-based syscall counter pays just to be called.  With enter=0,
 * only the sys_exit probe: the least a counter that sees every syscall's
 * result pays (the "floor1" row).
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

static bool enter = true;
module_param(enter, bool, 0444);
MODULE_PARM_DESC(enter, "attach the sys_enter probe too (default: yes)");

static void ksb_floor_enter(void *data, struct pt_regs *regs, long id)
{
}

static void ksb_floor_exit(void *data, struct pt_regs *regs, long ret)
{
}

static struct {
	const char *name;
	void *probe;
	struct tracepoint *tp;
} ksb_tps[] = {
	{ .name = "sys_enter", .probe = ksb_floor_enter },
	{ .name = "sys_exit", .probe = ksb_floor_exit },
};

static void ksb_tp_match(struct tracepoint *tp, void *priv)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ksb_tps); i++)
		if (!strcmp(tp->name, ksb_tps[i].name))
			ksb_tps[i].tp = tp;
}

static void ksb_unregister(unsigned int n)
{
	while (n-- > (enter ? 0 : 1))
		tracepoint_probe_unregister(ksb_tps[n].tp, ksb_tps[n].probe,
					    NULL);
	tracepoint_synchronize_unregister();
}

static int __init ksb_floor_init(void)
{
	unsigned int i;
	int err = 0;

	for_each_kernel_tracepoint(ksb_tp_match, NULL);
	/* sys_exit last, so that enter=0 attaches only it */
	for (i = enter ? 0 : 1; i < ARRAY_SIZE(ksb_tps); i++) {
		err = ksb_tps[i].tp ? tracepoint_probe_register(ksb_tps[i].tp,
								ksb_tps[i].probe,
								NULL) : -ENOENT;
		if (err) {
			ksb_unregister(i);
			return err;
		}
	}
	return 0;
}

static void __exit ksb_floor_exit_mod(void)
{
	ksb_unregister(ARRAY_SIZE(ksb_tps));
}

module_init(ksb_floor_init);
module_exit(ksb_floor_exit_mod);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kabistat benchmark floor: empty syscall tracepoint probes");
