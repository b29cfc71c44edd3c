/*
 * json.c - jansson behind a small interface.
 */
#include "lib/json.h"
#include "lib/mem.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define J(v) ((json_t *)(v))
#define V(j) ((struct jval *)(j))

struct jval *
jv_parse(const char *buf, size_t len, char *err, size_t errlen)
{
	json_error_t e;
	json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &e);

	if (j == NULL)
		snprintf(err, errlen, "line %d column %d: %s", e.line, e.column,
		    e.text);
	return V(j);
}

struct jval *
jv_parse_value(const char *buf, size_t len, char *err, size_t errlen)
{
	json_error_t e;
	json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
	    &e);

	if (j == NULL)
		snprintf(err, errlen, "line %d column %d: %s", e.line, e.column,
		    e.text);
	return V(j);
}

struct jval *
jv_parse_file(const char *path, size_t max, char *err, size_t errlen)
{
	struct buf b;
	struct jval *v = NULL;
	char chunk[65536];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf_init(&b, max);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(&b, chunk, n) < 0) {
			snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
			goto out;
		}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		goto out;
	}
	v = jv_parse(buf_str(&b), b.len, err, errlen);
out:
	fclose(f);
	buf_free(&b);
	return v;
}

void
jv_free(struct jval *v)
{
	json_decref(J(v));
}

int
jv_pointer_valid(const char *p)
{
	if (*p == '\0')
		return 1;
	if (*p != '/')
		return 0;
	for (; *p; p++)
		if (*p == '~' && p[1] != '0' && p[1] != '1')
			return 0;
	return 1;
}

char *
jv_pointer_normalize(const char *p)
{
	if (*p == '/' || *p == '\0')
		return xstrdup(p);
	return xasprintf("/%s", p);
}

/* Decodes one reference token (up to '/' or NUL) into a new string. */
static char *
token(const char **pp)
{
	const char *p = *pp;
	struct buf b;

	buf_init(&b, 0);
	while (*p && *p != '/') {
		if (p[0] == '~' && p[1] == '0') {
			buf_addch(&b, '~');
			p += 2;
		} else if (p[0] == '~' && p[1] == '1') {
			buf_addch(&b, '/');
			p += 2;
		} else
			buf_addch(&b, *p++);
	}
	*pp = p;
	return buf_steal(&b);
}

const struct jval *
jv_lookup(const struct jval *v, const char *pointer)
{
	const json_t *cur = J(v);
	const char *p = pointer;

	if (*p == '\0')
		return v;
	if (*p != '/')
		return NULL;
	while (cur && *p == '/') {
		char *tok;

		p++;
		tok = token(&p);
		if (json_is_object(cur))
			cur = json_object_get(cur, tok);
		else if (json_is_array(cur)) {
			char *end;
			unsigned long idx;

			errno = 0;
			idx = strtoul(tok, &end, 10);
			if (*tok == '\0' || *end != '\0' || errno ||
			    (tok[0] == '0' && tok[1] != '\0'))
				cur = NULL;
			else
				cur = json_array_get(cur, idx);
		} else
			cur = NULL;
		free(tok);
	}
	return V(cur);
}

int
jv_lookup_text(const struct jval *v, const char *pointer, char **ret,
    char *err, size_t errlen)
{
	const json_t *j = J(jv_lookup(v, pointer));

	*ret = NULL;
	if (j == NULL)
		return 0;
	switch (json_typeof(j)) {
	case JSON_NULL:
		return 1;
	case JSON_STRING:
		*ret = xstrndup(json_string_value(j), json_string_length(j));
		return 1;
	case JSON_INTEGER:
		*ret = xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(j));
		return 1;
	case JSON_REAL: {
		double d = json_real_value(j);
		char tmp[64];
		int prec;

		/* shortest text that reads back to the same double */
		for (prec = 15; prec <= 17; prec++) {
			snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
			if (strtod(tmp, NULL) == d)
				break;
		}
		*ret = xstrdup(tmp);
		return 1;
	}
	case JSON_TRUE:
		*ret = xstrdup("true");
		return 1;
	case JSON_FALSE:
		*ret = xstrdup("false");
		return 1;
	default:
		snprintf(err, errlen, "expected a scalar, found %s",
		    json_is_object(j) ? "an object" : "an array");
		return -1;
	}
}

