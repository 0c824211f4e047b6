/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A strict JSON checker for the CLI tests (the guest has no python): the
 * grammar of RFC 8259 with nothing tolerated -- no trailing commas, no
 * raw control characters in strings, only the escapes the RFC lists, \u
 * surrogates only in pairs -- and the text must be well-formed UTF-8
 * (no overlong forms, no surrogates, nothing past U+10FFFF).  Written
 * apart from the CLI's writer (userspace/cli/json.c, utf8.c) on purpose.
 */
#ifndef KABISTAT_JSONCHECK_H
#define KABISTAT_JSONCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct jsoncheck {
	const unsigned char *p;
	const char *err;	/* what was wrong, at p */
	int depth;
};

static bool jc_value(struct jsoncheck *c);

static inline bool jc_fail(struct jsoncheck *c, const char *why)
{
	if (!c->err)
		c->err = why;
	return false;
}

static inline void jc_ws(struct jsoncheck *c)
{
	while (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')
		c->p++;
}

/* One UTF-8 character of a string, by the table of Unicode 15, 3.9. */
static inline bool jc_utf8(struct jsoncheck *c)
{
	const unsigned char *s = c->p;
	unsigned char lo = 0x80, hi = 0xbf;
	int n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 1;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 2;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 3;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else {
		return jc_fail(c, "a byte that starts no UTF-8 character");
	}
	if (s[1] < lo || s[1] > hi)
		return jc_fail(c, "ill-formed UTF-8");
	for (i = 2; i <= n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return jc_fail(c, "ill-formed UTF-8");
	c->p += n + 1;
	return true;
}

static inline int jc_hex4(const unsigned char *s)
{
	int v = 0, i;

	for (i = 0; i < 4; i++) {
		int d = s[i] >= '0' && s[i] <= '9' ? s[i] - '0' :
			s[i] >= 'a' && s[i] <= 'f' ? s[i] - 'a' + 10 :
			s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 10 : -1;

		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

static inline bool jc_string(struct jsoncheck *c)
{
	if (*c->p != '"')
		return jc_fail(c, "expected a string");
	c->p++;
	for (;;) {
		unsigned char ch = *c->p;
		int u;

		if (ch == '"') {
			c->p++;
			return true;
		}
		if (!ch)
			return jc_fail(c, "unterminated string");
		if (ch < 0x20)
			return jc_fail(c, "raw control character in a string");
		if (ch >= 0x80) {
			if (!jc_utf8(c))
				return false;
			continue;
		}
		if (ch != '\\') {
			c->p++;
			continue;
		}
		ch = c->p[1];
		if (strchr("\"\\/bfnrt", ch) && ch) {
			c->p += 2;
			continue;
		}
		if (ch != 'u')
			return jc_fail(c, "unknown escape");
		u = jc_hex4(c->p + 2);
		if (u < 0)
			return jc_fail(c, "bad \\u escape");
		c->p += 6;
		if (u >= 0xdc00 && u <= 0xdfff)
			return jc_fail(c, "lone low surrogate");
		if (u >= 0xd800 && u <= 0xdbff) {
			int lo = c->p[0] == '\\' && c->p[1] == 'u' ?
				 jc_hex4(c->p + 2) : -1;

			if (lo < 0xdc00 || lo > 0xdfff)
				return jc_fail(c, "lone high surrogate");
			c->p += 6;
		}
	}
}

static inline bool jc_digits(struct jsoncheck *c)
{
	if (*c->p < '0' || *c->p > '9')
		return jc_fail(c, "expected a digit");
	while (*c->p >= '0' && *c->p <= '9')
		c->p++;
	return true;
}

static inline bool jc_number(struct jsoncheck *c)
{
	if (*c->p == '-')
		c->p++;
	if (*c->p == '0')
		c->p++;
	else if (!jc_digits(c))
		return false;
	if (*c->p == '.') {
		c->p++;
		if (!jc_digits(c))
			return false;
	}
	if (*c->p == 'e' || *c->p == 'E') {
		c->p++;
		if (*c->p == '+' || *c->p == '-')
			c->p++;
		if (!jc_digits(c))
			return false;
	}
	return true;
}

/* An array or object: members separated by commas, none after the last. */
static inline bool jc_container(struct jsoncheck *c, bool object)
{
	char close = object ? '}' : ']';

	if (++c->depth > 64)
		return jc_fail(c, "nested too deeply");
	c->p++;
	jc_ws(c);
	if (*c->p == close) {
		c->p++;
		c->depth--;
		return true;
	}
	for (;;) {
		jc_ws(c);
		if (object) {
			if (!jc_string(c))
				return false;
			jc_ws(c);
			if (*c->p != ':')
				return jc_fail(c, "expected ':'");
			c->p++;
		}
		if (!jc_value(c))
			return false;
		jc_ws(c);
		if (*c->p == close) {
			c->p++;
			c->depth--;
			return true;
		}
		if (*c->p != ',')
			return jc_fail(c, "expected ',' or the end");
		c->p++;
	}
}

static bool jc_value(struct jsoncheck *c)
{
	static const char *const words[] = { "true", "false", "null" };
	size_t i;

	jc_ws(c);
	switch (*c->p) {
	case '{':
		return jc_container(c, true);
	case '[':
		return jc_container(c, false);
	case '"':
		return jc_string(c);
	}
	if (*c->p == '-' || (*c->p >= '0' && *c->p <= '9'))
		return jc_number(c);
	for (i = 0; i < 3; i++) {
		size_t n = strlen(words[i]);

		if (!strncmp((const char *)c->p, words[i], n)) {
			c->p += n;
			return true;
		}
	}
	return jc_fail(c, "expected a value");
}

/* Whether @text is well-formed UTF-8 (for outputs other than JSON). */
static inline bool utf8check(const char *text)
{
	struct jsoncheck c = { .p = (const unsigned char *)text };

	while (*c.p)
		if (*c.p < 0x80)
			c.p++;
		else if (!jc_utf8(&c))
			return false;
	return true;
}

/*
 * Check @text: one JSON value, or with @lines one per line (JSON Lines,
 * as `events -j` prints them).  Return NULL if it is valid, else what was
 * wrong; *@off (may be NULL) is the byte offset where it went wrong.
 */
static inline const char *jsoncheck(const char *text, bool lines, size_t *off)
{
	struct jsoncheck c = { .p = (const unsigned char *)text };

	do {
		if (!jc_value(&c))
			break;
		jc_ws(&c);
	} while (lines && *c.p);
	if (!c.err && *c.p)
		c.err = "text after the value";
	if (off)
		*off = (const char *)c.p - text;
	return c.err;
}

#endif /* KABISTAT_JSONCHECK_H */
