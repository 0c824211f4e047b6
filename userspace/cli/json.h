/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CLI's one JSON writer.  A small streaming writer rather than a
 * library: output is produced in one pass, u64 counters are printed exactly
 * (no detour through doubles), and the CLI needs no further dependency.
 */
#ifndef KABISTAT_JSON_H
#define KABISTAT_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	16

struct json {
	FILE *out;
	bool pretty;
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
	bool after_key;
};

void json_init(struct json *j, FILE *out, bool pretty);
void json_finish(struct json *j);
void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s);
void json_u64(struct json *j, uint64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/* a rate or other measured number, to the thousandth; null when < 0 */
void json_rate(struct json *j, double v);

/* key and value in one call, for the common cases */
void json_kv_string(struct json *j, const char *key, const char *s);
void json_kv_u64(struct json *j, const char *key, uint64_t v);
void json_kv_bool(struct json *j, const char *key, bool v);

#endif /* KABISTAT_JSON_H */
