/*
 * config.c - the table pass: a YAML tree read against the key tables
 * (config_keys.c) into struct config: types, ranges, enums, defaults,
 * unknown keys (with the nearest known one suggested), every problem a
 * diagnostic at its node; and the helpers the semantic pass reports
 * with. config_load.c runs it, then config_check.c's pass.
 */
#include "config/config.h"
#include "lib/http.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "lib/yamltree.h"
#include "model/normalize.h"
#include "config_internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
void
cfg_err_node(struct ctx *x, const struct ynode *n, const char *path,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

void
cfg_err_node(struct ctx *x, const struct ynode *n, const char *path,
    const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	diags_add(x->d, n ? n->line : 1, n ? n->col : 1, path, "%s", msg);
	free(msg);
}

/* Finds the node at a path like "sources[1].auth.token"; when part of it
 * is absent, returns the deepest node that exists. */
const struct ynode *
cfg_locate(const struct ynode *root, const char *path)
{
	const struct ynode *cur = root;
	const char *p = path;

	while (cur && *p) {
		char name[128];
		size_t n = 0;
		const struct ynode *next;

		while (*p && *p != '.' && *p != '[' && n < sizeof(name) - 1)
			name[n++] = *p++;
		name[n] = '\0';
		if (n) {
			if ((next = ynode_get(cur, name, NULL)) == NULL ||
			    ynode_is_null(next))
				return cur;
			cur = next;
		}
		if (*p == '[') {
			size_t i = strtoul(p + 1, (char **)&p, 10);

			if (*p == ']')
				p++;
			if (cur->kind != YNODE_SEQ || i >= cur->n)
				return cur;
			cur = cur->vals[i];
		}
		if (*p == '.')
			p++;
	}
	return cur;
}

void
cfg_err_path(struct ctx *x, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void
cfg_err_path(struct ctx *x, const char *path, const char *fmt, ...)
{
	const struct ynode *n = cfg_locate(x->root, path);
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	diags_add(x->d, n ? n->line : 1, n ? n->col : 1, path, "%s", msg);
	free(msg);
}

char *
cfg_join(const char *path, const char *name)
{
	return *path ? xasprintf("%s.%s", path, name) : xstrdup(name);
}

static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[64], prev, tmp;

	if (lb >= 64 || la >= 64)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t best = prev + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

char *
cfg_enum_list(const char *const *e)
{
	struct buf b;
	int i;

	buf_init(&b, 0);
	for (i = 0; e[i]; i++)
		buf_addf(&b, "%s%s", i ? ", " : "", e[i]);
	return buf_steal(&b);
}

static int
enum_index(const char *const *e, const char *s)
{
	int i;

	for (i = 0; e[i]; i++)
		if (strcmp(e[i], s) == 0)
			return i;
	return -1;
}

int
config_parse_duration(const char *s, int64_t *ret)
{
	char *end;
	long long v;
	int64_t mul;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || v < 0)
		return -1;
	if (end[0] && end[1])
		return -1;
	switch (*end) {
	case 's': mul = 1; break;
	case 'm': mul = 60; break;
	case 'h': mul = 3600; break;
	case 'd': mul = 86400; break;
	case '\0':
		if (v != 0)
			return -1;	/* a bare number has no unit */
		mul = 1;
		break;
	default:
		return -1;
	}
	if (v > INT64_MAX / mul)
		return -1;
	*ret = v * mul;
	return 0;
}

static char *
format_duration(double secs)
{
	int64_t s = (int64_t)secs;

	if (s % 86400 == 0 && s)
		return xasprintf("%lldd", (long long)(s / 86400));
	if (s % 3600 == 0 && s)
		return xasprintf("%lldh", (long long)(s / 3600));
	if (s % 60 == 0 && s)
		return xasprintf("%lldm", (long long)(s / 60));
	return xasprintf("%llds", (long long)s);
}

int
cfg_scalar_ok(struct ctx *x, const struct ynode *n, const char *path,
    const char *what)
{
	if (n->kind != YNODE_SCALAR) {
		cfg_err_node(x, n, path, "expected %s, found %s", what,
		    ynode_kind_name(n));
		return 0;
	}
	return 1;
}

static int
parse_bool_text(const char *s, int *ret)
{
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
		*ret = 1;
	else if (!strcmp(s, "false") || !strcmp(s, "False") ||
	    !strcmp(s, "FALSE"))
		*ret = 0;
	else
		return -1;
	return 0;
}

int
cfg_parse_number(const char *s, double *ret)
{
	char *end;
	double v;

	if (*s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (*end || errno || !isfinite(v) || (!isdigit((unsigned char)*s) &&
	    *s != '-' && *s != '+' && *s != '.'))
		return -1;
	*ret = v;
	return 0;
}

static int
parse_int_text(const char *s, int64_t *ret)
{
	char *end;
	long long v;

	if (!isdigit((unsigned char)*s) && *s != '-')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end || errno)
		return -1;
	*ret = v;
	return 0;
}

static char *
fmt_num(double v)
{
	return xasprintf("%g", v);
}

static void range_error(struct ctx *x, const struct ynode *n,
    const char *path, const struct key *k)
{
	char *lo, *hi;

	if (k->min > 0 && k->min < 1e-3) {
		cfg_err_node(x, n, path, "%s is not a positive number", n->str);
		return;
	}
	if (k->type == K_DUR) {
		lo = format_duration(k->min);
		hi = format_duration(k->max);
	} else {
		lo = fmt_num(k->min);
		hi = fmt_num(k->max);
	}
	cfg_err_node(x, n, path, "%s is out of range (%s to %s)", n->str, lo, hi);
	free(lo);
	free(hi);
}


/* Splits "k:v,k:v" or "a,b" default texts. */
char **
cfg_split_list(const char *s, size_t *ret_n)
{
	char **v = NULL, *copy = xstrdup(s), *tok, *save = NULL;
	size_t n = 0, cap = 0;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		xgrow(&v, &cap, n + 1, sizeof(*v));
		v[n++] = xstrdup(tok);
	}
	free(copy);
	*ret_n = n;
	return v;
}

