/*
 * jscan.c - strict single-pass JSON tokenizer (see jscan.h).
 */
#include "lib/jscan.h"
#include "lib/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define MAX_DEPTH 512

void
jscan_init(struct jscan *j)
{
	memset(j, 0, sizeof(*j));
}

void
jscan_free(struct jscan *j)
{
	free(j->t);
	memset(j, 0, sizeof(*j));
}

struct scan {
	const unsigned char *p, *start, *end;
	char *err;
	size_t errlen;
};

/*
 * The error at p. It takes the scanner's fields by value: with no
 * pointer to the scanner leaving jscan_parse (its helpers are inlined),
 * the compiler keeps the position in a register.
 */
static int __attribute__((noinline, cold))
fail_at(const unsigned char *start, const unsigned char *p,
    const unsigned char *end, char *err, size_t errlen, const char *why)
{
	const unsigned char *q;
	int line = 1, col = 1;

	for (q = start; q < p && q < end; q++) {
		if (*q == '\n') {
			line++;
			col = 1;
		} else if ((*q & 0xc0) != 0x80)
			col++;
	}
	snprintf(err, errlen, "line %d column %d: %s", line, col, why);
	return -1;
}

#define fail(s, why) \
	fail_at((s)->start, (s)->p, (s)->end, (s)->err, (s)->errlen, (why))
#define INLINE static inline __attribute__((always_inline))

INLINE void
skip_ws(struct scan *s)
{
	/* pages are compact: most calls see a token at once */
	if (s->p < s->end && *s->p > ' ')
		return;
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' ||
	    *s->p == '\t'))
		s->p++;
}

static int
hex4(const unsigned char *p, unsigned *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		unsigned c = p[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		*v = *v << 4 | d;
	}
	return 0;
}

