/*
 * store_ctl.c - the listings chansyncctl shows.
 */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A listing with ?1 = an optional source and ?2 = a limit (0: none). */
static int
list_by_source(struct store *st, const char *sql, const char *source,
    int64_t limit, store_row_fn fn, void *ctx)
{
	sqlite3_stmt *s = sq_prep(st, sql);

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, source);
	sqlite3_bind_int64(s, 2, limit > 0 ? limit : -1);
	return sq_rows(st, s, fn, ctx);
}

int
store_list_watermarks(struct store *st, const char *source, store_row_fn fn,
    void *ctx)
{
	return list_by_source(st, "SELECT source, object, value AS watermark, "
	    "updated_at FROM watermarks WHERE ?1 IS NULL OR source = ?1 "
	    "ORDER BY source, object LIMIT ?2", source, 0, fn, ctx);
}

int
store_list_audit(struct store *st, const struct store_audit_filter *f,
    store_row_fn fn, void *ctx)
{
	/* newest N rows that match, shown oldest first */
	sqlite3_stmt *s = sq_prep(st, "SELECT * FROM (SELECT seq, ts, cycle_id, "
	    "actor, action, entity, entity_id, detail FROM audit WHERE "
	    "(?1 IS NULL OR ts >= ?1) AND (?2 IS NULL OR ts < ?2) AND "
	    "(?3 IS NULL OR action = ?3 OR (substr(?3, -1) = '.' AND "
	    " substr(action, 1, length(?3)) = ?3)) AND "
	    "(?4 IS NULL OR entity_id = ?4 OR entity = ?4) "
	    "ORDER BY seq DESC LIMIT ?5) ORDER BY seq");

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, f->since);
	sq_bind_text(s, 2, f->until);
	sq_bind_text(s, 3, f->action);
	sq_bind_text(s, 4, f->entity_id);
	sqlite3_bind_int64(s, 5, f->limit > 0 ? f->limit : -1);
	return sq_rows(st, s, fn, ctx);
}

int
store_list_cycles(struct store *st, int64_t limit, store_row_fn fn, void *ctx)
{
	sqlite3_stmt *s = sq_prep(st, "SELECT id, trigger, started_at, ended_at, "
	    "status, json_extract(detail, '$.sources_run') AS sources_run, "
	    "json_extract(detail, '$.sources_failed') AS sources_failed, "
	    "json_extract(detail, '$.records') AS records, "
	    "json_extract(detail, '$.quarantined') AS quarantined "
	    "FROM cycles ORDER BY id DESC LIMIT ?");

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, limit > 0 ? limit : -1);
	return sq_rows(st, s, fn, ctx);
}

int
store_list_sources(struct store *st, store_row_fn fn, void *ctx)
{
	sqlite3_stmt *s = sq_prep(st,
	    "SELECT cs.source AS source, cs.status AS last_status,"
	    " cs.ended_at AS last_run, cs.cycle_id AS last_cycle,"
	    " (SELECT max(ended_at) FROM cycle_sources o WHERE o.source = cs.source"
	    "   AND o.status = 'ok') AS last_success,"
	    " (SELECT error FROM cycle_sources o WHERE o.source = cs.source AND"
	    "   o.status = 'failed' ORDER BY o.cycle_id DESC LIMIT 1) AS last_error,"
	    " (SELECT max(ended_at) FROM cycle_sources o WHERE o.source = cs.source"
	    "   AND o.status = 'failed') AS last_error_at,"
	    " cs.records AS records, cs.quarantined AS quarantined,"
	    " cs.files AS files, cs.failed_files AS failed_files,"
	    " (SELECT count(*) FROM quarantine q WHERE q.source = cs.source)"
	    "   AS quarantine_total,"
	    " (SELECT value FROM watermarks w WHERE (w.source = cs.source AND"
	    "   w.object = 'updated_at') OR (w.source = 'crm' AND"
	    "   'crm/' || w.object = cs.source)) AS watermark "
	    "FROM cycle_sources cs WHERE cs.cycle_id = (SELECT max(cycle_id) "
	    " FROM cycle_sources o WHERE o.source = cs.source AND"
	    " o.status != 'skipped') ORDER BY cs.source");

	return sq_rows(st, s, fn, ctx);
}