void
cfg_free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}


static void
apply_default(const struct key *k, char *base)
{
	if (k->type == K_STRUCT) {
		cfg_apply_defaults(k->sub, base + k->off);
		return;
	}
	if (k->def == NULL) {
		if (k->type == K_ENUM)
			*AT(base, k->off, int) = -1;	/* unset */
		return;
	}
	switch (k->type) {
	case K_STR:
	case K_URL:
	case K_PATH:
		*AT(base, k->off, char *) = xstrdup(k->def);
		break;
	case K_INT:
		parse_int_text(k->def, AT(base, k->off, int64_t));
		break;
	case K_NUM:
		cfg_parse_number(k->def, AT(base, k->off, double));
		break;
	case K_BOOL:
		parse_bool_text(k->def, AT(base, k->off, int));
		break;
	case K_DUR:
		config_parse_duration(k->def, AT(base, k->off, int64_t));
		break;
	case K_ENUM:
		*AT(base, k->off, int) = enum_index(k->enums, k->def);
		break;
	case K_DAYS: {
		size_t n, i;
		char **v = cfg_split_list(k->def, &n);
		unsigned mask = 0;

		for (i = 0; i < n; i++)
			mask |= 1u << enum_index(cfg_e_days, v[i]);
		*AT(base, k->off, unsigned) = mask;
		cfg_free_list(v, n);
		break;
	}
	case K_NUMS: {
		size_t n, i;
		char **v = cfg_split_list(k->def, &n);
		struct config_num *nums = xcalloc(n, sizeof(*nums));

		for (i = 0; i < n; i++) {
			char *colon = strchr(v[i], ':');

			*colon = '\0';
			nums[i].key = xstrdup(v[i]);
			nums[i].value = strtod(colon + 1, NULL);
		}
		*AT(base, k->off, struct config_num *) = nums;
		*AT(base, k->count_off, size_t) = n;
		cfg_free_list(v, n);
		break;
	}
	case K_FREEMAIL:
		/* "default": the built-in list; flag lives beside the list */
		break;
	case K_WORDS: {
		size_t n;
		char **v = cfg_split_list(k->def, &n);

		*AT(base, k->off, char **) = v;
		*AT(base, k->count_off, size_t) = n;
		break;
	}
	case K_TIERS:
		cfg_default_tiers(k, base);
		break;
	default:
		break;
	}
}