/* A string at s->p (the opening quote); fills start/len/escaped. */
INLINE int
scan_string(struct scan *s, struct jscan_tok *t)
{
	const unsigned char *p = ++s->p;

	t->type = JS_STRING;
	t->escaped = 0;
	for (;;) {
		/* the common case: plain ASCII, 16 bytes at a time */
#ifdef __SSE2__
		while (p + 16 <= s->end) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
			/* signed: below 0x20 and from 0x80 on are both "less" */
			__m128i m = _mm_or_si128(_mm_or_si128(
			    _mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
			    _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
			    _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
			unsigned bits = (unsigned)_mm_movemask_epi8(m);

			if (bits) {
				p += __builtin_ctz(bits);
				break;
			}
			p += 16;
		}
#endif
		while (p < s->end && *p >= 0x20 && *p != '"' && *p != '\\' && *p < 0x80)
			p++;
		if (p >= s->end) {
			s->p = p;
			return fail(s, "unterminated string");
		}
		if (*p == '"')
			break;
		if (*p < 0x20) {
			s->p = p;
			return fail(s, "control character in a string");
		}
		if (*p == '\\') {
			unsigned v, lo;

			t->escaped = 1;
			if (p + 1 >= s->end) {
				s->p = p;
				return fail(s, "unterminated escape");
			}
			switch (p[1]) {
			case '"': case '\\': case '/': case 'b': case 'f': case 'n':
			case 'r': case 't':
				p += 2;
				continue;
			case 'u':
				if (p + 6 > s->end || hex4(p + 2, &v) < 0) {
					s->p = p;
					return fail(s, "invalid \\u escape");
				}
				if (v == 0) {
					s->p = p;
					return fail(s, "\\u0000 is not allowed");
				}
				if (v >= 0xdc00 && v <= 0xdfff) {
					s->p = p;
					return fail(s, "invalid Unicode: lone low surrogate");
				}
				if (v >= 0xd800 && v <= 0xdbff) {
					if (p + 12 > s->end || p[6] != '\\' || p[7] != 'u' ||
					    hex4(p + 8, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff) {
						s->p = p;
						return fail(s, "invalid Unicode: lone high surrogate");
					}
					p += 12;
				} else
					p += 6;
				continue;
			default:
				s->p = p;
				return fail(s, "invalid escape");
			}
		}
		/* a multi-byte UTF-8 sequence, validated */
		{
			size_t k = 0;

			if (*p >= 0xc2 && *p <= 0xdf)
				k = p + 1 < s->end && (p[1] & 0xc0) == 0x80 ? 2 : 0;
			else if (*p >= 0xe0 && *p <= 0xef)
				k = p + 2 < s->end && (p[1] & 0xc0) == 0x80 &&
				    (p[2] & 0xc0) == 0x80 && !(*p == 0xe0 && p[1] < 0xa0) &&
				    !(*p == 0xed && p[1] >= 0xa0) ? 3 : 0;
			else if (*p >= 0xf0 && *p <= 0xf4)
				k = p + 3 < s->end && (p[1] & 0xc0) == 0x80 &&
				    (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80 &&
				    !(*p == 0xf0 && p[1] < 0x90) &&
				    !(*p == 0xf4 && p[1] >= 0x90) ? 4 : 0;
			if (k == 0) {
				s->p = p;
				return fail(s, "invalid UTF-8");
			}
			p += k;
		}
	}
	t->start = (uint32_t)(s->p - s->start);
	t->len = (uint32_t)(p - s->p);
	s->p = p + 1;
	return 0;
}

INLINE int
scan_number(struct scan *s, struct jscan_tok *t)
{
	const unsigned char *p = s->p, *b = p;

	if (p < s->end && *p == '-')
		p++;
	if (p < s->end && *p == '0')
		p++;
	else if (p < s->end && *p >= '1' && *p <= '9')
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	else
		return fail(s, "invalid number");
	if (p < s->end && *p == '.') {
		p++;
		if (p >= s->end || *p < '0' || *p > '9')
			return fail(s, "invalid number");
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < s->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < s->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= s->end || *p < '0' || *p > '9')
			return fail(s, "invalid number");
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	}
	t->type = JS_NUMBER;
	t->start = (uint32_t)(b - s->start);
	t->len = (uint32_t)(p - b);
	s->p = p;
	return 0;
}

INLINE int
scan_literal(struct scan *s, struct jscan_tok *t, const char *word, int type)
{
	size_t n = type == JS_FALSE ? 5 : 4, i;	/* "false", "true", "null" */

	if ((size_t)(s->end - s->p) < n)
		return fail(s, "invalid literal");
	for (i = 1; i < n; i++)		/* the first byte chose the word */
		if (s->p[i] != (unsigned char)word[i])
			return fail(s, "invalid literal");
	t->type = (uint8_t)type;
	t->start = (uint32_t)(s->p - s->start);
	t->len = (uint32_t)n;
	s->p += n;
	return 0;
}

static inline int key_is(const struct jscan *j, const struct jscan_tok *k,
    const char *key, size_t n);

/*
 * A name used twice in one object makes a record ambiguous: refused, as
 * jansson's JSON_REJECT_DUPLICATES does. The records of a page share one
 * shape, so an object whose names, as written, are those of an earlier
 * object at its depth that passed, in the same order, passes too (equal
 * text decodes to equal names): jscan_parse compares each name with the
 * template's as it reads it. Any other object with two names or more is
 * checked here: an 8-bit signature of (length, first, middle and last
 * byte) per name finds candidates in one pass, and only names with the
 * same signature are compared.
 */
#define DUP_FAST 64	/* members an object may have for the fast path */

static inline unsigned
name_sig(const struct jscan *j, const struct jscan_tok *t)
{
	const unsigned char *b = (const unsigned char *)j->buf + t->start;

	if (t->len == 0)
		return 0;
	return (t->len * 31u + b[0] * 7u + b[t->len / 2] * 3u + b[t->len - 1]) & 255;
}

static int
duplicate_key(const struct jscan *j, uint32_t obj, char *why, size_t whylen)
{
	uint64_t seen[4] = { 0, 0, 0, 0 };
	uint32_t at[DUP_FAST];
	unsigned char sigs[DUP_FAST];
	uint32_t i, k, m, p;
	int escaped = 0;

	for (i = 0, k = obj + 1; i < j->t[obj].count; i++, k = j->t[k + 1].end)
		escaped |= j->t[k].escaped;
	if (!escaped && j->t[obj].count <= DUP_FAST) {
		for (i = 0, k = obj + 1; i < j->t[obj].count; i++, k = j->t[k + 1].end) {
			const struct jscan_tok *t = &j->t[k];
			unsigned sig = name_sig(j, t);

			at[i] = k;
			sigs[i] = (unsigned char)sig;
			if (!(seen[sig >> 6] & (1ull << (sig & 63)))) {
				seen[sig >> 6] |= 1ull << (sig & 63);
				continue;
			}
			for (m = 0; m < i; m++) {
				const struct jscan_tok *o = &j->t[at[m]];

				if (sigs[m] == sig && o->len == t->len && memcmp(j->buf +
				    o->start, j->buf + t->start, t->len) == 0) {
					snprintf(why, whylen, "duplicate object key '%.*s'",
					    (int)(t->len < 64 ? t->len : 64), j->buf + t->start);
					return -1;
				}
			}
		}
		return 0;
	}
	for (i = 0, k = obj + 1; i < j->t[obj].count; i++, k = j->t[k + 1].end) {
		char *name = NULL;

		jscan_text(j, (int)k, &name);
		for (m = 0, p = obj + 1; m < i && name; m++, p = j->t[p + 1].end)
			if (key_is(j, &j->t[p], name, strlen(name))) {
				snprintf(why, whylen, "duplicate object key '%.64s'", name);
				free(name);
				return -1;
			}
		free(name);
	}
	return 0;
}

static void __attribute__((noinline))
grow(struct jscan *j)
{
	j->cap = j->cap ? j->cap * 2 : 1024;
	j->t = xrealloc(j->t, j->cap * sizeof(*j->t));
}

static inline struct jscan_tok *
push(struct jscan *j)
{
	struct jscan_tok *t;

	if (__builtin_expect(j->n == j->cap, 0))
		grow(j);
	t = &j->t[j->n++];
	*t = (struct jscan_tok){ 0 };
	return t;
}

/* What the parser keeps for each open container. */
struct level {
	uint32_t tok;		/* its token */
	uint32_t tpl;		/* an object: the template it follows, or 0 */
	uint32_t tk;		/* the template's next name (tpl's end: none) */
	uint8_t obj;		/* an object */
	uint8_t same;		/* its names so far are the template's */
};

/* Objects with more members than this become templates for their depth. */
#define TEMPLATE_MIN 8

/*
 * n (<= 16) bytes at x and y equal, where both have 16 bytes to read:
 * one compare, no call (names are short).
 */
static inline int
same16(const char *x, const char *y, size_t n)
{
#ifdef __SSE2__
	__m128i a = _mm_loadu_si128((const __m128i *)(const void *)x);
	__m128i b = _mm_loadu_si128((const __m128i *)(const void *)y);
	unsigned diff = ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(a, b)) & 0xffffu;

	return (diff & ((1u << n) - 1)) == 0;
#else
	return memcmp(x, y, n) == 0;
#endif
}

/* 16 bytes from off lie in the buffer. */
static inline int
room16(const struct jscan *j, uint32_t off)
{
	return (size_t)off + 16 <= j->len;
}

static inline int
same_name(const struct jscan *j, const struct jscan_tok *a,
    const struct jscan_tok *b)
{
	if (a->len != b->len)
		return 0;
	if (a->len <= 16 && room16(j, a->start) && room16(j, b->start))
		return same16(j->buf + a->start, j->buf + b->start, a->len);
	return memcmp(j->buf + a->start, j->buf + b->start, a->len) == 0;
}

/*
 * The name at s->p (its opening quote) is the unescaped name k, ending in
 * its quote: t becomes its token and s->p moves past it. Else nothing
 * moves and the caller scans.
 */
static inline __attribute__((always_inline)) int
next_name_is(const struct jscan *j, const struct jscan_tok *k,
    struct scan *s, struct jscan_tok *t)
{
	uint32_t at = (uint32_t)(s->p + 1 - s->start);

	if (k->escaped || k->len > 16 || (size_t)at + k->len >= j->len ||
	    !room16(j, at) || !room16(j, k->start) ||
	    s->p[1 + k->len] != '"' ||
	    !same16(j->buf + at, j->buf + k->start, k->len))
		return 0;
	t->type = JS_STRING;
	t->escaped = 0;
	t->start = at;
	t->len = k->len;
	s->p += k->len + 2;
	return 1;
}

/* An object member's name (token t) and its ':'. */
INLINE int
member_name(struct jscan *j, struct scan *s, struct level *top,
    struct jscan_tok *t)
{
	/*
	 * The template's next name, byte for byte and then its closing
	 * quote, is that name: what scan_string would make of it, without
	 * scanning (names are short).
	 */
	if (top->same && top->tk >= j->t[top->tpl - 1].end)
		top->same = 0;	/* more names than the template */
	if (!top->same || !next_name_is(j, &j->t[top->tk], s, t)) {
		if (scan_string(s, t) < 0)
			return -1;
		if (top->same && !same_name(j, &j->t[top->tk], t))
			top->same = 0;
	}
	if (top->same)
		top->tk = j->t[top->tk + 1].end;
	t->end = (uint32_t)j->n;
	t->key = 1;
	skip_ws(s);
	if (s->p >= s->end || *s->p != ':')
		return fail(s, "':' expected");
	s->p++;
	skip_ws(s);
	return 0;
}

/* After a value: a ',' (*expect_key then 2) or a closing bracket. */
INLINE int
after_value(struct scan *s, int *expect_key)
{
	skip_ws(s);
	if (s->p < s->end && *s->p == ',') {
		s->p++;
		*expect_key = 2;
		skip_ws(s);
		if (s->p < s->end && (*s->p == '}' || *s->p == ']'))
			return fail(s, "a value is missing after ','");
	} else if (s->p < s->end && *s->p != '}' && *s->p != ']')
		return fail(s, "',' or a closing bracket expected");
	return 0;
}

int
jscan_parse(struct jscan *j, const char *buf, size_t len, char *err, size_t errlen)
{
	struct scan s;
	struct level stack[MAX_DEPTH], *top = NULL;
	uint32_t tpls[MAX_DEPTH];	/* per depth: a passed object + 1, or 0 */
	int depth = 0, expect_key = 0, maxdepth = 0;
	char dup[128];

	if (len > UINT32_MAX - 1) {
		snprintf(err, errlen, "the document is larger than 4 GB");
		return -1;
	}
	j->buf = buf;
	j->len = len;
	j->n = 0;
	s.p = s.start = (const unsigned char *)buf;
	s.end = s.p + len;
	s.err = err;
	s.errlen = errlen;
	for (;;) {
		struct jscan_tok *t;

		skip_ws(&s);
		if (s.p >= s.end)
			return fail(&s, depth ? "unexpected end of input" :
			    "'[' or '{' expected near end of file");
		if (depth && (*s.p == '}' || *s.p == ']')) {	/* a close */
			struct jscan_tok *c = &j->t[top->tok];

			if ((*s.p == '}') != top->obj)
				return fail(&s, "mismatched bracket");
			if (expect_key == 2)
				return fail(&s, "a value is missing after ','");
			/* a template's names, all and no more, pass unchecked */
			if (top->obj && c->count > 1 && !(top->same &&
			    top->tk == j->t[top->tpl - 1].end)) {
				if (duplicate_key(j, top->tok, dup, sizeof(dup)) < 0) {
					s.p = s.start + c->start;
					return fail(&s, dup);
				}
				if (c->count > TEMPLATE_MIN)
					tpls[depth - 1] = top->tok + 1;
			}
			c->len = (uint32_t)(s.p + 1 - s.start) - c->start;
			c->end = (uint32_t)j->n;
			s.p++;
			depth--;
			top = depth ? &stack[depth - 1] : NULL;
			goto after_value;
		}
		if (depth && top->obj) {	/* a member: its name, ':' */
			if (*s.p != '"')
				return fail(&s, "string or '}' expected");
			t = push(j);
			if (member_name(j, &s, top, t) < 0)
				return -1;
			t->depth = (uint16_t)depth;
			j->t[top->tok].count++;
		} else if (depth)
			j->t[top->tok].count++;
		expect_key = 0;
		if (s.p >= s.end)
			return fail(&s, "unexpected end of input");
		t = push(j);
		t->depth = (uint16_t)depth;
		switch (*s.p) {
		case '{':
		case '[':
			if (depth == MAX_DEPTH)
				return fail(&s, "maximum parsing depth reached");
			t->type = *s.p == '{' ? JS_OBJECT : JS_ARRAY;
			t->start = (uint32_t)(s.p - s.start);
			if (depth == maxdepth)
				tpls[maxdepth++] = 0;
			top = &stack[depth];
			top->tok = (uint32_t)(j->n - 1);
			top->obj = t->type == JS_OBJECT;
			top->tpl = top->obj ? tpls[depth] : 0;
			top->same = top->tpl != 0;
			top->tk = top->tpl;	/* the template's first name */
			depth++;
			s.p++;
			continue;
		case '"':
			if (scan_string(&s, t) < 0)
				return -1;
			break;
		case 't':
			if (scan_literal(&s, t, "true", JS_TRUE) < 0)
				return -1;
			break;
		case 'f':
			if (scan_literal(&s, t, "false", JS_FALSE) < 0)
				return -1;
			break;
		case 'n':
			if (scan_literal(&s, t, "null", JS_NULL) < 0)
				return -1;
			break;
		default:
			if (scan_number(&s, t) < 0)
				return -1;
		}
		t->end = (uint32_t)j->n;
after_value:
		if (depth == 0)
			break;
		if (after_value(&s, &expect_key) < 0)
			return -1;
	}
	skip_ws(&s);
	if (s.p != s.end)
		return fail(&s, "end of file expected");
	if (j->n == 0 || (j->t[0].type != JS_OBJECT && j->t[0].type != JS_ARRAY)) {
		s.p = s.start;
		return fail(&s, "'[' or '{' expected");
	}
	return 0;
}

/* A name decoded (rare): compared by its text. */
static int
escaped_key_is(const struct jscan *j, const struct jscan_tok *k, const char *key,
    size_t n)
{
	char *v = NULL;
	int eq;

	jscan_text(j, (int)(k - j->t), &v);
	eq = v && strlen(v) == n && memcmp(v, key, n) == 0;
	free(v);
	return eq;
}

static inline int
key_is(const struct jscan *j, const struct jscan_tok *k, const char *key, size_t n)
{
	if (!k->escaped)
		return k->len == n && memcmp(j->buf + k->start, key, n) == 0;
	return escaped_key_is(j, k, key, n);
}

static int
member_n(const struct jscan *j, int obj, const char *key, size_t n)
{
	size_t i;
	uint32_t k;

	if (obj < 0 || (size_t)obj >= j->n || j->t[obj].type != JS_OBJECT)
		return -1;
	for (i = 0, k = (uint32_t)obj + 1; i < j->t[obj].count; i++) {
		uint32_t v = k + 1;

		if (key_is(j, &j->t[k], key, n))
			return (int)v;
		k = j->t[v].end;
	}
	return -1;
}

int
jscan_member(const struct jscan *j, int obj, const char *key)
{
	return member_n(j, obj, key, strlen(key));
}

/* One reference token of a pointer into tok; returns where the next starts. */
static const char *
pointer_token(const char *ptr, char *tok, size_t toklen, size_t *n)
{
	*n = 0;
	while (*ptr && *ptr != '/' && *n < toklen - 1) {
		if (ptr[0] == '~' && ptr[1] == '0') {
			tok[(*n)++] = '~';
			ptr += 2;
		} else if (ptr[0] == '~' && ptr[1] == '1') {
			tok[(*n)++] = '/';
			ptr += 2;
		} else
			tok[(*n)++] = *ptr++;
	}
	tok[*n] = '\0';
	return ptr;
}

static int
array_at(const struct jscan *j, int arr, const char *tok, size_t n)
{
	unsigned long idx = 0;
	uint32_t c, i;
	size_t d;

	if (n == 0 || n > 9 || (tok[0] == '0' && n > 1))
		return -1;
	for (d = 0; d < n; d++) {
		if (tok[d] < '0' || tok[d] > '9')
			return -1;
		idx = idx * 10 + (unsigned long)(tok[d] - '0');
	}
	if (idx >= j->t[arr].count)
		return -1;
	for (i = 0, c = (uint32_t)arr + 1; i < idx; i++)
		c = j->t[c].end;
	return (int)c;
}

/*
 * One step of a pointer: name (n bytes) in object cur, or an index into
 * array cur. hint (NULL: none) remembers where the name was found, as an
 * offset from its object, and is tried first.
 */
static int
step(const struct jscan *j, int cur, const char *name, size_t n,
    const char *name16, uint32_t *hint)
{
	const struct jscan_tok *o = &j->t[cur];

	if (o->type == JS_OBJECT) {
		uint32_t k = hint ? (uint32_t)cur + *hint : 0;
		int v;

		/* a direct member's name: a key token one level deeper */
		if (hint && *hint && k + 1 < o->end && j->t[k].key &&
		    j->t[k].depth == o->depth + 1 && (name16 && !j->t[k].escaped &&
		    room16(j, j->t[k].start) ? j->t[k].len == n &&
		    same16(j->buf + j->t[k].start, name16, n) :
		    key_is(j, &j->t[k], name, n)))
			return (int)k + 1;
		if ((v = member_n(j, cur, name, n)) >= 0 && hint)
			*hint = (uint32_t)(v - 1 - cur);
		return v;
	}
	if (o->type == JS_ARRAY)
		return array_at(j, cur, name, n);
	return -1;
}

static int
pointer(const struct jscan *j, int root, const char *ptr, uint32_t *hints)
{
	int cur = root, level = 0;

	if (*ptr == '\0')
		return root;
	if (*ptr != '/')
		return -1;
	while (cur >= 0 && *ptr == '/') {
		char buf[256];
		const char *tok = ptr + 1;
		size_t n = strcspn(tok, "/~");

		/* a name without escapes is compared where it stands */
		if (tok[n] == '~')
			ptr = pointer_token(tok, buf, sizeof(buf), &n), tok = buf;
		else
			ptr = tok + n;
		cur = step(j, cur, tok, n, NULL, hints && level < JSCAN_HINTS ?
		    &hints[level] : NULL);
		level++;
	}
	return cur;
}

int
jscan_path_init(struct jscan_path *p, const char *ptr)
{
	p->n = 0;
	if (*ptr != '/' && *ptr != '\0') {
		p->n = -1;
		return -1;
	}
	while (*ptr == '/') {
		size_t n = strcspn(ptr + 1, "/~");

		if (ptr[1 + n] == '~' || p->n == JSCAN_HINTS) {
			p->n = -1;
			return -1;
		}
		p->name[p->n] = ptr + 1;
		memset(p->name16[p->n], 0, sizeof(p->name16[p->n]));
		if (n <= sizeof(p->name16[p->n]))
			memcpy(p->name16[p->n], ptr + 1, n);
		p->len[p->n++] = (uint32_t)n;
		ptr += 1 + n;
	}
	return 0;
}

int
jscan_path_get(const struct jscan *j, int root, const struct jscan_path *p,
    uint32_t hints[JSCAN_HINTS])
{
	int cur = root, level;

	for (level = 0; level < p->n && cur >= 0; level++)
		cur = step(j, cur, p->name[level], p->len[level],
		    p->len[level] <= 16 ? p->name16[level] : NULL, &hints[level]);
	return cur;
}

int
jscan_pointer(const struct jscan *j, int root, const char *ptr)
{
	return pointer(j, root, ptr, NULL);
}

int
jscan_pointer_hint(const struct jscan *j, int root, const char *ptr,
    uint32_t hints[JSCAN_HINTS])
{
	return pointer(j, root, ptr, hints);
}

static void
put_utf8(struct buf *b, unsigned cp)
{
	char u[4];

	if (cp < 0x80)
		buf_addch(b, (char)cp);
	else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, u, 4);
	}
}