int
store_list_quarantine(struct store *st, const char *source, int64_t limit,
    store_row_fn fn, void *ctx)
{
	return list_by_source(st, "SELECT * FROM (SELECT id, created_at, "
	    "cycle_id, source, position, record_id, field, reason, raw FROM "
	    "quarantine WHERE ?1 IS NULL OR source = ?1 ORDER BY id DESC "
	    "LIMIT ?2) ORDER BY id", source, limit, fn, ctx);
}

int
store_list_registrations(struct store *st, const char *source, int64_t limit,
    store_row_fn fn, void *ctx)
{
	return list_by_source(st, "SELECT key, partner_id, customer_name, "
	    "customer_domain, customer_country, product, amount, currency, "
	    "amount_base, status, registered_at, expires_at, updated_at, origin "
	    "FROM registrations WHERE (?1 IS NULL OR source = ?1) AND deleted = 0 "
	    "ORDER BY key LIMIT ?2", source, limit, fn, ctx);
}

int64_t
store_count(struct store *st, const char *table)
{
	static const char *const ok[] = { "partners", "opportunities",
		"registrations", "plans", "activities", "quarantine", "audit",
		"cycles", "files", "conflicts", "conflicts_open", "outbox", "alerts",
		NULL };
	sqlite3_stmt *s;
	char sql[96];
	int64_t n = -1;
	int i;

	for (i = 0; ok[i]; i++)
		if (strcmp(ok[i], table) == 0)
			break;
	if (ok[i] == NULL)
		return -1;
	if (strcmp(ok[i], "conflicts_open") == 0)
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM conflicts WHERE "
		    "status = 'open'");
	else
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", ok[i]);
	if ((s = sq_prep(st, sql)) == NULL)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	else
		sq_set_err(st, "counting");
	sqlite3_finalize(s);
	return n;
}

int
store_list_conflicts(struct store *st, const struct store_conflict_filter *f,
    store_row_fn fn, void *ctx)
{
	sqlite3_stmt *s = sq_prep(st, "SELECT c.key, c.type, c.status, c.customer, "
	    "c.customer_domain AS domain, c.customer_country AS country, "
	    "json_extract(c.evidence, '$.product_line') AS product, "
	    "(SELECT count(*) FROM conflict_members m WHERE m.conflict_key = c.key "
	    "AND m.removed_at IS NULL) AS members, (SELECT count(DISTINCT "
	    "partner_id) FROM conflict_members m WHERE m.conflict_key = c.key AND "
	    "m.removed_at IS NULL AND m.kind = 'registration') AS partners, "
	    "coalesce(c.decided_winner, c.winner) AS winner, c.opened_at, "
	    "c.resolution FROM conflicts c WHERE (?1 OR c.status = 'open') AND "
	    "(?2 IS NULL OR c.type = ?2) AND (?3 IS NULL OR EXISTS (SELECT 1 FROM "
	    "conflict_members m WHERE m.conflict_key = c.key AND m.removed_at IS "
	    "NULL AND m.partner_id = ?3)) AND (?4 IS NULL OR "
	    "lower(json_extract(c.evidence, '$.product_line')) = lower(?4)) "
	    "ORDER BY c.opened_at, c.key");

	if (s == NULL)
		return -1;
	sqlite3_bind_int(s, 1, f->all);
	sq_bind_text(s, 2, f->type);
	sq_bind_text(s, 3, f->partner_id);
	sq_bind_text(s, 4, f->product);
	return sq_rows(st, s, fn, ctx);
}