void
cfg_apply_defaults(const struct key *tab, char *base)
{
	for (; tab->name; tab++)
		apply_default(tab, base);
}

static void parse_table(struct ctx *x, const struct key *tab, char *base,
    const struct ynode *map, const struct ynode *parent_key, const char *path);

static void
parse_fields(struct ctx *x, const struct key *k, char *base,
    const struct ynode *n, const char *path)
{
	struct config_field *f;
	size_t i;

	if (n->kind != YNODE_MAP) {
		cfg_err_node(x, n, path, "expected a mapping of canonical field to "
		    "source field, found %s", ynode_kind_name(n));
		return;
	}
	f = xcalloc(n->n, sizeof(*f));
	for (i = 0; i < n->n; i++) {
		const struct ynode *v = n->vals[i];
		char *p = cfg_join(path, n->keys[i]->str);

		f[i].canon = xstrdup(n->keys[i]->str);
		f[i].index = -1;
		if (v->kind == YNODE_SCALAR && !ynode_is_null(v))
			f[i].src = xstrdup(v->str);
		else if (v->kind == YNODE_MAP) {
			size_t j;

			for (j = 0; j < v->n; j++) {
				const char *kn = v->keys[j]->str;
				const struct ynode *vv = v->vals[j];
				char *pp = cfg_join(p, kn);

				if (!strcmp(kn, "pointer") || !strcmp(kn, "column") ||
				    !strcmp(kn, "field")) {
					if (cfg_scalar_ok(x, vv, pp, "a string")) {
						free(f[i].src);
						f[i].src = xstrdup(vv->str);
					}
				} else if (!strcmp(kn, "format")) {
					int e;

					if (cfg_scalar_ok(x, vv, pp, "a time format")) {
						if ((e = enum_index(cfg_e_time_format,
						    vv->str)) < 0) {
							char *l = cfg_enum_list(cfg_e_time_format);

							cfg_err_node(x, vv, pp, "unknown value "
							    "'%s' (expected one of: %s)",
							    vv->str, l);
							free(l);
						} else {
							f[i].has_format = 1;
							f[i].format = e;
						}
					}
				} else
					cfg_err_node(x, v->keys[j], pp, "unknown key "
					    "'%s' (expected pointer, column, "
					    "field or format)", kn);
				free(pp);
			}
			if (f[i].src == NULL)
				cfg_err_node(x, v, p, "missing the source field "
				    "(pointer:, column: or field:)");
		} else
			cfg_err_node(x, v, p, "expected a source field name or "
			    "pointer, found %s", ynode_kind_name(v));
		free(p);
	}
	*AT(base, k->off, struct config_field *) = f;
	*AT(base, k->count_off, size_t) = n->n;
}

/*
 * The value of key k at node n, read into base + k->off, one function
 * per key type (parsers[] below); every problem a diagnostic at n.
 */
typedef void parse_fn(struct ctx *x, const struct key *k, char *base,
    const struct ynode *n, const char *path);

/* K_STR, K_URL, K_PATH, K_SECRET */
static void
parse_text(struct ctx *x, const struct key *k, char *base,
    const struct ynode *n, const char *path)
{
	const char *why = NULL;

	if (!cfg_scalar_ok(x, n, path, "a string"))
		return;
	if (k->type == K_URL)
		why = http_url_problem(n->str);
	else if (k->type == K_PATH && n->str[0] != '/')
		why = "must be an absolute path";
	else if (k->type == K_SECRET && !secret_is_reference(n->str))
		why = "a secret must not be written in the file; store "
		    "it in a file and refer to it as credential:NAME "
		    "(systemd LoadCredential=), file:/path or env:VAR";
	if (why) {
		/* a secret's text is never repeated */
		if (k->type == K_SECRET || k->type == K_PATH)
			cfg_err_node(x, n, path, "%s", why);
		else
			cfg_err_node(x, n, path, "'%s' %s", n->str, why);
		return;
	}
	free(*AT(base, k->off, char *));
	*AT(base, k->off, char *) = xstrdup(n->str);
}

