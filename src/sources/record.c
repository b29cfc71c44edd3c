/*
 * record.c - raw values to a canonical, normalized record.
 */
#include "sources/record.h"
#include "lib/digest.h"
#include "lib/clock.h"
#include "lib/mem.h"
#include "model/normalize.h"
#include "model/normalize_country.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Quotes raw text for a reason: escaped, at most 80 bytes. */
static void
quote(char *out, size_t outlen, const char *s)
{
	size_t n = 0;

	while (*s && n + 5 < outlen && n < 80) {
		unsigned char c = (unsigned char)*s++;

		if (c < 0x20 || c == 0x7f || c == '\'')
			n += (size_t)snprintf(out + n, outlen - n, "\\x%02x", c);
		else
			out[n++] = (char)c;
	}
	/* stopped inside a character: the part of it copied goes too */
	if ((*s & 0xc0) == 0x80) {
		while (n > 0 && (out[n - 1] & 0xc0) == 0x80)
			n--;
		if (n > 0 && (out[n - 1] & 0xc0) == 0xc0)
			n--;
	}
	if (*s && n + 4 < outlen) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
}

static int
free_mail(const struct config *cfg, const char *domain)
{
	size_t i;

	if (cfg->normalize.free_mail_default && norm_is_free_mail(domain))
		return 1;
	for (i = 0; i < cfg->normalize.nfree_mail_domains; i++)
		if (strcmp(cfg->normalize.free_mail_domains[i], domain) == 0)
			return 1;
	return 0;
}

static const char *
map_status(const struct config_source *src, const char *raw)
{
	size_t i;
	int k;

	for (i = 0; i < src->nstatus_map; i++)
		if (strcmp(src->status_map[i].key, raw) == 0)
			return src->status_map[i].value;
	for (i = 0; i < src->nstatus_map; i++)
		if (strcasecmp(src->status_map[i].key, raw) == 0)
			return src->status_map[i].value;
	for (k = 0; entity_statuses[k]; k++)
		if (strcasecmp(entity_statuses[k], raw) == 0)
			return entity_statuses[k];
	return NULL;
}

