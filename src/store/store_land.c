/*
 * store_land.c - what the sources land: canonical records (upserted
 * many to a statement), deletions, stages, watermarks, quarantine rows,
 * the file-drop ledger and the cycles' bookkeeping.
 */
#include "store_internal.h"
#include "lib/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- canonical records ---- */

static int
money_field(const struct entity_def *def)
{
	size_t i;

	for (i = 0; i < def->nfields; i++)
		if (def->fields[i].type == FT_MONEY)
			return (int)i;
	return -1;
}

/* Whether the table has a separate "key" column (not one of the fields). */
static int
has_key_column(enum entity_kind k)
{
	return k == ENTITY_REGISTRATIONS || k == ENTITY_ACTIVITIES;
}


/*
 * The upsert of one record, or of UPSERT_ROWS records at once: a statement
 * per row costs opening and closing its cursors and halting, as much as
 * the row's own insert; many rows a statement share that (instructions
 * per sync, against 16 rows: 32 -2%, 64 -3%, 128 -3.7%). SQLite takes
 * the rows of one VALUES list in order, so a key twice in one statement
 * updates as it would in two.
 */
#define UPSERT_INSERT 2	/* upsert_stmt: UPSERT_ROWS rows, OR IGNORE */
#define UPSERT_ROWS 64

static sqlite3_stmt *
upsert_stmt(struct store *st, enum entity_kind kind, int many)
{
	const struct entity_def *def = entity_def(kind);
	struct buf sql, vals, set;
	size_t i;
	int m, has_updated, row;
	const char *conflict;
	sqlite3_stmt **slot = many == UPSERT_INSERT ? &st->insert_many[kind] :
	    many ? &st->upsert_many[kind] : &st->upsert[kind];

	if (*slot)
		return *slot;
	m = money_field(def);
	has_updated = entity_field_index(kind, "updated_at") >= 0;
	buf_init(&sql, 0);
	buf_init(&vals, 0);
	buf_init(&set, 0);
	buf_addf(&sql, "INSERT %sINTO %s(", many == UPSERT_INSERT ? "OR IGNORE " :
	    "", def->name);
	if (has_key_column(kind)) {
		buf_addstr(&sql, "key, ");
		buf_addstr(&vals, "?, ");
	}
	buf_addstr(&sql, "source");
	buf_addstr(&vals, "?");
	buf_addstr(&set, "source = excluded.source");
	for (i = 0; i < def->nfields; i++) {
		buf_addf(&sql, ", %s", def->fields[i].name);
		buf_addstr(&vals, ", ?");
		buf_addf(&set, ", %s = excluded.%s", def->fields[i].name,
		    def->fields[i].name);
	}
	if (m >= 0) {
		buf_addf(&sql, ", %s_base", def->fields[m].name);
		buf_addstr(&vals, ", ?");
		buf_addf(&set, ", %s_base = excluded.%s_base", def->fields[m].name,
		    def->fields[m].name);
	}
	buf_addstr(&sql, ", origin, synced_at");
	buf_addstr(&vals, ", ?, ?");
	buf_addstr(&set, ", origin = excluded.origin, synced_at = excluded.synced_at");
	conflict = has_key_column(kind) ? "key" :
	    kind == ENTITY_PLANS ? "partner_id, period" : "id";
	buf_addstr(&sql, ") VALUES");
	for (row = 0; row < (many ? UPSERT_ROWS : 1); row++)
		buf_addf(&sql, "%s(%s)", row ? ", " : "", buf_str(&vals));
	if (many != UPSERT_INSERT)
		buf_addf(&sql, " ON CONFLICT(%s) DO UPDATE SET %s", conflict,
		    buf_str(&set));
	if (many != UPSERT_INSERT && has_updated)
		buf_addf(&sql, " WHERE excluded.updated_at IS NULL OR "
		    "%s.updated_at IS NULL OR excluded.updated_at >= %s.updated_at",
		    def->name, def->name);
	*slot = sq_prep(st, buf_str(&sql));
	buf_free(&sql);
	buf_free(&vals);
	buf_free(&set);
	return *slot;
}