static void
parse_int(struct ctx *x, const struct key *k, char *base,
    const struct ynode *n, const char *path)
{
	int64_t v;

	if (!cfg_scalar_ok(x, n, path, "an integer"))
		return;
	if (!n->plain || parse_int_text(n->str, &v) < 0)
		cfg_err_node(x, n, path, "expected an integer, found '%s'", n->str);
	else if (v < k->min || v > k->max)
		range_error(x, n, path, k);
	else
		*AT(base, k->off, int64_t) = v;
}

static void
parse_num(struct ctx *x, const struct key *k, char *base,
    const struct ynode *n, const char *path)
{
	double v;

	if (!cfg_scalar_ok(x, n, path, "a number"))
		return;
	if (!n->plain || cfg_parse_number(n->str, &v) < 0)
		cfg_err_node(x, n, path, "expected a number, found '%s'", n->str);
	else if (v < k->min || v > k->max)
		range_error(x, n, path, k);
	else
		*AT(base, k->off, double) = v;
}

static void
parse_bool(struct ctx *x, const struct key *k, char *base,
    const struct ynode *n, const char *path)
{
	int v;

	if (!cfg_scalar_ok(x, n, path, "true or false"))
		return;
	if (!n->plain || parse_bool_text(n->str, &v) < 0)
		cfg_err_node(x, n, path, "expected true or false, found '%s'",
		    n->str);
	else
		*AT(base, k->off, int) = v;
}

static void
parse_dur(struct ctx *x, const struct key *k, char *base,
    const struct ynode *n, const char *path)
{
	int64_t v;

	if (!cfg_scalar_ok(x, n, path, "a duration"))
		return;
	if (config_parse_duration(n->str, &v) < 0)
		cfg_err_node(x, n, path, "'%s' is not a duration (a whole "
		    "number with s, m, h or d, e.g. 30s, 15m, 48h, 90d)", n->str);
	else if (v < k->min || v > k->max)
		range_error(x, n, path, k);
	else
		*AT(base, k->off, int64_t) = v;
}

static void
parse_enum(struct ctx *x, const struct key *k, char *base,
    const struct ynode *n, const char *path)
{
	int e;

	if (!cfg_scalar_ok(x, n, path, "one of the allowed values"))
		return;
	if ((e = enum_index(k->enums, n->str)) < 0) {
		char *l = cfg_enum_list(k->enums);

		cfg_err_node(x, n, path, "unknown value '%s' (expected one of: "
		    "%s)", n->str, l);
		free(l);
		return;
	}
	*AT(base, k->off, int) = e;
}

static void
parse_struct(struct ctx *x, const struct key *k, char *base,
    const struct ynode *n, const char *path)
{
	if (k->present_off >= 0)
		*AT(base, k->present_off, int) = 1;
	parse_table(x, k->sub, base + k->off, n, NULL, path);
}

void
cfg_parse_list(struct ctx *x, const struct key *k, char *base,
    const struct ynode *n, const char *path)
{
	char *arr;
	size_t i;

	if (n->kind != YNODE_SEQ) {
		cfg_err_node(x, n, path, "expected a list, found %s",
		    ynode_kind_name(n));
		return;
	}
	arr = xcalloc(n->n ? n->n : 1, k->elem_size);
	for (i = 0; i < n->n; i++) {
		char *p = xasprintf("%s[%zu]", path, i);

		cfg_apply_defaults(k->sub, arr + i * k->elem_size);
		parse_table(x, k->sub, arr + i * k->elem_size, n->vals[i], NULL, p);
		free(p);
	}
	*AT(base, k->off, char *) = arr;
	*AT(base, k->count_off, size_t) = n->n;
}

