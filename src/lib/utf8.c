/*
 * utf8.c - UTF-8 text cut to a length (see utf8.h). Not a general
 * Unicode library: it knows the encoding, not the characters.
 */
#include "lib/utf8.h"
#include "lib/mem.h"

#include <string.h>

size_t
utf8_decode(const unsigned char *s, size_t n, unsigned *ret_cp)
{
	unsigned cp, min;
	size_t len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*ret_cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*ret_cp = cp;
	return len;
}

char *
utf8_cut(const char *s, size_t max_units)
{
	static const char repl[] = "\xef\xbf\xbd";	/* U+FFFD */
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, units = 0;
	struct buf out;
	unsigned cp;

	buf_init(&out, 0);
	while (i < n) {
		size_t k = utf8_decode(p + i, n - i, &cp), u;

		u = k && cp >= 0x10000 ? 2 : 1;
		if (units + u > max_units)
			break;
		if (k)
			buf_add(&out, s + i, k);
		else
			buf_add(&out, repl, 3);
		i += k ? k : 1;
		units += u;
	}
	return buf_steal(&out);
}

size_t
utf8_units(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, units = 0;
	unsigned cp;

	while (i < n) {
		size_t k = utf8_decode(p + i, n - i, &cp);

		units += k && cp >= 0x10000 ? 2 : 1;
		i += k ? k : 1;
	}
	return units;
}
