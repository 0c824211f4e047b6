/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KABISTAT_TRACEPOINTS_H
#define KABISTAT_TRACEPOINTS_H

struct tracepoint;

/*
 * A probe to attach to a kernel tracepoint found by name, ahead of those of
 * lower @prio (0: TRACEPOINT_DEFAULT_PRIO).
 */
struct ks_tp {
	const char *name;
	void *probe;
	int prio;
	struct tracepoint *tp;
};

int ks_tp_register(struct ks_tp *tps, unsigned int n);
void ks_tp_unregister(struct ks_tp *tps, unsigned int n);

int ks_probes_register(void);
void ks_probes_unregister(void);
int ks_probes_count(bool on);

#endif /* KABISTAT_TRACEPOINTS_H */