static void
parscfg_e_days(struct ctx *x, const struct key *k, char *base,
    const struct ynode *n, const char *path)
{
	unsigned mask = 0;
	size_t i;

	if (n->kind != YNODE_SEQ) {
		cfg_err_node(x, n, path, "expected a list of weekdays (mon ... "
		    "sun), found %s", ynode_kind_name(n));
		return;
	}
	for (i = 0; i < n->n; i++) {
		const struct ynode *v = n->vals[i];
		char *p = xasprintf("%s[%zu]", path, i);
		int e;

		if (cfg_scalar_ok(x, v, p, "a weekday")) {
			if ((e = enum_index(cfg_e_days, v->str)) < 0)
				cfg_err_node(x, v, p, "unknown weekday '%s' (expected "
				    "mon, tue, wed, thu, fri, sat or sun)", v->str);
			else if (mask & (1u << e))
				cfg_err_node(x, v, p, "'%s' is listed twice", v->str);
			else
				mask |= 1u << e;
		}
		free(p);
	}
	*AT(base, k->off, unsigned) = mask;
}

static void
parse_dates(struct ctx *x, const struct key *k, char *base,
    const struct ynode *n, const char *path)
{
	char **v;
	size_t i, cnt = 0;

	if (n->kind != YNODE_SEQ) {
		cfg_err_node(x, n, path, "expected a list of dates (YYYY-MM-DD), "
		    "found %s", ynode_kind_name(n));
		return;
	}
	v = xcalloc(n->n ? n->n : 1, sizeof(*v));
	for (i = 0; i < n->n; i++) {
		const struct ynode *e = n->vals[i];
		char *p = xasprintf("%s[%zu]", path, i);
		char day[11];

		if (cfg_scalar_ok(x, e, p, "a date")) {
			if (strlen(e->str) != 10 || norm_date(e->str, day) < 0)
				cfg_err_node(x, e, p, "'%s' is not a date "
				    "(YYYY-MM-DD)", e->str);
			else
				v[cnt++] = xstrdup(day);
		}
		free(p);
	}
	*AT(base, k->off, char **) = v;
	*AT(base, k->count_off, size_t) = cnt;
}

/* A list of words (notify.immediate): each one of k->enums when set. */
static void
parse_words(struct ctx *x, const struct key *k, char *base,
    const struct ynode *n, const char *path)
{
	char **v;
	size_t i, j, cnt = 0;

	if (n->kind != YNODE_SEQ) {
		cfg_err_node(x, n, path, "expected a list, found %s",
		    ynode_kind_name(n));
		return;
	}
	/* the default goes: the file's list replaces it */
	cfg_free_list(*AT(base, k->off, char **), *AT(base, k->count_off, size_t));
	v = xcalloc(n->n ? n->n : 1, sizeof(*v));
	for (i = 0; i < n->n; i++) {
		const struct ynode *e = n->vals[i];
		char *p = xasprintf("%s[%zu]", path, i);

		if (cfg_scalar_ok(x, e, p, "a word")) {
			for (j = 0; k->enums && k->enums[j]; j++)
				if (strcmp(k->enums[j], e->str) == 0)
					break;
			if (k->enums && k->enums[j] == NULL) {
				struct buf b;

				buf_init(&b, 0);
				for (j = 0; k->enums[j]; j++)
					buf_addf(&b, "%s%s", j ? ", " : "", k->enums[j]);
				cfg_err_node(x, e, p, "'%s' is not one of: %s", e->str,
				    buf_str(&b));
				buf_free(&b);
			} else
				v[cnt++] = xstrdup(e->str);
		}
		free(p);
	}
	*AT(base, k->off, char **) = v;
	*AT(base, k->count_off, size_t) = cnt;
}

static void
parse_kv(struct ctx *x, const struct key *k, char *base,
    const struct ynode *n, const char *path)
{
	struct config_kv *kv;
	size_t i, cnt = 0;

	if (n->kind != YNODE_MAP) {
		cfg_err_node(x, n, path, "expected a mapping, found %s",
		    ynode_kind_name(n));
		return;
	}
	kv = xcalloc(n->n ? n->n : 1, sizeof(*kv));
	for (i = 0; i < n->n; i++) {
		const struct ynode *v = n->vals[i];
		char *p = cfg_join(path, n->keys[i]->str);

		if (!cfg_scalar_ok(x, v, p, "a string"))
			;
		else if (ynode_is_null(v))
			cfg_err_node(x, v, p, "missing value");
		else if (k->enums && enum_index(k->enums, v->str) < 0) {
			char *l = cfg_enum_list(k->enums);

			cfg_err_node(x, v, p, "unknown value '%s' (expected one "
			    "of: %s)", v->str, l);
			free(l);
		} else {
			kv[cnt].key = xstrdup(n->keys[i]->str);
			kv[cnt].value = xstrdup(v->str);
			cnt++;
		}
		free(p);
	}
	*AT(base, k->off, struct config_kv *) = kv;
	*AT(base, k->count_off, size_t) = cnt;
}

