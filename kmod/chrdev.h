/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KABISTAT_CHRDEV_H
#define KABISTAT_CHRDEV_H

int ks_chrdev_init(void);
void ks_chrdev_exit(void);

#endif /* KABISTAT_CHRDEV_H */