/*
 * Binds r from parameter col on; returns the next. The record outlives
 * the step: its strings are bound, not copied. Every parameter of the
 * row is bound, so none is left from the row before.
 */
static int
bind_record(sqlite3_stmt *s, int col, const struct record *r, const char *now)
{
	const struct entity_def *def = entity_def(r->kind);
	int m = money_field(def);
	size_t i;

	if (has_key_column(r->kind))
		sq_bind_static(s, col++, r->key);
	sq_bind_static(s, col++, r->source);
	for (i = 0; i < def->nfields; i++, col++) {
		const char *v = r->val[i];

		switch (def->fields[i].type) {
		case FT_MONEY:
		case FT_NUMBER:
		case FT_PERCENT:
			if (v)
				sqlite3_bind_double(s, col, r->num[i]);
			else
				sqlite3_bind_null(s, col);
			break;
		case FT_BOOL:
			if (v)
				sqlite3_bind_int(s, col, r->num[i] != 0);
			else if (strcmp(def->fields[i].name, "deleted") == 0)
				sqlite3_bind_int(s, col, 0);
			else
				sqlite3_bind_null(s, col);
			break;
		default:
			sq_bind_static(s, col, v);
		}
	}
	if (m >= 0) {
		if (r->has_amount_base)
			sqlite3_bind_double(s, col, r->amount_base);
		else
			sqlite3_bind_null(s, col);
		col++;
	}
	sq_bind_static(s, col++, r->origin);
	sq_bind_static(s, col++, now);
	return col;
}

int
store_upsert(struct store *st, const struct record *r, const char *now)
{
	sqlite3_stmt *s = upsert_stmt(st, r->kind, 0);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_reset(s);
	bind_record(s, 1, r, now);
	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE) {
		sq_set_err(st, "storing a record");
		sqlite3_reset(s);
		return -1;
	}
	rc = sqlite3_changes(st->db) > 0;
	sqlite3_reset(s);
	return rc;
}

/* Runs s, an UPSERT_ROWS statement, for r[0..UPSERT_ROWS). */
static int
store_rows(struct store *st, sqlite3_stmt *s, const struct record *const *r,
    const char *now)
{
	int k, col;

	if (s == NULL)
		return -1;
	for (k = 0, col = 1; k < UPSERT_ROWS; k++)
		col = bind_record(s, col, r[k], now);
	return sq_run_cached(st, s, "storing records");
}

int
store_upsert_many(struct store *st, const struct record *const *r, size_t n,
    const char *now)
{
	size_t i = 0;
	int k;

	while (i < n) {
		/* a full statement's worth of one kind, else one row */
		for (k = 1; k < UPSERT_ROWS && i + (size_t)k < n &&
		    r[i + (size_t)k]->kind == r[i]->kind; k++)
			;
		if (k < UPSERT_ROWS) {
			if (store_upsert(st, r[i], now) < 0)
				return -1;
			i++;
			continue;
		}
		/*
		 * Loading into an empty table, the rows are new: INSERT OR
		 * IGNORE stores them without the statement journal an upsert
		 * keeps to undo its earlier rows if a later one fails (a copy
		 * of every page it changes: a fifth of SQLite's time here).
		 * A row it left out (its key already there, or a constraint)
		 * makes the upsert store them all again, which settles each
		 * row as it always does.
		 */
		if (st->bulk[r[i]->kind]) {
			if (store_rows(st, upsert_stmt(st, r[i]->kind, UPSERT_INSERT),
			    r + i, now) < 0)
				return -1;
			if (sqlite3_changes(st->db) == UPSERT_ROWS) {
				i += UPSERT_ROWS;
				continue;
			}
		}
		if (store_rows(st, upsert_stmt(st, r[i]->kind, 1), r + i, now) < 0)
			return -1;
		i += UPSERT_ROWS;
	}
	return 0;
}