int
jscan_text(const struct jscan *j, int tok, char **ret)
{
	const struct jscan_tok *t = &j->t[tok];
	const char *p, *e;
	struct buf b;

	*ret = NULL;
	switch (t->type) {
	case JS_NULL:
		return 1;
	case JS_OBJECT:
	case JS_ARRAY:
		return -1;
	case JS_STRING:
		if (!t->escaped) {
			*ret = xstrndup(j->buf + t->start, t->len);
			return 1;
		}
		break;
	default:
		*ret = xstrndup(j->buf + t->start, t->len);
		return 1;
	}
	/* unescape; the parser validated every escape already */
	buf_init(&b, 0);
	for (p = j->buf + t->start, e = p + t->len; p < e;) {
		unsigned v, lo;

		if (*p != '\\') {
			const char *q = p;

			while (q < e && *q != '\\')
				q++;
			buf_add(&b, p, (size_t)(q - p));
			p = q;
			continue;
		}
		switch (p[1]) {
		case 'b': buf_addch(&b, '\b'); break;
		case 'f': buf_addch(&b, '\f'); break;
		case 'n': buf_addch(&b, '\n'); break;
		case 'r': buf_addch(&b, '\r'); break;
		case 't': buf_addch(&b, '\t'); break;
		case 'u':
			hex4((const unsigned char *)p + 2, &v);
			if (v >= 0xd800 && v <= 0xdbff) {
				hex4((const unsigned char *)p + 8, &lo);
				put_utf8(&b, 0x10000 + ((v - 0xd800) << 10) + (lo - 0xdc00));
				p += 12;
			} else {
				put_utf8(&b, v);
				p += 6;
			}
			continue;
		default:	/* " \ / */
			buf_addch(&b, p[1]);
		}
		p += 2;
	}
	*ret = buf_steal(&b);
	return 1;
}

int
jscan_text_in(const struct jscan *j, int tok, struct arena *a, char **ret)
{
	const struct jscan_tok *t = &j->t[tok];

	if (a && (t->type == JS_NUMBER || (t->type == JS_STRING && !t->escaped) ||
	    t->type == JS_TRUE || t->type == JS_FALSE)) {
		*ret = arena_strndup(a, j->buf + t->start, t->len);
		return 1;
	}
	if (jscan_text(j, tok, ret) < 0)
		return -1;
	*ret = arena_adopt(a, *ret);
	return 1;
}

int
jscan_streq(const struct jscan *j, int tok, const char *s)
{
	const struct jscan_tok *t;

	if (tok < 0)
		return 0;
	t = &j->t[tok];
	return t->type == JS_STRING && key_is(j, t, s, strlen(s));
}