static void
parse_nums(struct ctx *x, const struct key *k, char *base,
    const struct ynode *n, const char *path)
{
	struct config_num *nums;
	size_t i, cnt = 0;

	if (n->kind != YNODE_MAP) {
		cfg_err_node(x, n, path, "expected a mapping of names to numbers, "
		    "found %s", ynode_kind_name(n));
		return;
	}
	/* replaces the default */
	nums = *AT(base, k->off, struct config_num *);
	for (i = 0; i < *AT(base, k->count_off, size_t); i++)
		free(nums[i].key);
	free(nums);
	nums = xcalloc(n->n ? n->n : 1, sizeof(*nums));
	for (i = 0; i < n->n; i++) {
		const struct ynode *v = n->vals[i];
		const char *key = n->keys[i]->str;
		char *p = cfg_join(path, key);
		double d;

		if (k->enums && enum_index(k->enums, key) < 0) {
			char *l = cfg_enum_list(k->enums);

			cfg_err_node(x, n->keys[i], p, "unknown key '%s' (expected "
			    "one of: %s)", key, l);
			free(l);
		} else if (!cfg_scalar_ok(x, v, p, "a number"))
			;
		else if (!v->plain || cfg_parse_number(v->str, &d) < 0)
			cfg_err_node(x, v, p, "expected a number, found '%s'",
			    v->str);
		else if (d < k->min || d > k->max)
			range_error(x, v, p, k);
		else {
			nums[cnt].key = xstrdup(key);
			nums[cnt].value = d;
			cnt++;
		}
		free(p);
	}
	*AT(base, k->off, struct config_num *) = nums;
	*AT(base, k->count_off, size_t) = cnt;
}

/* normalize.free_mail_domains: "default", "none" or a list of domains
 * (which may name "default" among them) */
static void
parse_freemail(struct ctx *x, const struct key *k, char *base,
    const struct ynode *n, const char *path)
{
	struct config *cfg = x->cfg;
	size_t i;

	(void)k;
	(void)base;
	if (n->kind == YNODE_SCALAR) {
		if (strcmp(n->str, "default") == 0)
			cfg->normalize.free_mail_default = 1;
		else if (strcmp(n->str, "none") == 0)
			cfg->normalize.free_mail_default = 0;
		else
			cfg_err_node(x, n, path, "expected 'default', 'none' or a "
			    "list of domains, found '%s'", n->str);
		return;
	}
	if (n->kind != YNODE_SEQ) {
		cfg_err_node(x, n, path, "expected 'default', 'none' or a list of "
		    "domains, found %s", ynode_kind_name(n));
		return;
	}
	cfg->normalize.free_mail_default = 0;
	cfg->normalize.free_mail_domains = xcalloc(n->n ? n->n : 1,
	    sizeof(char *));
	for (i = 0; i < n->n; i++) {
		const struct ynode *v = n->vals[i];
		char *p = xasprintf("%s[%zu]", path, i);
		char *dom;

		if (v->kind == YNODE_SCALAR && strcmp(v->str, "default") == 0)
			cfg->normalize.free_mail_default = 1;
		else if (cfg_scalar_ok(x, v, p, "a domain")) {
			if (norm_domain(v->str, &dom) < 0)
				cfg_err_node(x, v, p, "'%s' is not a domain", v->str);
			else
				cfg->normalize.free_mail_domains[
				    cfg->normalize.nfree_mail_domains++] = dom;
		}
		free(p);
	}
}

