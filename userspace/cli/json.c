// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>

#include "cli.h"

void json_init(struct json *j, FILE *out, bool pretty)
{
	*j = (struct json){ .out = out, .pretty = pretty };
}

/* Ends a top-level value; the next one (events: one per line) starts afresh. */
void json_finish(struct json *j)
{
	fputc('\n', j->out);
	j->depth = 0;
	j->need_comma[0] = false;
	j->after_key = false;
}

static void json_indent(struct json *j)
{
	if (j->pretty)
		fprintf(j->out, "\n%*s", 2 * j->depth, "");
}

/* Separator and indentation before a value or a key. */
static void json_element(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->need_comma[j->depth])
		fputc(',', j->out);
	j->need_comma[j->depth] = true;
	if (j->depth)
		json_indent(j);
}

static void json_open(struct json *j, char c)
{
	json_element(j);
	fputc(c, j->out);
	if (j->depth < JSON_MAX_DEPTH - 1)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void json_close(struct json *j, char c)
{
	bool empty = !j->need_comma[j->depth];

	if (j->depth)
		j->depth--;
	if (!empty)
		json_indent(j);
	fputc(c, j->out);
}

void json_object_begin(struct json *j)
{
	json_open(j, '{');
}

void json_object_end(struct json *j)
{
	json_close(j, '}');
}

void json_array_begin(struct json *j)
{
	json_open(j, '[');
}

void json_array_end(struct json *j)
{
	json_close(j, ']');
}

/*
 * A JSON string from any bytes: valid UTF-8 passes, each byte that is not
 * becomes U+FFFD, and the C0 and C1 control characters and DEL are
 * escaped, so that the output is valid UTF-8 and safe on a terminal.
 */
static void json_quoted(struct json *j, const char *s)
{
	uint32_t cp;
	size_t len;

	fputc('"', j->out);
	for (; *s; s += len ? len : 1) {
		len = cli_utf8_char(s, &cp);
		if (!len)
			fputs(CLI_UTF8_REPLACEMENT, j->out);
		else if (cp == '"' || cp == '\\')
			fprintf(j->out, "\\%c", (char)cp);
		else if (cp == '\n')
			fputs("\\n", j->out);
		else if (cp == '\t')
			fputs("\\t", j->out);
		else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			fprintf(j->out, "\\u%04x", (unsigned int)cp);
		else
			fwrite(s, 1, len, j->out);
	}
	fputc('"', j->out);
}

void json_key(struct json *j, const char *key)
{
	json_element(j);
	json_quoted(j, key);
	fputs(j->pretty ? ": " : ":", j->out);
	j->after_key = true;
}

void json_string(struct json *j, const char *s)
{
	json_element(j);
	json_quoted(j, s);
}

void json_u64(struct json *j, uint64_t v)
{
	json_element(j);
	fprintf(j->out, "%" PRIu64, v);
}

void json_bool(struct json *j, bool v)
{
	json_element(j);
	fputs(v ? "true" : "false", j->out);
}

void json_rate(struct json *j, double v)
{
	if (!(v >= 0)) {
		json_null(j);
		return;
	}
	json_element(j);
	fprintf(j->out, "%.3f", v);
}

void json_null(struct json *j)
{
	json_element(j);
	fputs("null", j->out);
}

void json_kv_string(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	if (s)
		json_string(j, s);
	else
		json_null(j);
}

void json_kv_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_u64(j, v);
}

void json_kv_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}
