/*
 * store_notify.c - the notifications' outbox and what the digest reads
 * (contract §15): a message is a row, its key the idempotency key (a
 * second put of the same key is no second message), sent once and then
 * marked; a failed send waits for its next attempt.
 */
#include "store_internal.h"
#include "lib/clock.h"
#include "lib/mem.h"
#include "model/normalize.h"
#include "rules/digest.h"
#include "rules/queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int
store_notify_put(struct store *st, const struct store_notification *n)
{
	sqlite3_stmt *s = sq_prep(st, "INSERT OR IGNORE INTO notifications(key, "
	    "kind, channel, owner_id, recipient, subject, body, message_id, "
	    "created_at, next_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)");
	int rc;

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, n->key);
	sq_bind_text(s, 2, n->kind);
	sq_bind_text(s, 3, n->channel);
	sq_bind_text(s, 4, n->owner_id);
	sq_bind_text(s, 5, n->recipient);
	sq_bind_text(s, 6, n->subject);
	sq_bind_text(s, 7, n->body);
	sq_bind_text(s, 8, n->message_id);
	sq_bind_text(s, 9, n->created_at);
	if (sq_run(st, s, "queueing a notification") < 0)
		return -1;
	rc = sqlite3_changes(st->db) > 0;
	return rc;
}

int
store_notify_due(struct store *st, const char *now, store_row_fn fn,
    void *ctx)
{
	const char *b[1] = { now };

	return sq_query_rows(st, "SELECT id, key, kind, channel, owner_id, "
	    "recipient, subject, body, message_id, created_at, attempts FROM "
	    "notifications WHERE sent_at IS NULL AND gave_up_at IS NULL AND "
	    "next_at <= ?1 ORDER BY id", b, 1, fn, ctx);
}

int
store_notify_done(struct store *st, int64_t id, const char *now,
    const char *error, const char *next_at, int give_up)
{
	sqlite3_stmt *s = sq_prep(st, "UPDATE notifications SET attempts = "
	    "attempts + 1, sent_at = CASE WHEN ?3 IS NULL THEN ?2 END, "
	    "last_error = ?3, next_at = coalesce(?4, next_at), gave_up_at = "
	    "CASE WHEN ?5 THEN ?2 END WHERE id = ?1");

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sq_bind_text(s, 2, now);
	sq_bind_text(s, 3, error);
	sq_bind_text(s, 4, next_at);
	sqlite3_bind_int(s, 5, give_up);
	return sq_run(st, s, "recording a notification");
}

int
store_notify_last(struct store *st, const char *owner_id, const char *kind,
    char **ret)
{
	return sq_query_text(st, "SELECT created_at FROM notifications WHERE "
	    "owner_id = ? AND kind = ? ORDER BY created_at DESC LIMIT 1",
	    owner_id, kind, ret, "reading the last digest");
}

int
store_notify_status(struct store *st, store_row_fn fn, void *ctx)
{
	/* per channel: sent, waiting, given up; the last error and when */
	return sq_query_rows(st, "SELECT channel, sum(sent_at IS NOT NULL) AS "
	    "sent, sum(sent_at IS NULL AND gave_up_at IS NULL) AS waiting, "
	    "sum(gave_up_at IS NOT NULL) AS gave_up, (SELECT last_error FROM "
	    "notifications m WHERE m.channel = n.channel AND m.last_error IS NOT "
	    "NULL AND m.sent_at IS NULL ORDER BY m.id DESC LIMIT 1) AS "
	    "last_error, max(sent_at) AS last_sent FROM notifications n GROUP BY "
	    "channel ORDER BY channel", NULL, 0, fn, ctx);
}

int
store_digest_owners(struct store *st, store_row_fn fn, void *ctx)
{
	/* whoever owns an alert (open, or resolved in the last two days) or
	 * a partner with a pending registration */
	return sq_query_rows(st, "SELECT o.id, u.name, u.email, u.is_active FROM "
	    "(SELECT owner_id AS id FROM alerts WHERE owner_id IS NOT NULL AND "
	    "(status = 'open' OR resolved_at >= strftime('%Y-%m-%dT%H:%M:%SZ', "
	    "'now', '-2 days')) UNION SELECT account_owner_id FROM alerts WHERE "
	    "account_owner_id IS NOT NULL AND status = 'open' UNION SELECT "
	    "p.owner_id FROM partners p JOIN registrations r ON r.partner_id = "
	    "p.id WHERE r.status = 'pending' AND r.deleted = 0 AND p.owner_id IS "
	    "NOT NULL) o LEFT JOIN users u ON u.id = o.id ORDER BY o.id",
	    NULL, 0, fn, ctx);
}

