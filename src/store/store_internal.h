/*
 * store_internal.h - what the store's files share: the handle and the
 * SQLite helpers. Only src/store/ includes it; the rest of chansync sees
 * store.h.
 */
#ifndef CHANSYNC_STORE_INTERNAL_H
#define CHANSYNC_STORE_INTERNAL_H

#include <stdint.h>

#include <sqlite3.h>

#include "store/store.h"


/* Statements kept prepared: run once per row of a large pass. */
enum {
	STMT_CONFLICT_PUT,
	STMT_MEMBER_ADD,
	STMT_MEMBER_REMOVE,
	STMT_ALERT_PUT,
	STMT_ACK_PUT,
	STMT_OUTBOX_PUT,
	STMT_COUNT
};

struct store {
	sqlite3 *db;
	int in_tx;
	enum store_errclass errclass;
	char err[512];
	sqlite3_stmt *upsert[ENTITY_COUNT];
	sqlite3_stmt *upsert_many[ENTITY_COUNT];	/* UPSERT_ROWS rows at a time */
	sqlite3_stmt *insert_many[ENTITY_COUNT];	/* the same, OR IGNORE */
	sqlite3_stmt *audit_insert;
	sqlite3_stmt *cached[STMT_COUNT];	/* statements run per row */
	int bulk[ENTITY_COUNT];			/* loading without indexes */
	int rollback;		/* in a rollback journal for a load (see
				 * store_bulk_begin): WAL again after it */
};

/* Keeps what went wrong (message and class) in the handle. */
void sq_set_err(struct store *st, const char *what);
/* Runs SQL without results; -1 with the error kept. */
int sq_exec(struct store *st, const char *sql, const char *what);
/* Prepares sql, or keeps the error and returns NULL. */
sqlite3_stmt * sq_prep(struct store *st, const char *sql);
/* A prepared statement (id: STMT_*) kept for the handle's life, reset. */
sqlite3_stmt * sq_cached(struct store *st, int id, const char *sql);
/* Steps a cached statement once. */
int sq_run_cached(struct store *st, sqlite3_stmt *s, const char *what);
/* Binds text (SQLITE_TRANSIENT), or NULL for a NULL pointer. */
void sq_bind_text(sqlite3_stmt *s, int i, const char *v);
/* The same for text that outlives the statement's next reset. */
void sq_bind_static(sqlite3_stmt *s, int i, const char *v);
/* Binds an id above 0, else NULL. */
void sq_bind_id(sqlite3_stmt *s, int i, int64_t v);
/* Steps a write statement to completion, then finalizes it. */
int sq_run(struct store *st, sqlite3_stmt *s, const char *what);
/* One text value of a query with up to two text parameters: 1 with a new
 * string in *ret, 0 for no row, -1 on error. */
int sq_query_text(struct store *st, const char *sql, const char *a, const char *b,
    char **ret, const char *what);
/* A text column, borrowed until the next step. */
const char * sq_col_text(sqlite3_stmt *s, int i);
/* Ends a read loop that stopped at step result rc: finalizes s; -1 with
 * the error when rc is neither a row nor the end. */
int sq_read_end(struct store *st, sqlite3_stmt *s, int rc, const char *what);
/* Calls fn for each row of s (as text), then finalizes s; *stopped says
 * whether fn stopped the reading. */
int sq_rows_until(struct store *st, sqlite3_stmt *s, store_row_fn fn, void *ctx,
    int *stopped);
int sq_rows(struct store *st, sqlite3_stmt *s, store_row_fn fn, void *ctx);
/* Runs a read query with text parameters (NULL binds NULL). */
int sq_query_rows(struct store *st, const char *sql, const char *const *binds,
    int nbinds, store_row_fn fn, void *ctx);
/* A new copy of a text column, or NULL. */
char * sq_dup_col(sqlite3_stmt *s, int i);

#endif