int
store_mark_deleted(struct store *st, enum entity_kind kind, const char *key,
    const char *now)
{
	const struct entity_def *def = entity_def(kind);
	sqlite3_stmt *s;
	char sql[160];

	snprintf(sql, sizeof(sql), "UPDATE %s SET deleted = 1, synced_at = ? WHERE "
	    "%s = ? AND deleted = 0", def->name, has_key_column(kind) ? "key" :
	    def->fields[def->key_field].name);
	if ((s = sq_prep(st, sql)) == NULL)
		return -1;
	sq_bind_text(s, 1, now);
	sq_bind_text(s, 2, key);
	if (sq_run(st, s, "marking a record deleted") < 0)
		return -1;
	return sqlite3_changes(st->db);
}

int
store_stage_upsert(struct store *st, const struct store_stage *sg, const char *now)
{
	sqlite3_stmt *s = sq_prep(st, "INSERT INTO stages(name, label, probability, "
	    "is_closed, is_won, forecast_category, synced_at) VALUES(?, ?, ?, ?, ?, "
	    "?, ?) ON CONFLICT(name) DO UPDATE SET label = excluded.label, "
	    "probability = excluded.probability, is_closed = excluded.is_closed, "
	    "is_won = excluded.is_won, forecast_category = excluded.forecast_category, "
	    "synced_at = excluded.synced_at");

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, sg->name);
	sq_bind_text(s, 2, sg->label);
	if (sg->has_probability)
		sqlite3_bind_double(s, 3, sg->probability);
	else
		sqlite3_bind_null(s, 3);
	sqlite3_bind_int(s, 4, sg->is_closed);
	sqlite3_bind_int(s, 5, sg->is_won);
	sq_bind_text(s, 6, sg->forecast_category);
	sq_bind_text(s, 7, now);
	return sq_run(st, s, "storing a stage");
}

int
store_watermark_delete(struct store *st, const char *source, const char *object)
{
	sqlite3_stmt *s = sq_prep(st, "DELETE FROM watermarks WHERE source = ? AND "
	    "object = ?");

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, source);
	sq_bind_text(s, 2, object);
	return sq_run(st, s, "resetting a watermark");
}

/* ---- quarantine, files, cycles, watermarks ---- */

int
store_quarantine_add(struct store *st, const struct store_quarantine *q,
    const char *now)
{
	sqlite3_stmt *s = sq_prep(st, "INSERT INTO quarantine(cycle_id, source, "
	    "position, record_id, field, reason, raw, created_at) "
	    "VALUES(?, ?, ?, ?, ?, ?, ?, ?)");

	if (s == NULL)
		return -1;
	sq_bind_id(s, 1, q->cycle_id);
	sq_bind_text(s, 2, q->source);
	sq_bind_text(s, 3, q->position);
	sq_bind_text(s, 4, q->record_id);
	sq_bind_text(s, 5, q->field);
	sq_bind_text(s, 6, q->reason);
	sq_bind_text(s, 7, q->raw);
	sq_bind_text(s, 8, now);
	return sq_run(st, s, "storing a quarantined record");
}

int
store_file_find(struct store *st, const struct store_file *f,
    char **ret_status, char **ret_moved_to, char **ret_reason)
{
	sqlite3_stmt *s = sq_prep(st, "SELECT status, moved_to, reason FROM files "
	    "WHERE source = ? AND name = ? AND sha256 = ? AND ino = ? AND "
	    "mtime_ns = ? AND dev = ?");
	int rc;

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, f->source);
	sq_bind_text(s, 2, f->name);
	sq_bind_text(s, 3, f->sha256);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)f->ino);
	sqlite3_bind_int64(s, 5, f->mtime_ns);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)f->dev);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*ret_status = sq_dup_col(s, 0);
		*ret_moved_to = sq_dup_col(s, 1);
		*ret_reason = sq_dup_col(s, 2);
		rc = 1;
	} else if (rc == SQLITE_DONE)
		rc = 0;
	else {
		sq_set_err(st, "reading the file ledger");
		rc = -1;
	}
	sqlite3_finalize(s);
	return rc;
}