/* partners.aliases: { source: { id: CRM Account Id } } */
static void
parse_aliases(struct ctx *x, const struct key *k, char *base,
    const struct ynode *n, const char *path)
{
	struct config_alias *v = NULL;
	size_t i, j, cnt = 0, cap = 0;

	if (n->kind != YNODE_MAP) {
		cfg_err_node(x, n, path, "expected a mapping of source names to "
		    "mappings of partner ids, found %s", ynode_kind_name(n));
		return;
	}
	for (i = 0; i < n->n; i++) {
		const struct ynode *m = n->vals[i];
		char *p = cfg_join(path, n->keys[i]->str);

		if (m->kind != YNODE_MAP) {
			cfg_err_node(x, m, p, "expected a mapping of the source's "
			    "partner ids to CRM Account Ids, found %s",
			    ynode_kind_name(m));
			free(p);
			continue;
		}
		for (j = 0; j < m->n; j++) {
			const struct ynode *val = m->vals[j];
			char *q = cfg_join(p, m->keys[j]->str);

			if (!cfg_scalar_ok(x, val, q, "a CRM Account Id"))
				;
			else if (ynode_is_null(val) || val->str[0] == '\0')
				cfg_err_node(x, val, q, "missing value");
			else {
				xgrow(&v, &cap, cnt + 1, sizeof(*v));
				v[cnt].source = xstrdup(n->keys[i]->str);
				v[cnt].id = xstrdup(m->keys[j]->str);
				v[cnt].crm_id = xstrdup(val->str);
				cnt++;
			}
			free(q);
		}
		free(p);
	}
	*AT(base, k->off, struct config_alias *) = v;
	*AT(base, k->count_off, size_t) = cnt;
}

/* sources[].decisions: a file's absolute path, or { url: ... } to POST to
 * (with the source's own auth). */
static void
parse_decisions(struct ctx *x, const struct key *k, char *base,
    const struct ynode *n, const char *path)
{
	struct key text = *k;
	size_t i;
	int url = 0;

	if (n->kind != YNODE_MAP) {
		text.type = K_PATH;
		parse_text(x, &text, base, n, path);
		return;
	}
	text.type = K_URL;
	text.off = k->count_off;
	for (i = 0; i < n->n; i++) {
		char *p = cfg_join(path, n->keys[i]->str);

		if (strcmp(n->keys[i]->str, "url") == 0) {
			parse_text(x, &text, base, n->vals[i], p);
			url = 1;
		} else
			cfg_err_node(x, n->keys[i], p, "unknown key '%s' (decisions "
			    "is a file's path, or { url: ... })", n->keys[i]->str);
		free(p);
	}
	if (!url)
		cfg_err_node(x, n, path, "missing required key 'url'");
}

static parse_fn *const parsers[] = {
	[K_STR] = parse_text, [K_SECRET] = parse_text, [K_URL] = parse_text,
	[K_PATH] = parse_text, [K_INT] = parse_int, [K_NUM] = parse_num,
	[K_BOOL] = parse_bool, [K_DUR] = parse_dur, [K_ENUM] = parse_enum,
	[K_STRUCT] = parse_struct, [K_LIST] = cfg_parse_list, [K_DAYS] = parscfg_e_days,
	[K_DATES] = parse_dates, [K_KV] = parse_kv, [K_NUMS] = parse_nums,
	[K_FIELDS] = parse_fields, [K_FREEMAIL] = parse_freemail,
	[K_ALIASES] = parse_aliases, [K_DECISIONS] = parse_decisions,
	[K_WORDS] = parse_words, [K_TIERS] = cfg_parse_tiers,
};

static void
parse_value(struct ctx *x, const struct key *k, char *base,
    const struct ynode *n, const char *path)
{
	parsers[k->type](x, k, base, n, path);
}

