/*
 * store_decisions.c - operators' decisions on conflicts (contract §7):
 * a decision row, the conflict it settles, and its withdrawal.
 */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
store_conflict_brief(struct store *st, const char *key, store_row_fn fn,
    void *ctx)
{
	const char *b[1] = { key };

	return sq_query_rows(st, "SELECT key, type, status, winner, "
	    "decided_winner, decision, updated_at, "
	    "(SELECT group_concat(member, ' ') FROM (SELECT member FROM "
	    "conflict_members WHERE conflict_key = ?1 AND removed_at IS NULL "
	    "ORDER BY member)) AS members FROM conflicts WHERE key = ?1", b, 1,
	    fn, ctx);
}

int64_t
store_decision_put(struct store *st, const char *key, const char *winner,
    const char *reason, const char *operator, const char *members,
    const char *now)
{
	sqlite3_stmt *s = sq_prep(st, "INSERT INTO conflict_decisions("
	    "conflict_key, winner, reason, operator, members, decided_at) "
	    "VALUES(?1, ?2, ?3, ?4, ?5, ?6)");

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, key);
	sq_bind_text(s, 2, winner);
	sq_bind_text(s, 3, reason);
	sq_bind_text(s, 4, operator);
	sq_bind_text(s, 5, members);
	sq_bind_text(s, 6, now);
	if (sq_run(st, s, "storing a decision") < 0)
		return -1;
	return sqlite3_last_insert_rowid(st->db);
}

int
store_decision_withdraw(struct store *st, const char *key, const char *by,
    const char *why, const char *now)
{
	sqlite3_stmt *s = sq_prep(st, "UPDATE conflict_decisions SET "
	    "withdrawn_at = ?2, withdrawn_by = ?3, withdrawn_why = ?4 WHERE "
	    "conflict_key = ?1 AND withdrawn_at IS NULL");

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, key);
	sq_bind_text(s, 2, now);
	sq_bind_text(s, 3, by);
	sq_bind_text(s, 4, why);
	if (sq_run(st, s, "withdrawing a decision") < 0)
		return -1;
	return sqlite3_changes(st->db);
}

int
store_conflict_settle(struct store *st, const char *key, const char *status,
    const char *winner, const char *reason, const char *now)
{
	/* the engine's own recommendation (winner, reason) stays beside
	 * the decision, for when it is withdrawn */
	sqlite3_stmt *s = sq_prep(st, "UPDATE conflicts SET status = ?2, "
	    "decided_winner = ?3, decision = ?4, updated_at = ?5, "
	    "resolved_at = CASE WHEN ?2 = 'decided' THEN ?5 END, "
	    "resolution = CASE WHEN ?2 = 'decided' THEN 'decided: ' || ?4 END, "
	    /* the CRM's record said Resolved for the decision: reopened,
	     * that word is old, as when a new claim reopens it */
	    "crm_status = CASE WHEN ?2 = 'open' THEN NULL ELSE crm_status END "
	    "WHERE key = ?1");

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, key);
	sq_bind_text(s, 2, status);
	sq_bind_text(s, 3, winner);
	sq_bind_text(s, 4, reason);
	sq_bind_text(s, 5, now);
	return sq_run(st, s, "settling a conflict");
}

int
store_conflict_decisions(struct store *st, const char *key, store_row_fn fn,
    void *ctx)
{
	const char *b[1] = { key };

	return sq_query_rows(st, "SELECT id, winner, reason, operator, members, "
	    "decided_at, withdrawn_at, withdrawn_by, withdrawn_why FROM "
	    "conflict_decisions WHERE conflict_key = ?1 ORDER BY id", b, 1, fn,
	    ctx);
}

int
store_decisions_all(struct store *st, store_row_fn fn, void *ctx)
{
	return sq_query_rows(st, "SELECT id, conflict_key, winner, reason, "
	    "operator, members, decided_at FROM conflict_decisions ORDER BY id",
	    NULL, 0, fn, ctx);
}

int
store_decision_exported(struct store *st, const char *source, store_row_fn fn,
    void *ctx)
{
	const char *b[1] = { source };

	return sq_query_rows(st, "SELECT decision_id, member FROM "
	    "decision_exports WHERE source = ?1", b, 1, fn, ctx);
}

int
store_decision_export_put(struct store *st, int64_t decision_id,
    const char *member, const char *source, const char *now)
{
	sqlite3_stmt *s = sq_prep(st, "INSERT OR IGNORE INTO decision_exports("
	    "decision_id, member, source, exported_at) VALUES(?1, ?2, ?3, ?4)");

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, decision_id);
	sq_bind_text(s, 2, member);
	sq_bind_text(s, 3, source);
	sq_bind_text(s, 4, now);
	return sq_run(st, s, "keeping a decision's export");
}