size_t
jv_array_len(const struct jval *v)
{
	return json_is_array(J(v)) ? json_array_size(J(v)) : 0;
}

const struct jval *
jv_array_at(const struct jval *v, size_t i)
{
	return V(json_array_get(J(v), i));
}

const char *
jv_object_str(const struct jval *v, const char *key)
{
	return json_string_value(json_object_get(J(v), key));
}

double
jv_number_value(const struct jval *v)
{
	return v && json_is_number(J(v)) ? json_number_value(J(v)) : NAN;
}

const struct jval *
jv_get(const struct jval *v, const char *key)
{
	return v ? (const struct jval *)json_object_get(J(v), key) : NULL;
}

int
jv_is_object(const struct jval *v)
{
	return v && json_typeof(J(v)) == JSON_OBJECT;
}

int
jv_is_array(const struct jval *v)
{
	return v && json_typeof(J(v)) == JSON_ARRAY;
}

static json_t *
checked(json_t *j)
{
	if (j == NULL) {
		fprintf(stderr, "<2>chansync: out of memory in jansson\n");
		abort();
	}
	return j;
}

struct jval *jv_object(void) { return V(checked(json_object())); }
struct jval *jv_array(void) { return V(checked(json_array())); }
struct jval *jv_int(int64_t i) { return V(checked(json_integer(i))); }
struct jval *jv_bool(int b) { return V(checked(json_boolean(b))); }
struct jval *jv_null(void) { return V(json_null()); }

struct jval *
jv_real(double d)
{
	if (!isfinite(d))
		return V(json_null());
	return V(checked(json_real(d)));
}

struct jval *
jv_str(const char *s)
{
	json_t *j;

	if (s == NULL)
		return V(json_null());
	j = json_string(s);
	/* invalid UTF-8 from a source: keep the bytes visible, escaped */
	if (j == NULL) {
		struct buf b;
		const unsigned char *p;

		buf_init(&b, 0);
		for (p = (const unsigned char *)s; *p; p++)
			if (*p < 0x80)
				buf_addch(&b, (char)*p);
			else
				buf_addf(&b, "\\x%02x", *p);
		j = checked(json_string(buf_str(&b)));
		buf_free(&b);
	}
	return V(j);
}

void *
jv_iter(const struct jval *o)
{
	return json_object_iter(J(o));
}

void *
jv_iter_next(const struct jval *o, void *it)
{
	return json_object_iter_next(J(o), it);
}

const char *
jv_iter_key(void *it)
{
	return json_object_iter_key(it);
}

const struct jval *
jv_iter_value(void *it)
{
	return V(json_object_iter_value(it));
}

struct jval *
jv_copy(const struct jval *v)
{
	return V(json_deep_copy(J(v)));
}

void
jv_set(struct jval *obj, const char *key, struct jval *val)
{
	json_object_set_new(J(obj), key, J(val));
}

int
jv_set_pointer(struct jval *root, const char *ptr, struct jval *val)
{
	json_t *cur = J(root);
	char tok[256];

	while (*ptr == '/') {
		const char *p = ptr + 1;
		size_t n = 0;
		json_t *next;

		while (*p && *p != '/') {
			char c = *p++;

			if (c == '~' && (*p == '0' || *p == '1'))
				c = *p++ == '0' ? '~' : '/';
			if (n + 1 >= sizeof(tok))
				goto fail;
			tok[n++] = c;
		}
		tok[n] = '\0';
		ptr = p;
		if (!json_is_object(cur))
			goto fail;
		if (*ptr == '\0') {
			json_object_set_new(cur, tok, J(val));
			return 0;
		}
		if ((next = json_object_get(cur, tok)) == NULL) {
			next = json_object();
			json_object_set_new(cur, tok, next);
		}
		cur = next;
	}
fail:
	json_decref(J(val));
	return -1;
}

void
jv_set_str(struct jval *obj, const char *key, const char *s)
{
	jv_set(obj, key, jv_str(s));
}

void
jv_set_int(struct jval *obj, const char *key, int64_t i)
{
	jv_set(obj, key, jv_int(i));
}

void
jv_append(struct jval *arr, struct jval *val)
{
	json_array_append_new(J(arr), J(val));
}

void
jv_object_merge(struct jval *a, const struct jval *b)
{
	json_object_update(J(a), J(b));
}