int
store_file_add(struct store *st, const struct store_file *f, const char *now)
{
	sqlite3_stmt *s = sq_prep(st, "INSERT OR REPLACE INTO files(source, name, "
	    "dev, ino, mtime_ns, size, sha256, status, moved_to, cycle_id, "
	    "records, quarantined, reason, ingested_at) "
	    "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, f->source);
	sq_bind_text(s, 2, f->name);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)f->dev);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)f->ino);
	sqlite3_bind_int64(s, 5, f->mtime_ns);
	sqlite3_bind_int64(s, 6, f->size);
	sq_bind_text(s, 7, f->sha256);
	sq_bind_text(s, 8, f->status);
	sq_bind_text(s, 9, f->moved_to);
	sq_bind_id(s, 10, f->cycle_id);
	sqlite3_bind_int64(s, 11, f->records);
	sqlite3_bind_int64(s, 12, f->quarantined);
	sq_bind_text(s, 13, f->reason);
	sq_bind_text(s, 14, now);
	return sq_run(st, s, "recording an ingested file");
}

int
store_cycle_begin(struct store *st, const char *trigger, const char *now,
    int64_t *ret_id)
{
	sqlite3_stmt *s = sq_prep(st, "INSERT INTO cycles(trigger, started_at, "
	    "status) VALUES(?, ?, 'running')");

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, trigger);
	sq_bind_text(s, 2, now);
	if (sq_run(st, s, "recording a cycle") < 0)
		return -1;
	*ret_id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int
store_cycle_end(struct store *st, int64_t id, const char *status,
    const char *detail_json, const char *now)
{
	sqlite3_stmt *s = sq_prep(st, "UPDATE cycles SET status = ?, detail = ?, "
	    "ended_at = ? WHERE id = ?");

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, status);
	sq_bind_text(s, 2, detail_json);
	sq_bind_text(s, 3, now);
	sqlite3_bind_int64(s, 4, id);
	return sq_run(st, s, "closing a cycle");
}

int
store_cycles_interrupted(struct store *st, const char *now)
{
	sqlite3_stmt *s = sq_prep(st, "UPDATE cycles SET status = 'interrupted', "
	    "ended_at = ? WHERE status = 'running'");

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, now);
	if (sq_run(st, s, "closing interrupted cycles") < 0)
		return -1;
	return sqlite3_changes(st->db);
}

int
store_cycle_source(struct store *st, const struct store_cycle_source *cs)
{
	sqlite3_stmt *s = sq_prep(st, "INSERT OR REPLACE INTO cycle_sources("
	    "cycle_id, source, status, started_at, ended_at, records, "
	    "quarantined, files, failed_files, error) "
	    "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, cs->cycle_id);
	sq_bind_text(s, 2, cs->source);
	sq_bind_text(s, 3, cs->status);
	sq_bind_text(s, 4, cs->started_at);
	sq_bind_text(s, 5, cs->ended_at);
	sqlite3_bind_int64(s, 6, cs->records);
	sqlite3_bind_int64(s, 7, cs->quarantined);
	sqlite3_bind_int64(s, 8, cs->files);
	sqlite3_bind_int64(s, 9, cs->failed_files);
	sq_bind_text(s, 10, cs->error);
	return sq_run(st, s, "recording a source's cycle result");
}

int
store_watermark_get(struct store *st, const char *source, const char *object,
    char **ret)
{
	return sq_query_text(st, "SELECT value FROM watermarks WHERE source = ? AND "
	    "object = ?", source, object, ret, "reading a watermark");
}

int
store_watermark_set(struct store *st, const char *source, const char *object,
    const char *value, const char *now)
{
	sqlite3_stmt *s = sq_prep(st, "INSERT INTO watermarks(source, object, "
	    "value, updated_at) VALUES(?, ?, ?, ?) ON CONFLICT(source, object) "
	    "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at");

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, source);
	sq_bind_text(s, 2, object);
	sq_bind_text(s, 3, value);
	sq_bind_text(s, 4, now);
	return sq_run(st, s, "writing a watermark");
}