static void
parse_table(struct ctx *x, const struct key *tab, char *base,
    const struct ynode *map, const struct ynode *parent_key, const char *path)
{
	const struct key *k;
	size_t i;

	(void)parent_key;
	if (map->kind != YNODE_MAP) {
		if (ynode_is_null(map) && *path)
			cfg_err_node(x, map, path, "expected a mapping, found nothing "
			    "(remove the key or give it values)");
		else
			cfg_err_node(x, map, path, "expected a mapping, found %s",
			    ynode_kind_name(map));
		return;
	}
	/* unknown keys */
	for (i = 0; i < map->n; i++) {
		const char *name = map->keys[i]->str;
		const char *best = NULL;
		size_t bestd = 3;

		for (k = tab; k->name; k++) {
			size_t dist;

			if (strcmp(k->name, name) == 0)
				break;
			dist = edit_distance(k->name, name);
			if (dist < bestd) {
				bestd = dist;
				best = k->name;
			}
		}
		if (k->name == NULL) {
			char *p = cfg_join(path, name);

			if (best)
				cfg_err_node(x, map->keys[i], p, "unknown key '%s'; "
				    "did you mean '%s'?", name, best);
			else
				cfg_err_node(x, map->keys[i], p, "unknown key '%s'",
				    name);
			free(p);
		}
	}
	for (k = tab; k->name; k++) {
		const struct ynode *kn = NULL;
		const struct ynode *v = ynode_get(map, k->name, &kn);
		char *p;

		if (v && v->alias)
			continue;	/* already reported */
		p = cfg_join(path, k->name);
		if (v == NULL || (ynode_is_null(v) && k->type != K_STRUCT)) {
			if (k->required)
				cfg_err_node(x, v ? v : map, p, "missing required key "
				    "'%s'", k->name);
		} else
			parse_value(x, k, base, v, p);
		free(p);
	}
}

/* ---- loading and freeing ---- */


static void
free_fields(struct config_field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(f[i].canon);
		free(f[i].src);
	}
	free(f);
}

static void
free_key(const struct key *k, char *base)
{
	size_t i, n;

	switch (k->type) {
	case K_STR:
	case K_URL:
	case K_PATH:
	case K_SECRET:
		free(*AT(base, k->off, char *));
		break;
	case K_STRUCT:
		cfg_free_table(k->sub, base + k->off);
		break;
	case K_LIST: {
		char *arr = *AT(base, k->off, char *);

		n = *AT(base, k->count_off, size_t);
		for (i = 0; i < n; i++)
			cfg_free_table(k->sub, arr + i * k->elem_size);
		free(arr);
		break;
	}
	case K_TIERS:
		cfg_free_tiers(k, base);
		break;
	case K_DATES:
	case K_FREEMAIL:
	case K_WORDS:
		cfg_free_list(*AT(base, k->off, char **), *AT(base, k->count_off, size_t));
		break;
	case K_DECISIONS:
		free(*AT(base, k->off, char *));
		free(*AT(base, k->count_off, char *));
		break;
	case K_ALIASES: {
		struct config_alias *al = *AT(base, k->off, struct config_alias *);

		n = *AT(base, k->count_off, size_t);
		for (i = 0; i < n; i++) {
			free(al[i].source);
			free(al[i].id);
			free(al[i].crm_id);
		}
		free(al);
		break;
	}
	case K_KV:
		cfg_free_kv(*AT(base, k->off, struct config_kv *),
		    *AT(base, k->count_off, size_t));
		break;
	case K_NUMS: {
		struct config_num *nums = *AT(base, k->off, struct config_num *);

		n = *AT(base, k->count_off, size_t);
		for (i = 0; i < n; i++)
			free(nums[i].key);
		free(nums);
		break;
	}
	case K_FIELDS:
		free_fields(*AT(base, k->off, struct config_field *),
		    *AT(base, k->count_off, size_t));
		break;
	default:
		break;
	}
}

void
cfg_free_kv(struct config_kv *kv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void
cfg_free_table(const struct key *tab, char *base)
{
	for (; tab->name; tab++)
		free_key(tab, base);
}

void
config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->nsources; i++)
		secret_free(cfg->sources[i].auth.secret);
	secret_free(cfg->crm.auth.private_key_value);
	secret_free(cfg->crm.auth.client_secret_value);
	secret_free(cfg->crm.auth.refresh_token_value);
	secret_free(cfg->audit.hmac_key_value);
	secret_free(cfg->notify.smtp.password_value);
	secret_free(cfg->notify.webhook.url_value);
	cfg_free_table(cfg_root_keys, (char *)cfg);
	free(cfg->path);
	free(cfg);
}

void
cfg_parse(struct ctx *x)
{
	parse_table(x, cfg_root_keys, (char *)x->cfg, x->root, NULL, "");
}