int
store_partner_named(struct store *st, const char *text, store_row_fn fn,
    void *ctx)
{
	const char *b[1] = { text };

	/* an Account Id, or a name without regard to case */
	return sq_query_rows(st, "SELECT id, name FROM partners WHERE deleted = 0 "
	    "AND (id = ?1 OR lower(name) = lower(?1)) ORDER BY id = ?1 DESC, id",
	    b, 1, fn, ctx);
}

int
store_conflict_get(struct store *st, const char *key, store_row_fn fn, void *ctx)
{
	/* its owner as its alert has it: the winning partner's, else the
	 * first claim's; a direct conflict's account owner: the deal's */
	sqlite3_stmt *s = sq_prep(st, "SELECT key, type, status, customer, "
	    "customer_domain, customer_country, policy, winner, reason, evidence, "
	    "opened_at, updated_at, resolved_at, resolution, crm_status, "
	    "decided_winner, decision, (SELECT p.owner_id FROM partners p WHERE "
	    "p.id = coalesce((SELECT m.partner_id FROM conflict_members m WHERE "
	    "m.conflict_key = c.key AND m.removed_at IS NULL AND m.member = "
	    "coalesce(c.decided_winner, c.winner)), (SELECT m.partner_id FROM "
	    "conflict_members m WHERE m.conflict_key = c.key AND m.removed_at IS "
	    "NULL AND m.kind = 'registration' AND m.partner_id IS NOT NULL ORDER "
	    "BY m.added_at, m.member LIMIT 1))) AS owner_id, (SELECT o.owner_id FROM conflict_members m "
	    "JOIN opportunities o ON o.id = substr(m.member, 13) WHERE "
	    "m.conflict_key = c.key AND m.removed_at IS NULL AND m.kind = "
	    "'opportunity' AND o.owner_id IS NOT NULL ORDER BY m.member LIMIT 1) "
	    "AS account_owner_id FROM conflicts c WHERE key = ?1");

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, key);
	return sq_rows(st, s, fn, ctx);
}

int
store_user_get(struct store *st, const char *id, store_row_fn fn, void *ctx)
{
	const char *b[1] = { id };

	return sq_query_rows(st, "SELECT id, name, email, is_active FROM users "
	    "WHERE id = ?1", b, 1, fn, ctx);
}

int
store_partner_periods(struct store *st, const char *partner_id,
    const char *period, store_row_fn fn, void *ctx)
{
	const char *b[2] = { partner_id, period };

	return sq_query_rows(st, "SELECT p.partner_id, a.name, p.period, "
	    "p.score, p.tier, p.closed_won, p.pipeline, p.risk_adjusted, "
	    "p.plan_target, p.coverage, p.risk_coverage, p.attainment, p.kpis, "
	    "p.computed_at FROM partner_periods p LEFT JOIN partners a ON "
	    "a.id = p.partner_id WHERE (?1 IS NULL OR p.partner_id = ?1) AND "
	    "(?2 IS NULL OR p.period = ?2) ORDER BY p.period, p.score IS NULL, "
	    "round(p.score, 1) DESC, p.attainment IS NULL, p.attainment DESC, "
	    "p.closed_won DESC, a.name, p.partner_id", b, 2, fn, ctx);
}

/* The open conflicts a partner has a claim in. */
int
store_partner_conflicts(struct store *st, const char *partner_id,
    store_row_fn fn, void *ctx)
{
	const char *b[1] = { partner_id };

	return sq_query_rows(st, "SELECT c.key, c.type, c.customer, c.winner, "
	    "(SELECT group_concat(member, ' ') FROM conflict_members m WHERE "
	    "m.conflict_key = c.key AND m.removed_at IS NULL AND m.partner_id = "
	    "?1) AS claims, (SELECT group_concat(coalesce(p.name, m.partner_id), "
	    "', ') FROM (SELECT DISTINCT partner_id FROM conflict_members WHERE "
	    "conflict_key = c.key AND removed_at IS NULL AND partner_id <> ?1) m "
	    "LEFT JOIN partners p ON p.id = m.partner_id) AS others, c.opened_at "
	    "FROM conflicts c WHERE c.status = 'open' "
	    "AND EXISTS (SELECT 1 FROM conflict_members m WHERE m.conflict_key = "
	    "c.key AND m.removed_at IS NULL AND m.partner_id = ?1) ORDER BY c.key",
	    b, 1, fn, ctx);
}