static int
trim_empty(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

/*
 * The shortest text that reads back as d: whole numbers (most amounts)
 * without printf, which is a measurable share of a large sync.
 */
static void
number_text(double d, char *out, size_t len)
{
	int prec;

	if (d == (double)(int64_t)d && d > -1e15 && d < 1e15) {
		char tmp[24];
		int64_t v = (int64_t)d;
		uint64_t u = v < 0 ? (uint64_t)-v : (uint64_t)v;
		size_t n = 0, i = 0;

		do {
			tmp[n++] = (char)('0' + u % 10);
			u /= 10;
		} while (u);
		if (v < 0)
			out[i++] = '-';
		while (n && i + 1 < len)
			out[i++] = tmp[--n];
		out[i] = '\0';
		return;
	}
	for (prec = 15; prec < 17; prec++) {
		snprintf(out, len, "%.*g", prec, d);
		if (strtod(out, NULL) == d)
			return;
	}
	snprintf(out, len, "%.17g", d);
}

/* Frees what r's arena does not own. */
static void
rfree(const struct record *r, char *p)
{
	if (r->arena == NULL)
		free(p);
}

/*
 * text as a new string, in raw's buffer when it fits: a large sync maps
 * millions of values, and each saved allocation counts.
 */
static char *
reuse(const struct record *r, char **rawp, const char *text)
{
	char *out;
	size_t n = strlen(text);

	if (strlen(*rawp) < n)
		return arena_strndup(r->arena, text, n);
	out = *rawp;
	*rawp = NULL;
	memcpy(out, text, n + 1);
	return out;
}

/*
 * A value refused: why->reason is fmt with the value, quoted, for its
 * one %s (the quoted text is made only for a message). Returns -1.
 */
static int
refuse(struct record_problem *why, const char *raw, const char *fmt)
{
	char q[128];

	quote(q, sizeof(q), raw);
	snprintf(why->reason, sizeof(why->reason), fmt, q);
	return -1;
}

/* A website, host or e-mail address to its registrable domain; *ret
 * NULL for a free-mail domain (a person's, not a company's). */
static int
domain_value(const struct config *cfg, char **rawp, struct record *r,
    char **ret, struct record_problem *why)
{
	char host[NORM_HOST_MAX];
	const char *reg;

	*ret = NULL;
	if (norm_domain_buf(*rawp, host) < 0)
		return refuse(why, *rawp, "'%s' is not a website, domain or "
		    "e-mail address");
	if ((reg = norm_registrable_domain_ref(host)) == NULL)
		return refuse(why, *rawp, "'%s' is a public suffix, not an "
		    "organisation's domain");
	if (!free_mail(cfg, reg))
		*ret = reuse(r, rawp, reg);
	return 0;
}

/* A time (or a date) in the field's or the source's time format; a
 * change or registration time further in the future than the clock's
 * skew is refused (as a watermark it would hide every real change). */
static int
time_value(const struct config *cfg, const struct config_source *src,
    const struct config_field *f, int date, char **rawp, struct record *r,
    char **ret, struct record_problem *why)
{
	enum time_format fmt = f->has_format ? f->format :
	    (enum time_format)src->time_format;
	char buf[32];
	int64_t t;

	if (norm_time_text(*rawp, fmt, &t, buf) < 0)
		return refuse(why, *rawp, fmt == TIME_ISO8601 ? "'%s' is not a "
		    "date or time (ISO 8601)" : fmt == TIME_EPOCH_S ? "'%s' is not "
		    "a time in epoch seconds" : "'%s' is not a time in epoch "
		    "milliseconds");
	if (!date && (strcmp(f->canon, "updated_at") == 0 ||
	    strcmp(f->canon, "registered_at") == 0) &&
	    t > clock_now() + cfg->daemon.clock_skew) {
		char q[128];

		quote(q, sizeof(q), *rawp);
		snprintf(why->reason, sizeof(why->reason), "'%s' is in the future "
		    "(more than daemon.clock_skew ahead of this machine's clock)",
		    q);
		return -1;
	}
	if (date)
		buf[10] = '\0';
	r->num[f->index] = (double)t;
	*ret = reuse(r, rawp, buf);
	return 0;
}

/*
 * Normalizes one value; returns 0, or -1 with why->reason set. The
 * result may take over *rawp's buffer (then *rawp becomes NULL).
 */
static int
normalize_value(const struct config *cfg, const struct config_source *src,
    const struct config_field *f,
    const struct entity_field *ef, char **rawp, struct record *r,
    struct record_problem *why)
{
	const char *raw = *rawp, *whyt = NULL, *st;
	char buf[32], *out = NULL, q[128];
	double d;
	int b;

	switch (ef->type) {
	case FT_ID:
	case FT_NAME:
	case FT_TEXT:
		/* in place: the raw text is ours, and only ever shrinks */
		if (norm_text_inplace(*rawp, ef->type == FT_TEXT ? 1024 : 255,
		    &whyt) < 0) {
			quote(q, sizeof(q), raw);
			snprintf(why->reason, sizeof(why->reason), "%s: '%s'", whyt, q);
			return -1;
		}
		out = *rawp;
		*rawp = NULL;
		break;
	case FT_DOMAIN:
		if (domain_value(cfg, rawp, r, &out, why) < 0)
			return -1;
		if (out == NULL)
			return 0;	/* free mail: no domain */
		break;
	case FT_COUNTRY:
		if (norm_country(raw, buf) < 0)
			return refuse(why, raw, "unknown country '%s' (expected an "
			    "ISO 3166 code or name)");
		out = reuse(r, rawp, buf);
		break;
	case FT_MONEY:
	case FT_NUMBER:
	case FT_PERCENT:
		if (norm_amount(raw, &d) < 0)
			return refuse(why, raw, "'%s' is not a number (e.g. 12500 "
			    "or 12,500.00)");
		if (ef->type == FT_PERCENT && (d < 0 || d > 100))
			return refuse(why, raw, "%s is not a percentage between 0 "
			    "and 100");
		r->num[f->index] = d;
		number_text(d, buf, sizeof(buf));
		out = reuse(r, rawp, buf);
		break;
	case FT_CURRENCY:
		if (norm_currency(raw, buf) < 0)
			return refuse(why, raw, "unknown currency '%s' (expected an "
			    "ISO 4217 code)");
		out = reuse(r, rawp, buf);
		break;
	case FT_STATUS:
		if ((st = map_status(src, raw)) == NULL)
			return refuse(why, raw, "unknown status '%s' (add it to "
			    "status_map)");
		out = reuse(r, rawp, st);
		break;
	case FT_TIME:
	case FT_DATE:
		if (time_value(cfg, src, f, ef->type == FT_DATE, rawp, r, &out,
		    why) < 0)
			return -1;
		break;
	case FT_BOOL:
		if (norm_bool(raw, &b) < 0)
			return refuse(why, raw, "'%s' is not true or false");
		r->num[f->index] = b;
		out = reuse(r, rawp, b ? "1" : "0");
		break;
	case FT_PERIOD:
		if (norm_period(raw, &out) < 0)
			return refuse(why, raw, "'%s' is not a period (2026-Q4, "
			    "2026-11 or 2026)");
		out = arena_adopt(r->arena, out);
		break;
	}
	r->val[f->index] = out;
	return 0;
}

/*
 * A field record_map looks up for every record, by entity kind: found
 * once (by name, a loop of strcmp), then remembered in idx (+1: 0 is
 * unknown).
 */
static int
field_once(int idx[ENTITY_COUNT], enum entity_kind kind, const char *name)
{
	if (idx[kind] == 0)
		idx[kind] = 1 + entity_field_index(kind, name);
	return idx[kind] - 1;
}

/* Every configured field read and normalized into r. */
static int
map_fields(const struct config *cfg, const struct config_source *src,
    record_get_fn get, void *ctx, struct record *r, struct record_problem *why)
{
	static int id_index[ENTITY_COUNT];
	const struct entity_def *def = entity_def(src->entity);
	char err[256];
	size_t i;
	int idf;

	/* the identifying field first, so every later problem can name it */
	idf = field_once(id_index, src->entity, src->entity == ENTITY_PLANS ?
	    "partner_id" : def->fields[def->key_field].name);
	for (i = 0; i < src->nfields; i++) {
		const struct config_field *f = &src->fields[i];
		char *raw = NULL;
		int rc;

		if (f->index < 0)
			continue;
		rc = get(ctx, f, r->arena, &raw, err, sizeof(err));
		if (rc < 0) {
			snprintf(why->field, sizeof(why->field), "%s", f->canon);
			snprintf(why->reason, sizeof(why->reason), "%s (%s)", err,
			    f->src);
			rfree(r, raw);
			return -1;
		}
		if (f->index == idf && raw) {
			/* the id as written, quoted only if the record fails */
			size_t n = strnlen(raw, sizeof(why->record_id) - 1);

			memcpy(why->record_id, raw, n);
			why->record_id[n] = '\0';
		}
		if (rc == 0 || raw == NULL || trim_empty(raw)) {
			rfree(r, raw);
			continue;
		}
		rc = normalize_value(cfg, src, f, &def->fields[f->index], &raw, r,
		    why);
		rfree(r, raw);
		if (rc < 0) {
			snprintf(why->field, sizeof(why->field), "%s", f->canon);
			return -1;
		}
	}
	return 0;
}

/* The required fields present, and the amount in the base currency. */
/*
 * A registration decided before it was registered is refused: one of the
 * two times is wrong, and either would mislead the protection window. A
 * day's slack lets a decision given as a date (midnight) or in another
 * zone precede the registration of the same day.
 */
#define DECIDED_SLACK 86400

static int
decided_before_registered(const struct record *r, struct record_problem *why)
{
	static int reg = -2, dec = -2;

	if (r->kind != ENTITY_REGISTRATIONS)
		return 0;
	if (reg == -2) {
		reg = entity_field_index(ENTITY_REGISTRATIONS, "registered_at");
		dec = entity_field_index(ENTITY_REGISTRATIONS, "decided_at");
	}
	if (reg < 0 || dec < 0 || r->val[reg] == NULL || r->val[dec] == NULL ||
	    r->num[dec] >= r->num[reg] - DECIDED_SLACK)
		return 0;
	snprintf(why->field, sizeof(why->field), "decided_at");
	snprintf(why->reason, sizeof(why->reason), "decided (%s) before it was "
	    "registered (%s)", r->val[dec], r->val[reg]);
	return -1;
}

static int
complete(const struct config *cfg, const struct config_source *src,
    struct record *r, struct record_problem *why)
{
	const struct entity_def *def = entity_def(src->entity);
	const char *code;
	double rate;
	size_t i, j;
	int m = -1, cur = -1;

	for (i = 0; i < def->nfields; i++) {
		if (def->fields[i].required && r->val[i] == NULL) {
			const char *col = "";

			for (j = 0; j < src->nfields; j++)
				if (src->fields[j].index == (int)i)
					col = src->fields[j].src;
			snprintf(why->field, sizeof(why->field), "%s",
			    def->fields[i].name);
			snprintf(why->reason, sizeof(why->reason), "missing required "
			    "field %s (%s)", def->fields[i].name, col);
			return -1;
		}
		if (def->fields[i].type == FT_MONEY)
			m = (int)i;
		if (def->fields[i].type == FT_CURRENCY)
			cur = (int)i;
	}
	if (decided_before_registered(r, why) < 0)
		return -1;
	if (m < 0 || r->val[m] == NULL)
		return 0;
	code = cur >= 0 && r->val[cur] ? r->val[cur] : cfg->normalize.base_currency;
	if (config_fx_rate(cfg, code, &rate) < 0) {
		snprintf(why->field, sizeof(why->field), "currency");
		snprintf(why->reason, sizeof(why->reason), "no exchange rate for %s "
		    "(add normalize.fx.%s)", code, code);
		return -1;
	}
	r->amount_base = r->num[m] * rate;
	r->has_amount_base = 1;
	if (cur >= 0 && r->val[cur] == NULL)
		r->val[cur] = arena_strdup(r->arena, code);
	return 0;
}

/* The record's key: source:external_id, an activity's facts when it has
 * no id, partner/period for a plan, else the id. */
static void
make_key(const struct config_source *src, struct record *r)
{
	const char *ext;

	switch (src->entity) {
	case ENTITY_REGISTRATIONS:
		r->key = arena_adopt(r->arena, xasprintf("%s:%s", src->name,
		    r->val[entity_field_index(ENTITY_REGISTRATIONS, "external_id")]));
		break;
	case ENTITY_ACTIVITIES:
		ext = r->val[entity_field_index(ENTITY_ACTIVITIES, "external_id")];
		if (ext)
			r->key = arena_adopt(r->arena, xasprintf("%s:%s", src->name, ext));
		else {
			/* no id from the source: the facts identify it */
			char *facts = xasprintf("%s\n%s\n%s",
			    r->val[entity_field_index(ENTITY_ACTIVITIES, "partner_id")],
			    r->val[entity_field_index(ENTITY_ACTIVITIES, "kind")],
			    r->val[entity_field_index(ENTITY_ACTIVITIES, "occurred_at")]);
			unsigned char h[DIGEST_LEN];
			char hex[DIGEST_HEX_LEN + 1];

			sha256(facts, strlen(facts), h);
			hex_encode(h, 12, hex);
			r->key = arena_adopt(r->arena, xasprintf("%s:~%s", src->name, hex));
			free(facts);
		}
		break;
	case ENTITY_PLANS:
		r->key = arena_adopt(r->arena, xasprintf("%s/%s", r->val[0], r->val[1]));
		break;
	default:
		r->key = arena_strdup(r->arena, r->val[0]);
	}
}

int
record_map(const struct config *cfg, const struct config_source *src,
    record_get_fn get, void *ctx, struct record *r, struct record_problem *why)
{
	why->field[0] = why->reason[0] = why->record_id[0] = '\0';
	if (map_fields(cfg, src, get, ctx, r, why) < 0 ||
	    complete(cfg, src, r, why) < 0) {
		/* the record's id as it was read, quoted for the quarantine */
		if (why->record_id[0]) {
			char id[sizeof(why->record_id)];

			memcpy(id, why->record_id, sizeof(id));
			quote(why->record_id, sizeof(why->record_id), id);
		}
		return -1;
	}
	make_key(src, r);
	return 0;
}
