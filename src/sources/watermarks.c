/*
 * watermarks.c - an operator's reset of a source's watermarks, made by
 * the daemon on chansyncctl's request and audited with the values it
 * replaced.
 */
#include "sources/watermarks.h"

#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "lib/clock.h"
#include "lib/json.h"
#include "model/normalize.h"
#include "store/audit.h"
#include "store/store.h"

/* The source name's kind: 0 the CRM, 1 an http_json source, -1 neither
 * (msg says why). */
static int
watermark_owner(const struct config *cfg, const char *name, char *msg,
    size_t len)
{
	size_t i;

	if (strcmp(name, WATERMARK_CRM) == 0) {
		if (cfg->crm.present)
			return 0;
		snprintf(msg, len, "no crm: section in the configuration");
		return -1;
	}
	for (i = 0; i < cfg->nsources; i++) {
		if (strcmp(cfg->sources[i].name, name) != 0)
			continue;
		if (cfg->sources[i].kind == SOURCE_HTTP_JSON)
			return 1;
		snprintf(msg, len, "source %s is a %s source: it keeps a ledger "
		    "of the files it took, not a watermark", name,
		    config_source_kind_name(cfg->sources[i].kind));
		return -1;
	}
	snprintf(msg, len, "no source named '%.64s' in the configuration", name);
	return -1;
}

/* Adds each watermark row to the array ctx. */
static int
keep_row(void *ctx, const struct store_row *r)
{
	struct jval *o = jv_object();

	jv_set_str(o, "object", store_col(r, "object"));
	jv_set_str(o, "value", store_col(r, "watermark"));
	jv_append(ctx, o);
	return 0;
}

/* to as the watermarks' form, refused when unreadable or in the future. */
static int
reset_time(const struct config *cfg, const char *to, char iso[21], char *msg,
    size_t len)
{
	int64_t t;

	if (norm_time(to, TIME_ISO8601, &t) < 0) {
		snprintf(msg, len, "'%.40s' is not a time (2026-11-01 or "
		    "2026-11-01T08:00:00Z)", to);
		return -1;
	}
	if (t > clock_now() + cfg->daemon.clock_skew) {
		snprintf(msg, len, "%.40s is in the future: a watermark there "
		    "would skip every change until then", to);
		return -1;
	}
	norm_time_format(t, iso);
	return 0;
}

int
watermark_reset(const struct config *cfg, struct store *st, struct audit *au,
    const char *name, const char *to, char *msg, size_t len)
{
	struct jval *before, *detail;
	char iso[21], now[CLOCK_ISO_LEN];
	int64_t n = 0;
	int owner;

	if ((owner = watermark_owner(cfg, name, msg, len)) < 0)
		return -1;
	if (to != NULL && reset_time(cfg, to, iso, msg, len) < 0)
		return -1;
	clock_now_iso(now);
	before = jv_array();
	if (store_begin(st) < 0 ||
	    store_list_watermarks(st, name, keep_row, before) < 0)
		goto fail;
	if (owner == 1 && to != NULL) {
		/* the one object of an http_json source, kept or not */
		if (store_watermark_set(st, name, "updated_at", iso, now) < 0)
			goto fail;
		n = 1;
	} else if ((n = store_watermarks_reset(st, name, to ? iso : NULL,
	    now)) < 0)
		goto fail;
	detail = jv_object();
	jv_set_str(detail, "to", to ? iso : "full read");
	jv_set(detail, "before", before);
	before = NULL;
	if (audit_log(au, 0, "source.watermark_reset", "source", name,
	    detail) < 0 || store_commit(st) < 0)
		goto fail;
	if (to == NULL)
		snprintf(msg, len, "%s: %lld watermark%s forgotten; the next "
		    "read is a full one", name, (long long)n, n == 1 ? "" : "s");
	else if (n == 0)
		snprintf(msg, len, "%s: no watermark yet; the next read is a "
		    "full one", name);
	else
		snprintf(msg, len, "%s: %lld watermark%s set to %s", name,
		    (long long)n, n == 1 ? "" : "s", iso);
	return 0;
fail:
	snprintf(msg, len, "database: %s", store_errmsg(st));
	store_rollback(st);
	jv_free(before);
	return -1;
}