int64_t
store_watermarks_reset(struct store *st, const char *source, const char *value,
    const char *now)
{
	sqlite3_stmt *s = sq_prep(st, value == NULL ?
	    "DELETE FROM watermarks WHERE source = ?1" :
	    "UPDATE watermarks SET value = ?2, updated_at = ?3 WHERE source = ?1");

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, source);
	if (value != NULL) {
		sq_bind_text(s, 2, value);
		sq_bind_text(s, 3, now);
	}
	if (sq_run(st, s, "resetting watermarks") < 0)
		return -1;
	return sqlite3_changes64(st->db);
}

int64_t
store_page_failed(struct store *st, const struct store_bad_page *p,
    const char *now, int *skipped)
{
	sqlite3_stmt *s;
	int64_t n = -1;
	int rc;

	*skipped = 0;
	s = sq_prep(st, "SELECT 1 FROM bad_pages WHERE source = ? AND "
	    "body_sha256 = ? AND skipped_at IS NOT NULL AND cleared_at IS NULL");
	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, p->source);
	sq_bind_text(s, 2, p->body_sha256);
	rc = sqlite3_step(s);
	*skipped = rc == SQLITE_ROW;
	if (sq_read_end(st, s, rc, "reading bad pages") < 0)
		return -1;
	if (*skipped)
		return 0;	/* known: nothing to count */
	/* a page cleared before starts its count again */
	s = sq_prep(st, "INSERT INTO bad_pages(source, url_sha256, body_sha256, "
	    "position, reason, bytes, attempts, first_seen, last_seen) "
	    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?7) "
	    "ON CONFLICT(source, url_sha256) DO UPDATE SET "
	    "attempts = CASE WHEN cleared_at IS NULL THEN attempts + 1 ELSE 1 END,"
	    " first_seen = CASE WHEN cleared_at IS NULL THEN first_seen ELSE ?7 END,"
	    " skipped_at = CASE WHEN cleared_at IS NULL THEN skipped_at END,"
	    " cleared_at = NULL, body_sha256 = ?3, position = ?4, reason = ?5,"
	    " bytes = ?6, last_seen = ?7 RETURNING attempts");
	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, p->source);
	sq_bind_text(s, 2, p->url_sha256);
	sq_bind_text(s, 3, p->body_sha256);
	sq_bind_text(s, 4, p->position);
	sq_bind_text(s, 5, p->reason);
	sqlite3_bind_int64(s, 6, p->bytes);
	sq_bind_text(s, 7, now);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	if (sq_read_end(st, s, rc, "counting a bad page") < 0)
		return -1;
	return n;
}

int
store_page_skip(struct store *st, const char *source, const char *url_sha256,
    const char *now)
{
	sqlite3_stmt *s = sq_prep(st, "UPDATE bad_pages SET skipped_at = ? "
	    "WHERE source = ? AND url_sha256 = ?");

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, now);
	sq_bind_text(s, 2, source);
	sq_bind_text(s, 3, url_sha256);
	return sq_run(st, s, "skipping a bad page");
}

int
store_pages_read_ok(struct store *st, const char *source, int full,
    const char *now)
{
	sqlite3_stmt *s = sq_prep(st, "DELETE FROM bad_pages WHERE source = ? "
	    "AND skipped_at IS NULL");

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, source);
	if (sq_run(st, s, "forgetting bad pages") < 0)
		return -1;
	if (!full)
		return 0;
	if ((s = sq_prep(st, "UPDATE bad_pages SET cleared_at = ? WHERE "
	    "source = ? AND skipped_at IS NOT NULL AND cleared_at IS NULL")) == NULL)
		return -1;
	sq_bind_text(s, 1, now);
	sq_bind_text(s, 2, source);
	return sq_run(st, s, "clearing skipped pages");
}
