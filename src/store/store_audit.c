/*
 * store_audit.c - the audit table's rows (audit.c computes the chain).
 */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- audit ---- */

int
store_audit_head(struct store *st, int64_t *ret_seq, unsigned char ret_hash[32])
{
	sqlite3_stmt *s = sq_prep(st, "SELECT seq, hash FROM audit ORDER BY seq "
	    "DESC LIMIT 1");
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const void *h = sqlite3_column_blob(s, 1);

		*ret_seq = sqlite3_column_int64(s, 0);
		if (h && sqlite3_column_bytes(s, 1) == 32)
			memcpy(ret_hash, h, 32);
		else
			memset(ret_hash, 0, 32);
		rc = 1;
	} else if (rc == SQLITE_DONE)
		rc = 0;
	else {
		sq_set_err(st, "reading the audit head");
		rc = -1;
	}
	sqlite3_finalize(s);
	return rc;
}

int
store_audit_insert(struct store *st, const struct store_audit_row *row)
{
	sqlite3_stmt *s = st->audit_insert;

	if (s == NULL) {
		s = st->audit_insert = sq_prep(st, "INSERT INTO audit(seq, ts, "
		    "cycle_id, actor, action, entity, entity_id, detail, alg, "
		    "prev_hash, hash) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
		if (s == NULL)
			return -1;
	}
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, row->seq);
	sq_bind_text(s, 2, row->ts);
	sq_bind_id(s, 3, row->cycle_id);
	sq_bind_text(s, 4, row->actor);
	sq_bind_text(s, 5, row->action);
	sq_bind_text(s, 6, row->entity);
	sq_bind_text(s, 7, row->entity_id);
	sq_bind_text(s, 8, row->detail);
	sq_bind_text(s, 9, row->alg);
	sqlite3_bind_blob(s, 10, row->prev_hash, 32, SQLITE_TRANSIENT);
	sqlite3_bind_blob(s, 11, row->hash, 32, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sq_set_err(st, "appending to the audit log");
		sqlite3_reset(s);
		return -1;
	}
	sqlite3_reset(s);
	return 0;
}

int
store_audit_scan(struct store *st, int64_t from,
    int (*fn)(void *ctx, const struct store_audit_row *row), void *ctx)
{
	sqlite3_stmt *s = sq_prep(st, "SELECT seq, ts, cycle_id, actor, action, "
	    "entity, entity_id, detail, alg, prev_hash, hash FROM audit "
	    "WHERE seq >= ? ORDER BY seq");
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, from);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_audit_row row;
		const void *p;

		memset(&row, 0, sizeof(row));
		row.seq = sqlite3_column_int64(s, 0);
		row.ts = sq_col_text(s, 1);
		row.cycle_id = sqlite3_column_int64(s, 2);
		row.actor = sq_col_text(s, 3);
		row.action = sq_col_text(s, 4);
		row.entity = sq_col_text(s, 5);
		row.entity_id = sq_col_text(s, 6);
		row.detail = sq_col_text(s, 7);
		row.alg = sq_col_text(s, 8);
		if ((p = sqlite3_column_blob(s, 9)) && sqlite3_column_bytes(s, 9) == 32)
			memcpy(row.prev_hash, p, 32);
		if ((p = sqlite3_column_blob(s, 10)) && sqlite3_column_bytes(s, 10) == 32)
			memcpy(row.hash, p, 32);
		if (fn(ctx, &row))
			break;
	}
	return sq_read_end(st, s, rc, "reading the audit log");
}

int64_t
store_audit_count(struct store *st)
{
	return store_count(st, "audit");
}