int
store_list_alerts(struct store *st, const struct store_alert_filter *f,
    store_row_fn fn, void *ctx)
{
	/* an owner by id, name or e-mail; a direct conflict's account owner
	 * has it too */
	const char *b[5] = { f->all ? "1" : "0", f->type, f->partner_id,
		f->severity, f->owner };

	return sq_query_rows(st, "SELECT a.severity, a.key, a.status, "
	    "coalesce(p.name, a.partner_id) AS partner, coalesce(u.name, "
	    "a.owner_id) AS owner, a.message, a.first_seen, a.resolved_at, "
	    "a.partner_id, a.owner_id, a.account_owner_id, a.type FROM alerts a "
	    "LEFT JOIN partners p ON p.id = a.partner_id LEFT JOIN users u ON "
	    "u.id = a.owner_id WHERE (?1 = '1' OR a.status = 'open') AND (?2 IS "
	    "NULL OR a.type = ?2) AND (?3 IS NULL OR a.partner_id = ?3) AND (?4 "
	    "IS NULL OR a.severity = ?4) AND (?5 IS NULL OR EXISTS (SELECT 1 FROM "
	    "users o WHERE o.id IN (a.owner_id, a.account_owner_id) AND (o.id = "
	    "?5 OR lower(o.name) = lower(?5) OR lower(o.email) = lower(?5))) OR "
	    "a.owner_id = ?5 OR a.account_owner_id = ?5) ORDER BY a.status, "
	    "CASE a.severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 "
	    "END, a.first_seen, a.key", b, 5, fn, ctx);
}

int
store_conflict_members(struct store *st, const char *key, store_row_fn fn,
    void *ctx)
{
	/* each member's owner: a claim's partner's, an opportunity's own */
	sqlite3_stmt *s = sq_prep(st, "SELECT m.conflict_key, m.member, m.kind, "
	    "m.partner_id, m.added_at, m.removed_at, (SELECT coalesce(u.name, "
	    "x.owner_id) FROM (SELECT CASE WHEN m.kind = 'opportunity' THEN "
	    "(SELECT owner_id FROM opportunities WHERE id = substr(m.member, 13)) "
	    "ELSE (SELECT owner_id FROM partners WHERE id = m.partner_id) END AS "
	    "owner_id) x LEFT JOIN users u ON u.id = x.owner_id) AS owner FROM "
	    "conflict_members m WHERE ?1 IS NULL OR m.conflict_key = ?1 ORDER BY "
	    "m.conflict_key, m.added_at, m.member");

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, key);
	return sq_rows(st, s, fn, ctx);
}

/* ---- reports (contract §16) ---- */

int
store_report_registrations(struct store *st, const char *partner_id,
    const char *since, store_row_fn fn, void *ctx)
{
	const char *b[2] = { partner_id, since };

	return sq_query_rows(st, "SELECT key, source, customer_name, product, "
	    "status, registered_at, decided_at, expires_at, amount_base FROM "
	    "registrations WHERE deleted = 0 AND partner_id = ?1 AND "
	    "registered_at >= ?2 ORDER BY registered_at DESC, key", b, 2, fn, ctx);
}

int
store_report_activities(struct store *st, const char *partner_id,
    const char *kind, store_row_fn fn, void *ctx)
{
	const char *b[2] = { partner_id, kind };

	return sq_query_rows(st, "SELECT external_id, kind, occurred_at, value, "
	    "status FROM activities WHERE deleted = 0 AND partner_id = ?1 AND "
	    "kind = ?2 ORDER BY occurred_at DESC, key", b, 2, fn, ctx);
}
