/*
 * landing.c - how a source's records land in the store: a unit of work
 * (a spool file, a page) in one transaction, each record mapped and
 * stored or quarantined with its reason, an audit row and a log line.
 * Every source kind and the CRM reader land through here.
 */
#include "sources/landing.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "lib/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RAW_CAP 2048

int
land_quarantine_full(const struct source_run *run)
{
	return run->unit_quarantined >= LAND_QUARANTINE_MAX;
}

static void
mark_start(struct source_run *run)
{
	if (run->started == 0)
		run->started = clock_monotonic_usec();
}

int
land_out_of_time(struct source_run *run)
{
	mark_start(run);
	return run->src->max_run > 0 && clock_monotonic_usec() - run->started >=
	    (uint64_t)run->src->max_run * 1000000u;
}

int
land_tick(struct source_run *run)
{
	mark_start(run);
	return run->tick ? run->tick(run->tick_arg) : 0;
}

static void
store_error(struct source_run *run)
{
	snprintf(run->error, sizeof(run->error), "database: %s",
	    store_errmsg(run->st));
}

int
land_begin(struct source_run *run)
{
	clock_now_iso(run->now);
	run->unit_records = run->unit_quarantined = 0;
	if (store_begin(run->st) < 0) {
		store_error(run);
		return -1;
	}
	return 0;
}

int
land_record(struct source_run *run, const struct record *r)
{
	if (store_upsert(run->st, r, run->now) < 0) {
		store_error(run);
		return -1;
	}
	run->unit_records++;
	return 0;
}

int
land_records(struct source_run *run, const struct record *const *r, size_t n)
{
	if (store_upsert_many(run->st, r, n, run->now) < 0) {
		store_error(run);
		return -1;
	}
	run->unit_records += (int64_t)n;
	return 0;
}

int
land_quarantine(struct source_run *run, const char *position,
    const char *record_id, const char *field, const char *reason,
    const char *raw)
{
	struct store_quarantine q;
	struct jval *detail;
	char *capped = NULL, *id = NULL, *why;
	const char *fields[4];
	char *f0, *f1, *f2;

	/* what a bad record says is stored, printed and audited as valid
	 * UTF-8 (invalid bytes become U+FFFD), the raw text capped */
	if (raw) {
		capped = utf8_cut(raw, RAW_CAP);
		raw = capped;
	}
	if (record_id)
		record_id = id = utf8_cut(record_id, 256);
	reason = why = utf8_cut(reason ? reason : "", 1024);
	q.cycle_id = run->cycle_id;
	q.source = run->src->name;
	q.position = position;
	q.record_id = record_id && *record_id ? record_id : NULL;
	q.field = field && *field ? field : NULL;
	q.reason = reason;
	q.raw = raw;
	if (store_quarantine_add(run->st, &q, run->now) < 0) {
		store_error(run);
		free(capped);
		free(id);
		free(why);
		return -1;
	}
	detail = jv_object();
	jv_set_str(detail, "source", run->src->name);
	jv_set_str(detail, "position", position);
	jv_set_str(detail, "record_id", q.record_id);
	jv_set_str(detail, "field", q.field);
	jv_set_str(detail, "reason", reason);
	free(capped);
	if (audit_log(run->au, run->cycle_id, "record.quarantined", "source",
	    run->src->name, detail) < 0) {
		store_error(run);
		free(id);
		free(why);
		return -1;
	}
	/* the first of a unit's bad records are logged one by one, then the
	 * count (chansyncctl quarantine lists them all) */
	if (run->unit_quarantined < LAND_LOG_MAX) {
		f0 = xasprintf("CHANSYNC_SOURCE=%s", run->src->name);
		f1 = xasprintf("CHANSYNC_RECORD=%s", q.record_id ? q.record_id :
		    position);
		f2 = xasprintf("CHANSYNC_FIELD=%s", q.field ? q.field : "");
		fields[0] = f0;
		fields[1] = f1;
		fields[2] = f2;
		fields[3] = NULL;
		log_event(LOG_NOTICE, MSGID_RECORD_QUARANTINED, fields,
		    "source %s: %s%s%s%s: record quarantined: %s", run->src->name,
		    position, q.record_id ? " (" : "", q.record_id ? q.record_id :
		    "", q.record_id ? ")" : "", reason);
		free(f0);
		free(f1);
		free(f2);
	} else if (run->unit_quarantined == LAND_LOG_MAX)
		log_notice("source %s: more records of %s quarantined; not "
		    "logged one by one (chansyncctl quarantine lists them)",
		    run->src->name, position);
	run->unit_quarantined++;
	free(id);
	free(why);
	return 0;
}

int
land_map(struct source_run *run, record_get_fn get, void *ctx,
    const char *position, const char *raw)
{
	struct record r;
	struct record_problem why;
	int rc;

	record_init(&r, run->src->entity, run->src->name);
	if (record_map(run->cfg, run->src, get, ctx, &r, &why) < 0) {
		/* the raw text of a JSON record is made only when needed */
		char *dumped = raw == NULL && get == land_json_get ?
		    jv_dump_canonical(ctx) : NULL;

		rc = land_quarantine(run, position, why.record_id, why.field,
		    why.reason, dumped ? dumped : raw);
		free(dumped);
	} else {
		r.origin = xstrdup(position);
		rc = land_record(run, &r);
	}
	record_clear(&r);
	return rc;
}

int
land_json_get(void *ctx, const struct config_field *f, struct arena *a,
    char **ret, char *err, size_t errlen)
{
	int rc = jv_lookup_text(ctx, f->src, ret, err, errlen);

	*ret = arena_adopt(a, *ret);
	return rc;
}

int
land_commit(struct source_run *run)
{
	if (store_commit(run->st) < 0) {
		store_error(run);
		return -1;
	}
	run->records += run->unit_records;
	run->quarantined += run->unit_quarantined;
	run->unit_records = run->unit_quarantined = 0;
	return 0;
}

void
land_rollback(struct source_run *run)
{
	store_rollback(run->st);
	run->unit_records = run->unit_quarantined = 0;
}
