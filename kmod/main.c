// SPDX-License-Identifier: GPL-2.0
/*
 * kabistat: per-cgroup system call accounting and the kernel's ABI
 * identity.  This file only wires the parts together.
 */
#include <linux/module.h>

#include "abi.h"
#include "genl.h"

static int __init kabistat_init(void)
{
	int err;

	err = ks_abi_init();
	if (err)
		return err;

	err = ks_genl_init();
	if (err)
		goto err_abi;

	return 0;

err_abi:
	ks_abi_exit();
	return err;
}

static void __exit kabistat_exit(void)
{
	ks_genl_exit();
	ks_abi_exit();
}

module_init(kabistat_init);
module_exit(kabistat_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The kabistat developers");
MODULE_DESCRIPTION("Per-cgroup system call accounting and kernel ABI identity");
MODULE_VERSION(KABISTAT_VERSION);
