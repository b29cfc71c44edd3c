/*
 * store_writeback.c - what the write-back reads and keeps: the records
 * to send, the CRM's acknowledgements, the outbox.
 */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
store_crm_partner_ids(struct store *st, store_row_fn fn, void *ctx)
{
	return sq_query_rows(st, "SELECT id FROM partners WHERE source = 'crm' AND "
	    "deleted = 0", NULL, 0, fn, ctx);
}

/* The scorecards of period for partners the CRM has (and has not deleted):
 * the only ones whose Account can be written. */
int
store_writeback_partners(struct store *st, const char *period,
    store_row_fn fn, void *ctx)
{
	const char *b[1] = { period };

	return sq_query_rows(st, "SELECT p.partner_id, p.score, p.tier, "
	    "p.coverage, p.risk_coverage, p.attainment, p.computed_at FROM "
	    "partner_periods p JOIN partners a ON a.id = p.partner_id WHERE "
	    "p.period = ?1 AND a.source = 'crm' AND a.deleted = 0 ORDER BY "
	    "p.partner_id", b, 1, fn, ctx);
}

int
store_list_alert_rows(struct store *st, store_row_fn fn, void *ctx)
{
	/* the owner only when the CRM has them active: Salesforce refuses
	 * an inactive owner (INACTIVE_OWNER_OR_USER) */
	return sq_query_rows(st, "SELECT key, type, partner_id, subject, period, "
	    "severity, message, evidence, first_seen, last_seen, status, "
	    "(SELECT u.id FROM users u WHERE u.id = a.owner_id AND u.is_active = "
	    "1) AS crm_owner FROM alerts a ORDER BY key", NULL, 0, fn, ctx);
}

int
store_ack_get(struct store *st, const char *object, const char *record,
    store_row_fn fn, void *ctx)
{
	const char *b[2] = { object, record };

	return sq_query_rows(st, "SELECT field, value FROM crm_acks WHERE object = ?1 "
	    "AND record = ?2", b, 2, fn, ctx);
}

int
store_acks(struct store *st, const char *object, store_row_fn fn, void *ctx)
{
	const char *b[1] = { object };

	return sq_query_rows(st, "SELECT record, field, value FROM crm_acks WHERE "
	    "object = ?1 ORDER BY record", b, 1, fn, ctx);
}

int
store_ack_put(struct store *st, const char *object, const char *record,
    const char *field, const char *value, const char *now)
{
	sqlite3_stmt *s = sq_cached(st, STMT_ACK_PUT, "INSERT INTO crm_acks(object, "
	    "record, field, value, acked_at) VALUES(?1, ?2, ?3, ?4, ?5) ON "
	    "CONFLICT(object, record, field) DO UPDATE SET value = ?4, "
	    "acked_at = ?5");

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, object);
	sq_bind_text(s, 2, record);
	sq_bind_text(s, 3, field);
	sq_bind_text(s, 4, value);
	sq_bind_text(s, 5, now);
	return sq_run_cached(st, s, "storing an acknowledgement");
}

int
store_outbox_put(struct store *st, const char *object, const char *record,
    const char *fields, const char *now)
{
	sqlite3_stmt *s = sq_cached(st, STMT_OUTBOX_PUT, "INSERT INTO outbox(object, "
	    "record, fields, created_at) VALUES(?1, ?2, ?3, ?4) ON "
	    "CONFLICT(object, record) DO UPDATE SET fields = ?3");

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, object);
	sq_bind_text(s, 2, record);
	sq_bind_text(s, 3, fields);
	sq_bind_text(s, 4, now);
	return sq_run_cached(st, s, "queueing a write");
}

int
store_outbox(struct store *st, store_row_fn fn, void *ctx)
{
	return sq_query_rows(st, "SELECT id, object, record, fields, attempts, "
	    "last_error FROM outbox ORDER BY object, id", NULL, 0, fn, ctx);
}

int
store_outbox_done(struct store *st, int64_t id, const char *error)
{
	sqlite3_stmt *s = sq_prep(st, error ? "UPDATE outbox SET attempts = "
	    "attempts + 1, last_error = ?2 WHERE id = ?1" :
	    "DELETE FROM outbox WHERE id = ?1");

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	if (error)
		sq_bind_text(s, 2, error);
	return sq_run(st, s, "updating the outbox");
}

int
store_conflict_rows(struct store *st, store_row_fn fn, void *ctx)
{
	/* a decided conflict goes out with the operator's winner and words;
	 * the winner's partner comes from the members in the evidence */
	/* its owner: the winning partner's owner, else the first claim's
	 * partner's, as its alert has it; only an active CRM user */
	return sq_query_rows(st, "SELECT key, type, status, customer, winner, "
	    "reason, evidence, winner_partner, (SELECT u.id FROM users u JOIN "
	    "partners p ON p.owner_id = u.id WHERE u.is_active = 1 AND p.id = "
	    "coalesce(winner_partner, (SELECT m.partner_id FROM conflict_members m "
	    "WHERE m.conflict_key = x.key AND m.removed_at IS NULL AND m.kind = "
	    "'registration' AND m.partner_id IS NOT NULL ORDER BY m.added_at, "
	    "m.member LIMIT 1))) AS crm_owner FROM (SELECT key, type, status, "
	    "customer, coalesce(decided_winner, winner) AS winner, CASE WHEN "
	    "decision IS NULL THEN reason ELSE 'decided: ' || decision END AS "
	    "reason, evidence, (SELECT json_extract(m.value, '$.partner_id') FROM "
	    "json_each(evidence, '$.members') m WHERE json_extract(m.value, "
	    "'$.key') = coalesce(decided_winner, winner)) AS winner_partner "
	    "FROM conflicts) x ORDER BY key", NULL, 0, fn, ctx);
}

int64_t
store_outbox_failures(struct store *st)
{
	sqlite3_stmt *s = sq_prep(st, "SELECT count(*) FROM outbox WHERE "
	    "last_error IS NOT NULL");
	int64_t n = -1;

	if (s == NULL)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}
