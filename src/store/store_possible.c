/*
 * store_possible.c - possible matches (contract §7): two customer names
 * alike below the threshold, kept for an operator to confirm or reject.
 */
#include "store/store.h"
#include "store_internal.h"
#include "lib/mem.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

int
store_possible_put(struct store *st, const struct store_possible *p,
    const char *now)
{
	/* met again: its figures and when; a decided pair keeps its word */
	sqlite3_stmt *s = sq_prep(st, "INSERT INTO possible_matches(key, pair, "
	    "name_key_a, name_key_b, name_a, name_b, claim_a, claim_b, score, "
	    "measure, why, first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, "
	    "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12) ON CONFLICT(key) DO UPDATE SET "
	    "name_a = excluded.name_a, name_b = excluded.name_b, claim_a = "
	    "excluded.claim_a, claim_b = excluded.claim_b, score = "
	    "excluded.score, measure = excluded.measure, why = excluded.why, "
	    "last_seen = excluded.last_seen");

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, p->key);
	sq_bind_text(s, 2, p->pair);
	sq_bind_text(s, 3, p->name_key_a);
	sq_bind_text(s, 4, p->name_key_b);
	sq_bind_text(s, 5, p->name_a);
	sq_bind_text(s, 6, p->name_b);
	sq_bind_text(s, 7, p->claim_a);
	sq_bind_text(s, 8, p->claim_b);
	sqlite3_bind_double(s, 9, p->score);
	sq_bind_text(s, 10, p->measure);
	sq_bind_text(s, 11, p->why);
	sq_bind_text(s, 12, now);
	return sq_run(st, s, "storing a possible match");
}

int
store_possible_pairs(struct store *st, const char *status, struct arena *a,
    char ***ret, size_t *n)
{
	sqlite3_stmt *s = sq_prep(st, "SELECT pair FROM possible_matches WHERE "
	    "status = ?1 ORDER BY pair");
	size_t cap = 0;
	int rc;

	*ret = NULL;
	*n = 0;
	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, status);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *v = sq_col_text(s, 0);

		xgrow(ret, &cap, *n + 1, sizeof(char *));
		(*ret)[(*n)++] = arena_strdup(a, v ? v : "");
	}
	if (sq_read_end(st, s, rc, "reading decided pairs") < 0) {
		free(*ret);
		*ret = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int
store_possible_list(struct store *st, int all, const char *key,
    store_row_fn fn, void *ctx)
{
	const char *b[2] = { all ? "1" : "0", key };

	return sq_query_rows(st, "SELECT key, status, round(score, 3) AS score, "
	    "measure, name_a, name_b, claim_a, claim_b, why, first_seen, "
	    "last_seen, decided_by, decided_at, reason FROM possible_matches "
	    "WHERE (?1 = '1' OR status = 'open') AND (?2 IS NULL OR key = ?2) "
	    "ORDER BY status = 'open' DESC, score DESC, key", b, 2, fn, ctx);
}

int
store_possible_decide(struct store *st, const char *key, const char *status,
    const char *who, const char *reason, const char *now)
{
	sqlite3_stmt *s = sq_prep(st, "UPDATE possible_matches SET status = ?2, "
	    "decided_by = ?3, reason = ?4, decided_at = ?5 WHERE key = ?1 AND "
	    "status <> ?2");

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, key);
	sq_bind_text(s, 2, status);
	sq_bind_text(s, 3, who);
	sq_bind_text(s, 4, reason);
	sq_bind_text(s, 5, now);
	if (sq_run(st, s, "deciding a possible match") < 0)
		return -1;
	return sqlite3_changes(st->db);
}
