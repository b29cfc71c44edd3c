/*
 * jsalvage.c - a scan of JSON structure alone: strings are skipped from
 * quote to quote (a backslash escapes the next byte), containers by
 * counting brackets outside strings, scalars up to the next delimiter.
 * Nothing is decoded or validated; jv_parse judges each value after.
 */
#include "lib/jsalvage.h"

#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"

static size_t
skip_ws(const char *b, size_t i, size_t end)
{
	while (i < end && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' ||
	    b[i] == '\r'))
		i++;
	return i;
}

/* The end of the string starting at b[i] == '"', past its closing
 * quote; 0 when it never closes. */
static size_t
string_end(const char *b, size_t i, size_t end)
{
	for (i++; i < end; i++) {
		if (b[i] == '\\')
			i++;
		else if (b[i] == '"')
			return i + 1;
	}
	return 0;
}

/* The end of the value starting at b[i] (no whitespace before it); 0
 * when its structure is broken. */
static size_t
value_end(const char *b, size_t i, size_t end)
{
	size_t depth = 0;

	if (i >= end)
		return 0;
	if (b[i] == '"')
		return string_end(b, i, end);
	if (b[i] != '{' && b[i] != '[') {
		size_t s = i;

		while (i < end && !strchr(",]} \t\r\n{[\":", b[i]))
			i++;
		return i > s ? i : 0;
	}
	for (; i < end; i++) {
		switch (b[i]) {
		case '"':
			if ((i = string_end(b, i, end)) == 0)
				return 0;
			i--;
			break;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			if (--depth == 0)
				return i + 1;
			break;
		default:
			break;
		}
	}
	return 0;
}

/* 1 when the member name b[s, e) (inside its quotes) is tok[0, toklen):
 * compared as written, with \" \\ and \/ undone. */
static int
name_is(const char *b, size_t s, size_t e, const char *tok, size_t toklen)
{
	size_t k = 0;

	for (; s < e; s++, k++) {
		char c = b[s];

		if (c == '\\') {
			if (++s >= e || !strchr("\"\\/", b[s]))
				return 0;
			c = b[s];
		}
		if (k >= toklen || tok[k] != c)
			return 0;
	}
	return k == toklen;
}

/* The next pointer token into tok (unescaped ~1 ~0); its length, and
 * *ptr moved past it. */
static size_t
next_token(const char **ptr, char *tok, size_t cap)
{
	const char *p = *ptr + 1;	/* past the '/' */
	size_t n = 0;

	while (*p && *p != '/') {
		char c = *p++;

		if (c == '~' && (*p == '0' || *p == '1'))
			c = *p++ == '0' ? '~' : '/';
		if (n + 1 < cap)
			tok[n++] = c;
	}
	tok[n] = '\0';
	*ptr = p;
	return n;
}

/* The member named tok of the object at b[i]: 1 with *at its value's
 * start, 0 when absent, -1 when broken. */
static int
member(const char *b, size_t i, size_t end, const char *tok, size_t toklen,
    size_t *at)
{
	size_t ne, ve;

	i = skip_ws(b, i + 1, end);
	if (i < end && b[i] == '}')
		return 0;
	for (;;) {
		if (i >= end || b[i] != '"' || (ne = string_end(b, i, end)) == 0)
			return -1;
		ve = skip_ws(b, ne, end);
		if (ve >= end || b[ve] != ':')
			return -1;
		ve = skip_ws(b, ve + 1, end);
		if (name_is(b, i + 1, ne - 1, tok, toklen)) {
			*at = ve;
			return 1;
		}
		if ((ve = value_end(b, ve, end)) == 0)
			return -1;
		i = skip_ws(b, ve, end);
		if (i < end && b[i] == '}')
			return 0;
		if (i >= end || b[i] != ',')
			return -1;
		i = skip_ws(b, i + 1, end);
	}
}

/* Element idx of the array at b[i], as member() does. */
static int
element(const char *b, size_t i, size_t end, unsigned long idx, size_t *at)
{
	unsigned long k;
	size_t ve;

	i = skip_ws(b, i + 1, end);
	if (i < end && b[i] == ']')
		return 0;
	for (k = 0;; k++) {
		if (k == idx) {
			*at = i;
			return 1;
		}
		if ((ve = value_end(b, i, end)) == 0)
			return -1;
		i = skip_ws(b, ve, end);
		if (i < end && b[i] == ']')
			return 0;
		if (i >= end || b[i] != ',')
			return -1;
		i = skip_ws(b, i + 1, end);
	}
}

int
jsalvage_find(const char *buf, size_t len, const char *ptr,
    struct jspan *out)
{
	size_t i = skip_ws(buf, 0, len), e;
	char tok[256];

	while (*ptr == '/') {
		size_t n = next_token(&ptr, tok, sizeof(tok));
		int r;

		if (i >= len)
			return -1;
		if (buf[i] == '{')
			r = member(buf, i, len, tok, n, &i);
		else if (buf[i] == '[') {
			char *x;
			unsigned long idx = strtoul(tok, &x, 10);

			if (n == 0 || *x != '\0')
				return 0;
			r = element(buf, i, len, idx, &i);
		} else
			return value_end(buf, i, len) ? 0 : -1;
		if (r <= 0)
			return r;
	}
	if ((e = value_end(buf, i, len)) == 0)
		return -1;
	out->start = i;
	out->end = e;
	return 1;
}

long
jsalvage_elements(const char *buf, struct jspan a, struct jspan **ret)
{
	struct jspan *v = NULL;
	size_t n = 0, cap = 0, i = a.start, e;

	*ret = NULL;
	if (i >= a.end || buf[i] != '[')
		return -1;
	i = skip_ws(buf, i + 1, a.end);
	if (i < a.end && buf[i] == ']')
		return 0;
	for (;;) {
		if ((e = value_end(buf, i, a.end)) == 0)
			goto broken;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[n].start = i;
		v[n++].end = e;
		i = skip_ws(buf, e, a.end);
		if (i < a.end && buf[i] == ']') {
			*ret = v;
			return (long)n;
		}
		if (i >= a.end || buf[i] != ',')
			goto broken;
		i = skip_ws(buf, i + 1, a.end);
	}
broken:
	free(v);
	return -1;
}