int
store_digest_alerts(struct store *st, const char *owner_id, const char *since,
    store_row_fn fn, void *ctx)
{
	const char *b[2] = { owner_id, since };

	/* the owner's open alerts and those resolved since the last digest */
	return sq_query_rows(st, "SELECT key, type, severity, message, status, "
	    "first_seen, resolved_at, escalated_at, subject FROM alerts WHERE "
	    "?1 IN (owner_id, account_owner_id) AND (status = 'open' OR "
	    "resolved_at > ?2) ORDER BY CASE severity WHEN 'critical' THEN 0 "
	    "WHEN 'warning' THEN 1 ELSE 2 END, first_seen, key", b, 2, fn, ctx);
}

int
store_immediate_alerts(struct store *st, store_row_fn fn, void *ctx)
{
	return sq_query_rows(st, "SELECT key, type, severity, message, "
	    "first_seen, owner_id, account_owner_id FROM alerts WHERE status = "
	    "'open' ORDER BY first_seen, key", NULL, 0, fn, ctx);
}

/* ---- one owner's digest, gathered and composed ---- */

struct gather {
	struct arena *a;
	struct digest_alert *v;
	size_t n, cap;
};

static int
alert_row(void *ctx, const struct store_row *r)
{
	struct gather *g = ctx;
	struct digest_alert *x;
	const char *v;

	xgrow(&g->v, &g->cap, g->n + 1, sizeof(*g->v));
	x = &g->v[g->n++];
#define COL(f) x->f = (v = store_col(r, #f)) ? arena_strdup(g->a, v) : NULL
	COL(key);
	COL(type);
	COL(severity);
	COL(message);
	COL(status);
	COL(first_seen);
	COL(resolved_at);
	COL(escalated_at);
	COL(subject);
#undef COL
	return 0;
}

int
store_digest_compose(struct store *st, const struct config *cfg,
    const char *owner_id, const char *owner_name, int64_t now,
    struct digest *out)
{
	struct digest_input in;
	struct gather g;
	struct queue_claim *claims = NULL;
	struct queue_decided *decided = NULL;
	struct queue_result q;
	struct arena a;
	size_t nc = 0, nd = 0;
	char *last = NULL, since[21], day[32];
	struct tm tm;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&a, 0, sizeof(a));
	memset(&g, 0, sizeof(g));
	memset(&q, 0, sizeof(q));
	g.a = &a;
	if (store_notify_last(st, owner_id, "digest", &last) < 0)
		return -1;
	/* since the last digest; the first looks back a day */
	if (last)
		snprintf(since, sizeof(since), "%.20s", last);
	else
		norm_time_format(now - 86400, since);
	free(last);
	if (clock_local(now, cfg->daemon.timezone, &tm) < 0)
		memset(&tm, 0, sizeof(tm));
	snprintf(day, sizeof(day), "%04d-%02d-%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday);
	if (store_digest_alerts(st, owner_id, since, alert_row, &g) < 0 ||
	    store_queue_input(st, NULL, owner_id, now -
	    (int64_t)QUEUE_TURNAROUND_DAYS * 86400, &a, &claims, &nc, &decided,
	    &nd) < 0)
		goto out;
	queue_compute(cfg, now, claims, nc, decided, nd, &q);
	memset(&in, 0, sizeof(in));
	in.owner = owner_name ? owner_name : owner_id;
	in.day = day;
	in.since = since;
	in.alerts = g.v;
	in.nalerts = g.n;
	in.queue = &q;
	in.currency = cfg->normalize.base_currency ?
	    cfg->normalize.base_currency : "USD";
	rc = digest_compose(&in, out);
out:
	queue_result_free(&q);
	free(claims);
	free(decided);
	free(g.v);
	arena_free(&a);
	return rc;
}