/*
 * A real as the shortest text that reads back as the same double (16.7,
 * not jansson's 16.699999999999999 at precision 17), with ".0" or an
 * exponent so that it stays a real, the exponent without "+" or leading
 * zeros, as jansson writes it.
 */
static void
dump_real(struct buf *b, double d)
{
	char t[40], *e;
	int prec;

	if (!isfinite(d)) {		/* not JSON: jansson refuses these too */
		buf_addstr(b, "null");
		return;
	}
	for (prec = 15; prec <= 17; prec++) {
		snprintf(t, sizeof(t), "%.*g", prec, d);
		if (strtod(t, NULL) == d)
			break;
	}
	if (strpbrk(t, ".e") == NULL)
		strcat(t, ".0");
	if ((e = strchr(t, 'e')) != NULL) {
		char *p = e + 1, *q;

		if (*p == '+')
			memmove(p, p + 1, strlen(p + 1) + 1);
		else if (*p == '-')
			p++;
		for (q = p; *q == '0' && q[1]; q++)
			;
		memmove(p, q, strlen(q) + 1);
	}
	buf_addstr(b, t);
}

static void
dump_string(struct buf *b, const char *s, size_t n)
{
	size_t i, from = 0;

	buf_addch(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[8];

		if (c == '"')
			esc = "\\\"";
		else if (c == '\\')
			esc = "\\\\";
		else if (c < 0x20) {
			switch (c) {
			case '\b': esc = "\\b"; break;
			case '\f': esc = "\\f"; break;
			case '\n': esc = "\\n"; break;
			case '\r': esc = "\\r"; break;
			case '\t': esc = "\\t"; break;
			default:
				snprintf(u, sizeof(u), "\\u%04X", c);
				esc = u;
			}
		}
		if (esc) {
			buf_add(b, s + from, i - from);
			buf_addstr(b, esc);
			from = i + 1;
		}
	}
	buf_add(b, s + from, n - from);
	buf_addch(b, '"');
}

static int
cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
dump_canonical(struct buf *b, const json_t *j)
{
	size_t i, n;

	switch (json_typeof(j)) {
	case JSON_OBJECT: {
		const char **keys;
		const char *k;
		json_t *x;

		n = json_object_size(j);
		keys = xcalloc(n ? n : 1, sizeof(*keys));
		i = 0;
		json_object_foreach((json_t *)j, k, x)
			keys[i++] = k;
		qsort(keys, n, sizeof(*keys), cmp_keys);
		buf_addch(b, '{');
		for (i = 0; i < n; i++) {
			if (i)
				buf_addch(b, ',');
			dump_string(b, keys[i], strlen(keys[i]));
			buf_addch(b, ':');
			dump_canonical(b, json_object_get(j, keys[i]));
		}
		buf_addch(b, '}');
		free(keys);
		break;
	}
	case JSON_ARRAY:
		buf_addch(b, '[');
		n = json_array_size(j);
		for (i = 0; i < n; i++) {
			if (i)
				buf_addch(b, ',');
			dump_canonical(b, json_array_get(j, i));
		}
		buf_addch(b, ']');
		break;
	case JSON_STRING:
		dump_string(b, json_string_value(j), json_string_length(j));
		break;
	case JSON_INTEGER:
		buf_addf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
		break;
	case JSON_REAL:
		dump_real(b, json_real_value(j));
		break;
	case JSON_TRUE:
		buf_addstr(b, "true");
		break;
	case JSON_FALSE:
		buf_addstr(b, "false");
		break;
	default:
		buf_addstr(b, "null");
	}
}

/*
 * Compact, keys sorted, reals shortest: the form hashed into the audit
 * chain and compared against what the CRM acknowledged.
 */
char *
jv_dump_canonical(const struct jval *v)
{
	struct buf b;

	if (v == NULL)
		return xstrdup("null");
	buf_init(&b, SIZE_MAX);
	dump_canonical(&b, J(v));
	return buf_steal(&b);
}

char *
jv_dump_pretty(const struct jval *v)
{
	char *s = json_dumps(J(v), JSON_INDENT(2) | JSON_ENCODE_ANY |
	    JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	char *r;

	if (s == NULL)
		return xstrdup("null");
	r = xstrdup(s);
	free(s);
	return r;
}
