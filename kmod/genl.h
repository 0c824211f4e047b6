/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KABISTAT_GENL_H
#define KABISTAT_GENL_H

int ks_genl_init(void);
void ks_genl_exit(void);

#endif /* KABISTAT_GENL_H */
