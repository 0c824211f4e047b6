// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Cgroup names are bytes: anything but '/' and NUL, so not always UTF-8.
 * JSON and the Prometheus exposition must be UTF-8; both writers walk
 * their strings with cli_utf8_char() and write each byte that starts no
 * well-formed sequence as U+FFFD (the replacement the Unicode standard
 * recommends, one per bad byte).
 */
#include "cli.h"

/* The smallest code point a sequence of each length may encode. */
static const uint32_t utf8_min[5] = { 0, 0, 0x80, 0x800, 0x10000 };

size_t cli_utf8_char(const char *s, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len, i;
	uint32_t c;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0) {
		len = 2;
		c = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3;
		c = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4;
		c = p[0] & 0x07;
	} else {
		return 0;
	}
	/* a NUL is no continuation byte: the walk stops at the end */
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	/* overlong forms, UTF-16 surrogates and beyond U+10FFFF */
	if (c < utf8_min[len] || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return len;
}
