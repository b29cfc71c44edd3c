/*
 * store.c - SQLite: schema, migrations, and every statement chansync runs.
 */
#include "store/store.h"
#include "lib/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

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

/*
 * Migrations, applied in order; user_version says how many have run.
 * Never edit a released step: add a new one.
 */
static const char *const migrations[] = {
	/* 1: canonical entities, sync bookkeeping, quarantine, audit */
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE partners("
	" id TEXT PRIMARY KEY, source TEXT NOT NULL, name TEXT, domain TEXT,"
	" country TEXT, tier TEXT, updated_at TEXT,"
	" deleted INTEGER NOT NULL DEFAULT 0, name_key TEXT, origin TEXT,"
	" synced_at TEXT NOT NULL);"
	"CREATE TABLE opportunities("
	" id TEXT PRIMARY KEY, source TEXT NOT NULL, name TEXT, account_id TEXT,"
	" customer_name TEXT, customer_domain TEXT, customer_country TEXT,"
	" partner_id TEXT, amount REAL, currency TEXT, amount_base REAL,"
	" stage TEXT, probability REAL, close_date TEXT, is_closed INTEGER,"
	" is_won INTEGER, updated_at TEXT, deleted INTEGER NOT NULL DEFAULT 0,"
	" customer_key TEXT, origin TEXT, synced_at TEXT NOT NULL);"
	"CREATE TABLE registrations("
	" key TEXT PRIMARY KEY, source TEXT NOT NULL, external_id TEXT NOT NULL,"
	" partner_id TEXT NOT NULL, customer_name TEXT NOT NULL,"
	" customer_domain TEXT, customer_country TEXT, product TEXT,"
	" amount REAL, currency TEXT, amount_base REAL, status TEXT NOT NULL,"
	" registered_at TEXT, decided_at TEXT, expires_at TEXT, updated_at TEXT,"
	" opportunity_id TEXT, deleted INTEGER NOT NULL DEFAULT 0,"
	" customer_key TEXT, origin TEXT, synced_at TEXT NOT NULL,"
	" UNIQUE(source, external_id));"
	"CREATE TABLE plans("
	" partner_id TEXT NOT NULL, period TEXT NOT NULL, source TEXT NOT NULL,"
	" target REAL NOT NULL, currency TEXT, target_base REAL, updated_at TEXT,"
	" origin TEXT, synced_at TEXT NOT NULL, PRIMARY KEY(partner_id, period));"
	"CREATE TABLE activities("
	" key TEXT PRIMARY KEY, source TEXT NOT NULL, external_id TEXT,"
	" partner_id TEXT NOT NULL, kind TEXT NOT NULL, occurred_at TEXT NOT NULL,"
	" value REAL, status TEXT, updated_at TEXT,"
	" deleted INTEGER NOT NULL DEFAULT 0, origin TEXT, synced_at TEXT NOT NULL);"
	"CREATE TABLE watermarks("
	" source TEXT NOT NULL, object TEXT NOT NULL, value TEXT NOT NULL,"
	" updated_at TEXT NOT NULL, PRIMARY KEY(source, object)) WITHOUT ROWID;"
	"CREATE TABLE cycles("
	" id INTEGER PRIMARY KEY, trigger TEXT NOT NULL, started_at TEXT NOT NULL,"
	" ended_at TEXT, status TEXT NOT NULL, detail TEXT);"
	"CREATE TABLE cycle_sources("
	" cycle_id INTEGER NOT NULL REFERENCES cycles(id), source TEXT NOT NULL,"
	" status TEXT NOT NULL, started_at TEXT, ended_at TEXT,"
	" records INTEGER NOT NULL DEFAULT 0, quarantined INTEGER NOT NULL DEFAULT 0,"
	" files INTEGER NOT NULL DEFAULT 0, failed_files INTEGER NOT NULL DEFAULT 0,"
	" error TEXT, PRIMARY KEY(cycle_id, source));"
	"CREATE TABLE quarantine("
	" id INTEGER PRIMARY KEY, cycle_id INTEGER REFERENCES cycles(id),"
	" source TEXT NOT NULL, position TEXT, record_id TEXT, field TEXT,"
	" reason TEXT NOT NULL, raw TEXT, created_at TEXT NOT NULL);"
	"CREATE TABLE audit("
	" seq INTEGER PRIMARY KEY, ts TEXT NOT NULL, cycle_id INTEGER,"
	" actor TEXT NOT NULL, action TEXT NOT NULL, entity TEXT, entity_id TEXT,"
	" detail TEXT NOT NULL, alg TEXT NOT NULL, prev_hash BLOB NOT NULL,"
	" hash BLOB NOT NULL);"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN"
	" SELECT RAISE(ABORT, 'audit log is append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN"
	" SELECT RAISE(ABORT, 'audit log is append-only'); END;",

	/* 2: the file-drop ledger (exactly-once ingestion), lookup indexes */
	"CREATE TABLE files("
	" source TEXT NOT NULL, name TEXT NOT NULL, dev INTEGER NOT NULL,"
	" ino INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL,"
	" sha256 TEXT NOT NULL, status TEXT NOT NULL, moved_to TEXT,"
	" cycle_id INTEGER REFERENCES cycles(id), records INTEGER NOT NULL DEFAULT 0,"
	" quarantined INTEGER NOT NULL DEFAULT 0, reason TEXT,"
	" ingested_at TEXT NOT NULL,"
	" PRIMARY KEY(source, name, sha256, ino, mtime_ns));"
	"CREATE INDEX registrations_partner ON registrations(partner_id);"
	"CREATE INDEX quarantine_source ON quarantine(source, id);"
	"CREATE INDEX audit_ts ON audit(ts);",

	/* 3: the CRM's opportunity stages (probabilities for the pipeline rules) */
	"CREATE TABLE stages("
	" name TEXT PRIMARY KEY, label TEXT, probability REAL, is_closed INTEGER,"
	" is_won INTEGER, forecast_category TEXT, synced_at TEXT NOT NULL)"
	" WITHOUT ROWID;"
	"CREATE INDEX opportunities_partner ON opportunities(partner_id);",

	/* 4: conflicts, their members, and the rows changed for detection */
	"CREATE TABLE conflicts("
	" key TEXT PRIMARY KEY, type TEXT NOT NULL, status TEXT NOT NULL,"
	" customer TEXT, customer_domain TEXT, customer_country TEXT,"
	" policy TEXT NOT NULL, winner TEXT, reason TEXT,"
	" evidence TEXT NOT NULL, opened_at TEXT NOT NULL,"
	" updated_at TEXT NOT NULL, resolved_at TEXT, resolution TEXT,"
	" crm_status TEXT) WITHOUT ROWID;"
	"CREATE TABLE conflict_members("
	" conflict_key TEXT NOT NULL REFERENCES conflicts(key),"
	" member TEXT NOT NULL, kind TEXT NOT NULL, partner_id TEXT,"
	" added_at TEXT NOT NULL, removed_at TEXT,"
	" PRIMARY KEY(conflict_key, member)) WITHOUT ROWID;"
	"CREATE INDEX conflict_members_member ON conflict_members(member);"
	"CREATE INDEX registrations_synced ON registrations(synced_at);"
	"CREATE INDEX opportunities_synced ON opportunities(synced_at);",

	/* 5: plan figures and scores per partner and period, alerts, and the
	 * write-back's outbox and acknowledgements */
	"CREATE TABLE partner_periods("
	" partner_id TEXT NOT NULL, period TEXT NOT NULL,"
	" closed_won REAL NOT NULL, pipeline REAL NOT NULL,"
	" risk_adjusted REAL NOT NULL, plan_target REAL, total_target REAL,"
	" risk_target REAL, coverage REAL, risk_coverage REAL, attainment REAL,"
	" score REAL, tier TEXT, kpis TEXT NOT NULL, computed_at TEXT NOT NULL,"
	" PRIMARY KEY(partner_id, period)) WITHOUT ROWID;"
	"CREATE TABLE alerts("
	" key TEXT PRIMARY KEY, type TEXT NOT NULL, partner_id TEXT,"
	" subject TEXT, period TEXT, severity TEXT NOT NULL,"
	" message TEXT NOT NULL, evidence TEXT NOT NULL,"
	" first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,"
	" status TEXT NOT NULL, resolved_at TEXT) WITHOUT ROWID;"
	"CREATE INDEX alerts_status ON alerts(status);"
	"CREATE TABLE crm_acks("
	" object TEXT NOT NULL, record TEXT NOT NULL, field TEXT NOT NULL,"
	" value TEXT, acked_at TEXT NOT NULL,"
	" PRIMARY KEY(object, record, field)) WITHOUT ROWID;"
	"CREATE TABLE outbox("
	" id INTEGER PRIMARY KEY, object TEXT NOT NULL, record TEXT NOT NULL,"
	" fields TEXT NOT NULL, created_at TEXT NOT NULL,"
	" attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,"
	" UNIQUE(object, record));",

	/* 6: the opportunities' partner index holds only those with a partner
	 * (most are direct): every query by partner says partner_id IS NOT
	 * NULL or = ?, and a first load builds a third of the index */
	"DROP INDEX IF EXISTS opportunities_partner;"
	"CREATE INDEX opportunities_partner ON opportunities(partner_id) "
	"WHERE partner_id IS NOT NULL;",
};

const char *
store_col(const struct store_row *r, const char *name)
{
	int i;

	for (i = 0; i < r->ncol; i++)
		if (strcmp(r->names[i], name) == 0)
			return r->types[i] == STORE_NULL ? NULL : r->vals[i];
	return NULL;
}

/*
 * The secondary indexes of the big entity tables. A first full load into
 * an empty table goes faster without the partner index (each row would
 * otherwise land in a random place of it): it is dropped for the load and
 * built after it in one sorted pass. The synced-at index stays: a load's
 * rows come in time order with rising rowids, so they only ever append to
 * it, which costs less than a second pass over the table would. Opening
 * the store builds any that a crash in between left missing.
 */
static const struct {
	enum entity_kind kind;
	const char *name, *create;
	int drop;		/* dropped for a bulk load */
} bulk_indexes[] = {
	{ ENTITY_OPPORTUNITIES, "opportunities_partner", "CREATE INDEX IF NOT "
	  "EXISTS opportunities_partner ON opportunities(partner_id) WHERE "
	  "partner_id IS NOT NULL", 1 },
	{ ENTITY_OPPORTUNITIES, "opportunities_synced", "CREATE INDEX IF NOT "
	  "EXISTS opportunities_synced ON opportunities(synced_at)", 0 },
	{ ENTITY_REGISTRATIONS, "registrations_partner", "CREATE INDEX IF NOT "
	  "EXISTS registrations_partner ON registrations(partner_id)", 1 },
	{ ENTITY_REGISTRATIONS, "registrations_synced", "CREATE INDEX IF NOT "
	  "EXISTS registrations_synced ON registrations(synced_at)", 0 },
};

static void
set_err(struct store *st, const char *what)
{
	int rc = sqlite3_extended_errcode(st->db);

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		st->errclass = STORE_EBUSY;
		break;
	case SQLITE_FULL:
		st->errclass = STORE_EFULL;
		break;
	case SQLITE_IOERR:
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		st->errclass = STORE_EIO;
		break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		st->errclass = STORE_ECORRUPT;
		break;
	case SQLITE_CONSTRAINT:
		st->errclass = STORE_ECONSTRAINT;
		break;
	default:
		st->errclass = STORE_EOTHER;
	}
	snprintf(st->err, sizeof(st->err), "%s: %s", what, sqlite3_errmsg(st->db));
}

const char *
store_errmsg(const struct store *st)
{
	return st->err;
}

enum store_errclass
store_errclass(const struct store *st)
{
	return st->errclass;
}

static int
exec(struct store *st, const char *sql, const char *what)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		set_err(st, what);
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/*
 * Sets the journal mode: 1 when the database is in it now, 0 when it is
 * not (leaving WAL needs the database to itself: another connection has
 * it open; back to WAL waits for other connections' transactions).
 */
static int
set_journal(struct store *st, const char *mode)
{
	sqlite3_stmt *s = NULL;
	char sql[64];
	int now = 0;

	snprintf(sql, sizeof(sql), "PRAGMA journal_mode=%s", mode);
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		now = strcmp((const char *)sqlite3_column_text(s, 0), mode) == 0;
	sqlite3_finalize(s);
	return now;
}

/* The WAL again after a load in a rollback journal, once no load runs. */
static void
wal_again(struct store *st)
{
	int i;

	for (i = 0; i < ENTITY_COUNT; i++)
		if (st->bulk[i])
			return;
	if (st->rollback && !st->in_tx && set_journal(st, "wal"))
		st->rollback = 0;
}

static int
user_version(struct store *st, int *ret)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) !=
	    SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
		set_err(st, "reading the schema version");
		goto out;
	}
	*ret = sqlite3_column_int(s, 0);
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

/*
 * How often the WAL is checkpointed and what it is cut back to. Loading:
 * every 64 MB instead of every 4 MB, since the rows' pages are written
 * once either way, but the primary key's pages, which every batch changes
 * again, are copied to the file fewer times (1.02 -> 0.89 GB written for a
 * million records); and the WAL keeps its size between checkpoints:
 * truncated, it grew again block by block, and ext4 zeroed each new
 * block around the WAL's unaligned frames (a fifth of the kernel's time).
 * And a 32 MB page cache, so that a transaction of 100,000 records (see
 * crm_reader.c) keeps its dirty pages until the commit instead of spilling them
 * to the WAL and reading them back (the sync's RSS is then ~75 MB, below
 * the conflict pass's). Otherwise SQLite's 4 MB, a WAL cut back to 16 MB
 * and a 16 MB cache.
 */
#define CACHE_KB "16000"		/* the page cache while syncing */
#define BULK_CACHE_KB "32000"		/* and while loading */
static int
wal_sizing(struct store *st, int loading)
{
	return exec(st, loading ? "PRAGMA wal_autocheckpoint=16384" :
	    "PRAGMA wal_autocheckpoint=1000", "sizing checkpoints") < 0 ||
	    exec(st, loading ? "PRAGMA journal_size_limit=-1" :
	    "PRAGMA journal_size_limit=16777216", "sizing the WAL") < 0 ||
	    exec(st, loading ? "PRAGMA cache_size=-" BULK_CACHE_KB :
	    "PRAGMA cache_size=-" CACHE_KB, "sizing the cache") < 0 ? -1 : 0;
}

/*
 * Builds the bulk indexes of kind (ENTITY_COUNT: all) that are missing.
 * SQLite sorts an index's keys in a temporary file's page-sized buffers
 * when temporary storage is a file, but mallocs every key apart and keeps
 * them all when it is memory (temp_store=MEMORY, set for the statement
 * journals): for the partner index of a million opportunities, 0.80 s
 * and 62 MB against 0.62 s and 37 MB. So an index is built with file
 * temporary storage (in the unit's PrivateTmp), and in memory when no
 * temporary file can be made.
 */
static int
ensure_indexes(struct store *st, int kind)
{
	size_t i;
	int code, in_file = 1;

	if (exec(st, "PRAGMA temp_store=FILE", "sorting in a file") < 0)
		return -1;
	for (i = 0; i < sizeof(bulk_indexes) / sizeof(bulk_indexes[0]); i++) {
		if (kind != ENTITY_COUNT && (int)bulk_indexes[i].kind != kind)
			continue;
		if (exec(st, bulk_indexes[i].create, "building an index") == 0)
			continue;
		code = sqlite3_errcode(st->db) & 0xff;
		/* no temporary file: this one and the rest sorted in memory;
		 * anything else (busy, the database's own trouble) stops */
		if (!in_file || (code != SQLITE_CANTOPEN && code != SQLITE_IOERR &&
		    code != SQLITE_FULL) || exec(st, "PRAGMA temp_store=MEMORY",
		    "sorting in memory") < 0 || exec(st, bulk_indexes[i].create,
		    "building an index") < 0) {
			/* the error is the build's: kept while memory is set */
			sqlite3_exec(st->db, "PRAGMA temp_store=MEMORY", NULL, NULL,
			    NULL);
			return -1;
		}
		in_file = 0;
	}
	return exec(st, "PRAGMA temp_store=MEMORY", "keeping statement journals "
	    "in memory");
}

static int
migrate(struct store *st)
{
	int v, n = (int)(sizeof(migrations) / sizeof(migrations[0]));
	char sql[64];

	if (user_version(st, &v) < 0)
		return -1;
	if (v > n) {
		st->errclass = STORE_ESCHEMA;
		snprintf(st->err, sizeof(st->err), "the database has schema "
		    "version %d, newer than this chansync (%d); upgrade chansync",
		    v, n);
		return -1;
	}
	if (v == n)
		return 0;
	if (store_begin(st) < 0)
		return -1;
	/* re-read under the write lock: another process may have migrated */
	if (user_version(st, &v) < 0)
		goto fail;
	for (; v < n; v++) {
		snprintf(sql, sizeof(sql), "migration %d", v + 1);
		if (exec(st, migrations[v], sql) < 0)
			goto fail;
		snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", v + 1);
		if (exec(st, sql, "setting the schema version") < 0)
			goto fail;
	}
	return store_commit(st);
fail:
	store_rollback(st);
	return -1;
}

struct store *
store_open(const char *path, enum store_mode mode, char *err, size_t errlen)
{
	struct store *st = xcalloc(1, sizeof(*st));
	int flags = mode == STORE_RDONLY ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	int v;

	if (sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_NOMUTEX |
	    SQLITE_OPEN_EXRESCODE, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", path,
		    st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 5000);
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	if (mode == STORE_RW) {
		if (exec(st, "PRAGMA journal_mode=WAL", "enabling WAL") < 0 ||
		    exec(st, "PRAGMA synchronous=FULL", "setting synchronous") < 0 ||
		    exec(st, "PRAGMA foreign_keys=ON", "enabling foreign keys") < 0 ||
		    wal_sizing(st, 0) < 0 ||
		    /* a statement of many rows keeps a statement journal to
		     * undo its earlier rows if a later one fails; once past
		     * 64 KB it went to a temporary file, and a million-record
		     * sync wrote 1.7 GB there. In memory, it is a page copy. */
		    exec(st, "PRAGMA temp_store=MEMORY", "keeping statement "
		    "journals in memory") < 0 ||
		    migrate(st) < 0 || ensure_indexes(st, ENTITY_COUNT) < 0) {
			snprintf(err, errlen, "%s: %s", path, st->err);
			goto fail;
		}
	} else {
		if (exec(st, "PRAGMA query_only=ON", "opening read-only") < 0 ||
		    user_version(st, &v) < 0) {
			snprintf(err, errlen, "%s: %s", path, st->err);
			goto fail;
		}
		if (v != STORE_SCHEMA_VERSION) {
			snprintf(err, errlen, "%s: schema version %d, this "
			    "chansyncctl expects %d; %s", path, v,
			    STORE_SCHEMA_VERSION, v < STORE_SCHEMA_VERSION ?
			    "start chansyncd once to migrate it" :
			    "upgrade chansync");
			goto fail;
		}
	}
	return st;
fail:
	store_close(st);
	return NULL;
}

void
store_close(struct store *st)
{
	int i;

	if (st == NULL)
		return;
	for (i = 0; i < ENTITY_COUNT; i++) {
		sqlite3_finalize(st->upsert[i]);
		sqlite3_finalize(st->upsert_many[i]);
		sqlite3_finalize(st->insert_many[i]);
	}
	sqlite3_finalize(st->audit_insert);
	for (i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(st->cached[i]);
	if (st->in_tx)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(st->db);
	free(st);
}

int
store_begin(struct store *st)
{
	if (st->rollback)	/* a load's end could not switch back */
		wal_again(st);
	if (exec(st, "BEGIN IMMEDIATE", "starting a transaction") < 0)
		return -1;
	st->in_tx = 1;
	return 0;
}

int
store_commit(struct store *st)
{
	if (exec(st, "COMMIT", "committing") < 0) {
		store_rollback(st);
		return -1;
	}
	st->in_tx = 0;
	return 0;
}

void
store_rollback(struct store *st)
{
	if (sqlite3_get_autocommit(st->db) == 0)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_tx = 0;
}

int
store_in_transaction(const struct store *st)
{
	return st->in_tx;
}

/* Prepares sql or records the error. */
static sqlite3_stmt *
prep(struct store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		set_err(st, "preparing a statement");
		return NULL;
	}
	return s;
}

/* A prepared statement kept for the handle's life, reset for reuse. */
static sqlite3_stmt *
cached(struct store *st, int id, const char *sql)
{
	if (st->cached[id]) {
		sqlite3_reset(st->cached[id]);
		sqlite3_clear_bindings(st->cached[id]);
		return st->cached[id];
	}
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &st->cached[id], NULL) != SQLITE_OK) {
		set_err(st, "preparing a statement");
		st->cached[id] = NULL;
	}
	return st->cached[id];
}

/* Steps a cached statement once. */
static int
run_cached(struct store *st, sqlite3_stmt *s, const char *what)
{
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		set_err(st, what);
		return -1;
	}
	return 0;
}

static void
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

/* For values that outlive the statement's next reset. */
static void
bind_static(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static void
bind_id(sqlite3_stmt *s, int i, int64_t v)
{
	if (v > 0)
		sqlite3_bind_int64(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

/* Steps a write statement to completion, then finalizes it. */
static int
run(struct store *st, sqlite3_stmt *s, const char *what)
{
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		set_err(st, what);
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	return 0;
}

/*
 * Runs a query with up to two text parameters that yields at most one
 * text value: 1 with a new string in *ret, 0 for no row, -1 on error.
 */
static int
query_text(struct store *st, const char *sql, const char *a, const char *b,
    char **ret, const char *what)
{
	sqlite3_stmt *s = prep(st, sql);
	int rc;

	if (s == NULL)
		return -1;
	bind_text(s, 1, a);
	if (b)
		bind_text(s, 2, b);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*ret = xstrdup((const char *)sqlite3_column_text(s, 0));
		rc = 1;
	} else if (rc == SQLITE_DONE)
		rc = 0;
	else {
		set_err(st, what);
		rc = -1;
	}
	sqlite3_finalize(s);
	return rc;
}

int
store_meta_get(struct store *st, const char *key, char **ret)
{
	return query_text(st, "SELECT value FROM meta WHERE key = ?", key, NULL,
	    ret, "reading meta");
}

int
store_meta_set(struct store *st, const char *key, const char *value)
{
	sqlite3_stmt *s = prep(st, "INSERT INTO meta(key, value) VALUES(?, ?) "
	    "ON CONFLICT(key) DO UPDATE SET value = excluded.value");

	if (s == NULL)
		return -1;
	bind_text(s, 1, key);
	bind_text(s, 2, value);
	return run(st, s, "writing meta");
}

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

/* The column that keeps the name's comparison key, if the table has one. */
static const char *
name_key_column(enum entity_kind k)
{
	switch (k) {
	case ENTITY_PARTNERS:
		return "name_key";
	case ENTITY_OPPORTUNITIES:
	case ENTITY_REGISTRATIONS:
		return "customer_key";
	default:
		return NULL;
	}
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
	if (name_key_column(kind)) {
		buf_addf(&sql, ", %s", name_key_column(kind));
		buf_addstr(&vals, ", ?");
		buf_addf(&set, ", %s = excluded.%s", name_key_column(kind),
		    name_key_column(kind));
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
	*slot = prep(st, buf_str(&sql));
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
		bind_static(s, col++, r->key);
	bind_static(s, col++, r->source);
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
			bind_static(s, col, v);
		}
	}
	if (m >= 0) {
		if (r->has_amount_base)
			sqlite3_bind_double(s, col, r->amount_base);
		else
			sqlite3_bind_null(s, col);
		col++;
	}
	if (name_key_column(r->kind))
		bind_static(s, col++, r->name_key);
	bind_static(s, col++, r->origin);
	bind_static(s, col++, now);
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
		set_err(st, "storing a record");
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
	return run_cached(st, s, "storing records");
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

static int list_by_source(struct store *st, const char *sql, const char *source,
    int64_t limit, store_row_fn fn, void *ctx);

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
	if ((s = prep(st, sql)) == NULL)
		return -1;
	bind_text(s, 1, now);
	bind_text(s, 2, key);
	if (run(st, s, "marking a record deleted") < 0)
		return -1;
	return sqlite3_changes(st->db);
}

int
store_stage_upsert(struct store *st, const struct store_stage *sg, const char *now)
{
	sqlite3_stmt *s = prep(st, "INSERT INTO stages(name, label, probability, "
	    "is_closed, is_won, forecast_category, synced_at) VALUES(?, ?, ?, ?, ?, "
	    "?, ?) ON CONFLICT(name) DO UPDATE SET label = excluded.label, "
	    "probability = excluded.probability, is_closed = excluded.is_closed, "
	    "is_won = excluded.is_won, forecast_category = excluded.forecast_category, "
	    "synced_at = excluded.synced_at");

	if (s == NULL)
		return -1;
	bind_text(s, 1, sg->name);
	bind_text(s, 2, sg->label);
	if (sg->has_probability)
		sqlite3_bind_double(s, 3, sg->probability);
	else
		sqlite3_bind_null(s, 3);
	sqlite3_bind_int(s, 4, sg->is_closed);
	sqlite3_bind_int(s, 5, sg->is_won);
	bind_text(s, 6, sg->forecast_category);
	bind_text(s, 7, now);
	return run(st, s, "storing a stage");
}

int
store_watermark_delete(struct store *st, const char *source, const char *object)
{
	sqlite3_stmt *s = prep(st, "DELETE FROM watermarks WHERE source = ? AND "
	    "object = ?");

	if (s == NULL)
		return -1;
	bind_text(s, 1, source);
	bind_text(s, 2, object);
	return run(st, s, "resetting a watermark");
}

int
store_list_watermarks(struct store *st, const char *source, store_row_fn fn,
    void *ctx)
{
	return list_by_source(st, "SELECT source, object, value AS watermark, "
	    "updated_at FROM watermarks WHERE ?1 IS NULL OR source = ?1 "
	    "ORDER BY source, object LIMIT ?2", source, 0, fn, ctx);
}

/* ---- quarantine, files, cycles, watermarks ---- */

int
store_quarantine_add(struct store *st, const struct store_quarantine *q,
    const char *now)
{
	sqlite3_stmt *s = prep(st, "INSERT INTO quarantine(cycle_id, source, "
	    "position, record_id, field, reason, raw, created_at) "
	    "VALUES(?, ?, ?, ?, ?, ?, ?, ?)");

	if (s == NULL)
		return -1;
	bind_id(s, 1, q->cycle_id);
	bind_text(s, 2, q->source);
	bind_text(s, 3, q->position);
	bind_text(s, 4, q->record_id);
	bind_text(s, 5, q->field);
	bind_text(s, 6, q->reason);
	bind_text(s, 7, q->raw);
	bind_text(s, 8, now);
	return run(st, s, "storing a quarantined record");
}

static char *
dup_col(sqlite3_stmt *s, int i)
{
	const char *v = (const char *)sqlite3_column_text(s, i);

	return v ? xstrdup(v) : NULL;
}

int
store_file_find(struct store *st, const struct store_file *f,
    char **ret_status, char **ret_moved_to, char **ret_reason)
{
	sqlite3_stmt *s = prep(st, "SELECT status, moved_to, reason FROM files "
	    "WHERE source = ? AND name = ? AND sha256 = ? AND ino = ? AND "
	    "mtime_ns = ? AND dev = ?");
	int rc;

	if (s == NULL)
		return -1;
	bind_text(s, 1, f->source);
	bind_text(s, 2, f->name);
	bind_text(s, 3, f->sha256);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)f->ino);
	sqlite3_bind_int64(s, 5, f->mtime_ns);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)f->dev);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*ret_status = dup_col(s, 0);
		*ret_moved_to = dup_col(s, 1);
		*ret_reason = dup_col(s, 2);
		rc = 1;
	} else if (rc == SQLITE_DONE)
		rc = 0;
	else {
		set_err(st, "reading the file ledger");
		rc = -1;
	}
	sqlite3_finalize(s);
	return rc;
}

int
store_file_add(struct store *st, const struct store_file *f, const char *now)
{
	sqlite3_stmt *s = prep(st, "INSERT OR REPLACE INTO files(source, name, "
	    "dev, ino, mtime_ns, size, sha256, status, moved_to, cycle_id, "
	    "records, quarantined, reason, ingested_at) "
	    "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");

	if (s == NULL)
		return -1;
	bind_text(s, 1, f->source);
	bind_text(s, 2, f->name);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)f->dev);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)f->ino);
	sqlite3_bind_int64(s, 5, f->mtime_ns);
	sqlite3_bind_int64(s, 6, f->size);
	bind_text(s, 7, f->sha256);
	bind_text(s, 8, f->status);
	bind_text(s, 9, f->moved_to);
	bind_id(s, 10, f->cycle_id);
	sqlite3_bind_int64(s, 11, f->records);
	sqlite3_bind_int64(s, 12, f->quarantined);
	bind_text(s, 13, f->reason);
	bind_text(s, 14, now);
	return run(st, s, "recording an ingested file");
}

int
store_cycle_begin(struct store *st, const char *trigger, const char *now,
    int64_t *ret_id)
{
	sqlite3_stmt *s = prep(st, "INSERT INTO cycles(trigger, started_at, "
	    "status) VALUES(?, ?, 'running')");

	if (s == NULL)
		return -1;
	bind_text(s, 1, trigger);
	bind_text(s, 2, now);
	if (run(st, s, "recording a cycle") < 0)
		return -1;
	*ret_id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int
store_cycle_end(struct store *st, int64_t id, const char *status,
    const char *detail_json, const char *now)
{
	sqlite3_stmt *s = prep(st, "UPDATE cycles SET status = ?, detail = ?, "
	    "ended_at = ? WHERE id = ?");

	if (s == NULL)
		return -1;
	bind_text(s, 1, status);
	bind_text(s, 2, detail_json);
	bind_text(s, 3, now);
	sqlite3_bind_int64(s, 4, id);
	return run(st, s, "closing a cycle");
}

int
store_cycles_interrupted(struct store *st, const char *now)
{
	sqlite3_stmt *s = prep(st, "UPDATE cycles SET status = 'interrupted', "
	    "ended_at = ? WHERE status = 'running'");

	if (s == NULL)
		return -1;
	bind_text(s, 1, now);
	if (run(st, s, "closing interrupted cycles") < 0)
		return -1;
	return sqlite3_changes(st->db);
}

int
store_cycle_source(struct store *st, const struct store_cycle_source *cs)
{
	sqlite3_stmt *s = prep(st, "INSERT OR REPLACE INTO cycle_sources("
	    "cycle_id, source, status, started_at, ended_at, records, "
	    "quarantined, files, failed_files, error) "
	    "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, cs->cycle_id);
	bind_text(s, 2, cs->source);
	bind_text(s, 3, cs->status);
	bind_text(s, 4, cs->started_at);
	bind_text(s, 5, cs->ended_at);
	sqlite3_bind_int64(s, 6, cs->records);
	sqlite3_bind_int64(s, 7, cs->quarantined);
	sqlite3_bind_int64(s, 8, cs->files);
	sqlite3_bind_int64(s, 9, cs->failed_files);
	bind_text(s, 10, cs->error);
	return run(st, s, "recording a source's cycle result");
}

int
store_watermark_get(struct store *st, const char *source, const char *object,
    char **ret)
{
	return query_text(st, "SELECT value FROM watermarks WHERE source = ? AND "
	    "object = ?", source, object, ret, "reading a watermark");
}

int
store_watermark_set(struct store *st, const char *source, const char *object,
    const char *value, const char *now)
{
	sqlite3_stmt *s = prep(st, "INSERT INTO watermarks(source, object, "
	    "value, updated_at) VALUES(?, ?, ?, ?) ON CONFLICT(source, object) "
	    "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at");

	if (s == NULL)
		return -1;
	bind_text(s, 1, source);
	bind_text(s, 2, object);
	bind_text(s, 3, value);
	bind_text(s, 4, now);
	return run(st, s, "writing a watermark");
}

/* ---- audit ---- */

int
store_audit_head(struct store *st, int64_t *ret_seq, unsigned char ret_hash[32])
{
	sqlite3_stmt *s = prep(st, "SELECT seq, hash FROM audit ORDER BY seq "
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
		set_err(st, "reading the audit head");
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
		s = st->audit_insert = prep(st, "INSERT INTO audit(seq, ts, "
		    "cycle_id, actor, action, entity, entity_id, detail, alg, "
		    "prev_hash, hash) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
		if (s == NULL)
			return -1;
	}
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, row->seq);
	bind_text(s, 2, row->ts);
	bind_id(s, 3, row->cycle_id);
	bind_text(s, 4, row->actor);
	bind_text(s, 5, row->action);
	bind_text(s, 6, row->entity);
	bind_text(s, 7, row->entity_id);
	bind_text(s, 8, row->detail);
	bind_text(s, 9, row->alg);
	sqlite3_bind_blob(s, 10, row->prev_hash, 32, SQLITE_TRANSIENT);
	sqlite3_bind_blob(s, 11, row->hash, 32, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_DONE) {
		set_err(st, "appending to the audit log");
		sqlite3_reset(s);
		return -1;
	}
	sqlite3_reset(s);
	return 0;
}

static const char *
col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

/* Ends a read loop that stopped at step result rc: finalizes s; -1 (the
 * error kept as "what: ...") when rc is neither a row nor the end. */
static int
read_end(struct store *st, sqlite3_stmt *s, int rc, const char *what)
{
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		set_err(st, what);
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	return 0;
}

int
store_audit_scan(struct store *st, int64_t from,
    int (*fn)(void *ctx, const struct store_audit_row *row), void *ctx)
{
	sqlite3_stmt *s = prep(st, "SELECT seq, ts, cycle_id, actor, action, "
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
		row.ts = col_text(s, 1);
		row.cycle_id = sqlite3_column_int64(s, 2);
		row.actor = col_text(s, 3);
		row.action = col_text(s, 4);
		row.entity = col_text(s, 5);
		row.entity_id = col_text(s, 6);
		row.detail = col_text(s, 7);
		row.alg = col_text(s, 8);
		if ((p = sqlite3_column_blob(s, 9)) && sqlite3_column_bytes(s, 9) == 32)
			memcpy(row.prev_hash, p, 32);
		if ((p = sqlite3_column_blob(s, 10)) && sqlite3_column_bytes(s, 10) == 32)
			memcpy(row.hash, p, 32);
		if (fn(ctx, &row))
			break;
	}
	return read_end(st, s, rc, "reading the audit log");
}

int64_t
store_audit_count(struct store *st)
{
	return store_count(st, "audit");
}

/* ---- listings for chansyncctl ---- */

/* Calls fn for each row of s, then finalizes it; *stopped (when not NULL)
 * says whether fn stopped the reading. */
static int
rows_until(struct store *st, sqlite3_stmt *s, store_row_fn fn, void *ctx,
    int *stopped)
{
	const char *names[64], *vals[64];
	enum store_type types[64];
	int n, i, rc;

	if (s == NULL)
		return -1;
	n = sqlite3_column_count(s);
	if (n > 64)
		n = 64;
	for (i = 0; i < n; i++)
		names[i] = sqlite3_column_name(s, i);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_row row = { n, names, vals, types };

		for (i = 0; i < n; i++) {
			switch (sqlite3_column_type(s, i)) {
			case SQLITE_INTEGER: types[i] = STORE_INT; break;
			case SQLITE_FLOAT: types[i] = STORE_REAL; break;
			case SQLITE_NULL: types[i] = STORE_NULL; break;
			default: types[i] = STORE_TEXT;
			}
			vals[i] = col_text(s, i);
		}
		if (fn(ctx, &row))
			break;
	}
	if (stopped)
		*stopped = rc == SQLITE_ROW;
	return read_end(st, s, rc, "reading");
}

static int
rows(struct store *st, sqlite3_stmt *s, store_row_fn fn, void *ctx)
{
	return rows_until(st, s, fn, ctx, NULL);
}

int
store_list_audit(struct store *st, const struct store_audit_filter *f,
    store_row_fn fn, void *ctx)
{
	/* newest N rows that match, shown oldest first */
	sqlite3_stmt *s = prep(st, "SELECT * FROM (SELECT seq, ts, cycle_id, "
	    "actor, action, entity, entity_id, detail FROM audit WHERE "
	    "(?1 IS NULL OR ts >= ?1) AND (?2 IS NULL OR ts < ?2) AND "
	    "(?3 IS NULL OR action = ?3 OR (substr(?3, -1) = '.' AND "
	    " substr(action, 1, length(?3)) = ?3)) AND "
	    "(?4 IS NULL OR entity_id = ?4 OR entity = ?4) "
	    "ORDER BY seq DESC LIMIT ?5) ORDER BY seq");

	if (s == NULL)
		return -1;
	bind_text(s, 1, f->since);
	bind_text(s, 2, f->until);
	bind_text(s, 3, f->action);
	bind_text(s, 4, f->entity_id);
	sqlite3_bind_int64(s, 5, f->limit > 0 ? f->limit : -1);
	return rows(st, s, fn, ctx);
}

int
store_list_cycles(struct store *st, int64_t limit, store_row_fn fn, void *ctx)
{
	sqlite3_stmt *s = prep(st, "SELECT id, trigger, started_at, ended_at, "
	    "status, json_extract(detail, '$.sources_run') AS sources_run, "
	    "json_extract(detail, '$.sources_failed') AS sources_failed, "
	    "json_extract(detail, '$.records') AS records, "
	    "json_extract(detail, '$.quarantined') AS quarantined "
	    "FROM cycles ORDER BY id DESC LIMIT ?");

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, limit > 0 ? limit : -1);
	return rows(st, s, fn, ctx);
}

int
store_list_sources(struct store *st, store_row_fn fn, void *ctx)
{
	sqlite3_stmt *s = prep(st,
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

	return rows(st, s, fn, ctx);
}

/* A listing with ?1 = an optional source and ?2 = a limit (0: none). */
static int
list_by_source(struct store *st, const char *sql, const char *source,
    int64_t limit, store_row_fn fn, void *ctx)
{
	sqlite3_stmt *s = prep(st, sql);

	if (s == NULL)
		return -1;
	bind_text(s, 1, source);
	sqlite3_bind_int64(s, 2, limit > 0 ? limit : -1);
	return rows(st, s, fn, ctx);
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
	if ((s = prep(st, sql)) == NULL)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	else
		set_err(st, "counting");
	sqlite3_finalize(s);
	return n;
}

/* ---- conflicts ---- */

/*
 * The first read's direct claims: a third of a big org's opportunities
 * (333,000 of a million), so they are read by a query of their own that
 * asks SQLite for the five columns they have, and the row of the claims'
 * shape is made here: its key written into a buffer rather than
 * concatenated (and allocated) by SQLite, its constant columns set
 * once rather than read back as values of a UNION.
 */
static int
direct_claims(struct store *st, store_row_fn fn, void *ctx)
{
	static const char *const names[] = { "kind", "key", "partner_id",
	    "customer_name", "customer_domain", "customer_country", "product",
	    "status", "registered_at", "decided_at", "expires_at", "deleted",
	    "is_closed" };
	enum { NCOL = sizeof(names) / sizeof(names[0]) };
	/* the row's columns that come from the query, by position */
	static const int from[] = { 3, 4, 5, 7 };
	static const char prefix[] = "opportunity:";
	const char *vals[NCOL] = { "opportunity" };
	enum store_type types[NCOL];
	char buf[sizeof(prefix) + 64], *key = buf;
	size_t i, cap = sizeof(buf);
	sqlite3_stmt *s;
	int rc;

	/* what the WHERE settles (not deleted, not closed) is not read; its
	 * terms go in column order: SQLite reads a row's header only as far
	 * as the columns asked (2/3 have a partner) */
	s = prep(st, "SELECT id, customer_name, customer_domain, "
	    "customer_country, stage FROM opportunities WHERE partner_id IS NULL "
	    "AND coalesce(is_closed, 0) = 0 AND deleted = 0");
	if (s == NULL)
		return -1;
	for (i = 0; i < NCOL; i++)
		types[i] = STORE_NULL;
	types[0] = types[1] = STORE_TEXT;
	memcpy(key, prefix, sizeof(prefix));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_row row = { NCOL, names, vals, types };
		const char *id = col_text(s, 0);
		size_t n = (size_t)sqlite3_column_bytes(s, 0);

		if (id == NULL)
			continue;	/* no key (the UNION's || made none either) */
		if (sizeof(prefix) + n > cap) {
			cap = sizeof(prefix) + n;
			key = xrealloc(key == buf ? NULL : key, cap);
			memcpy(key, prefix, sizeof(prefix));
		}
		memcpy(key + sizeof(prefix) - 1, id, n + 1);
		vals[1] = key;
		for (i = 0; i < sizeof(from) / sizeof(from[0]); i++) {
			vals[from[i]] = col_text(s, (int)i + 1);
			types[from[i]] = vals[from[i]] ? STORE_TEXT : STORE_NULL;
		}
		if (fn(ctx, &row))
			break;
	}
	if (key != buf)
		free(key);
	return read_end(st, s, rc, "reading");
}

int
store_conflict_claims(struct store *st, const char *since, int direct,
    store_row_fn fn, void *ctx)
{
	sqlite3_stmt *s;
	int stopped;

	/*
	 * Registrations, and (direct) opportunities with no partner. The
	 * first read (since NULL) builds the index from nothing: only the
	 * claims that can be active are worth reading, in table order; later
	 * reads take every row synced since, to see claims end too.
	 */
	if (since == NULL || *since == '\0') {
		s = prep(st, "SELECT 'registration' AS kind, key, partner_id, "
		    "customer_name, customer_domain, customer_country, product, "
		    "status, registered_at, decided_at, expires_at, NULL AS deleted, "
		    "NULL AS is_closed FROM registrations WHERE deleted = 0 AND "
		    "status IN ('pending', 'approved')");
		if (rows_until(st, s, fn, ctx, &stopped) < 0)
			return -1;
		return direct && !stopped ? direct_claims(st, fn, ctx) : 0;
	}
	s = prep(st, "SELECT 'registration' AS kind, key, partner_id, "
	    "customer_name, customer_domain, customer_country, product, "
	    "status, registered_at, decided_at, expires_at, deleted, NULL AS "
	    "is_closed FROM registrations WHERE synced_at >= ?1 "
	    "UNION ALL SELECT 'opportunity', 'opportunity:' || id, partner_id, "
	    "customer_name, customer_domain, customer_country, NULL, stage, "
	    "NULL, NULL, NULL, deleted, is_closed FROM opportunities "
	    "WHERE ?2 AND synced_at >= ?1");
	if (s == NULL)
		return -1;
	bind_text(s, 1, since);
	sqlite3_bind_int(s, 2, direct);
	return rows(st, s, fn, ctx);
}

int
store_conflict_put(struct store *st, const struct store_conflict *c)
{
	sqlite3_stmt *s = cached(st, STMT_CONFLICT_PUT, "INSERT INTO conflicts(key, type, status, "
	    "customer, customer_domain, customer_country, policy, winner, reason, "
	    "evidence, opened_at, updated_at, resolved_at, resolution, crm_status) "
	    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
	    "NULL) ON CONFLICT(key) DO UPDATE SET type = ?2, status = ?3, "
	    "customer = ?4, customer_domain = ?5, customer_country = ?6, "
	    "policy = ?7, winner = ?8, reason = ?9, evidence = ?10, "
	    "updated_at = ?12, resolved_at = ?13, resolution = ?14, "
	    "crm_status = CASE WHEN ?15 THEN NULL ELSE crm_status END");

	if (s == NULL)
		return -1;
	bind_text(s, 1, c->key);
	bind_text(s, 2, c->type);
	bind_text(s, 3, c->status);
	bind_text(s, 4, c->customer);
	bind_text(s, 5, c->customer_domain);
	bind_text(s, 6, c->customer_country);
	bind_text(s, 7, c->policy);
	bind_text(s, 8, c->winner);
	bind_text(s, 9, c->reason);
	bind_text(s, 10, c->evidence);
	bind_text(s, 11, c->opened_at);
	bind_text(s, 12, c->updated_at);
	bind_text(s, 13, c->resolved_at);
	bind_text(s, 14, c->resolution);
	sqlite3_bind_int(s, 15, c->clear_crm_status);
	return run_cached(st, s, "storing a conflict");
}

int
store_conflict_member(struct store *st, const char *key, const char *member,
    const char *kind, const char *partner_id, const char *now, int present)
{
	sqlite3_stmt *s = present ? cached(st, STMT_MEMBER_ADD,
	    "INSERT INTO conflict_members(conflict_key, member, kind, partner_id, "
	    "added_at) VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(conflict_key, "
	    "member) DO UPDATE SET removed_at = NULL, partner_id = ?4") :
	    cached(st, STMT_MEMBER_REMOVE,
	    "UPDATE conflict_members SET removed_at = ?5 WHERE conflict_key = ?1 "
	    "AND member = ?2 AND removed_at IS NULL");

	if (s == NULL)
		return -1;
	bind_text(s, 1, key);
	bind_text(s, 2, member);
	bind_text(s, 3, kind);
	bind_text(s, 4, partner_id);
	bind_text(s, 5, now);
	return run_cached(st, s, "storing a conflict member");
}

int
store_conflict_set_crm_status(struct store *st, const char *key,
    const char *status)
{
	sqlite3_stmt *s = prep(st, "UPDATE conflicts SET crm_status = ?2 "
	    "WHERE key = ?1");

	if (s == NULL)
		return -1;
	bind_text(s, 1, key);
	bind_text(s, 2, status);
	if (run(st, s, "storing a conflict's CRM status") < 0)
		return -1;
	return sqlite3_changes(st->db);
}

int
store_list_conflicts(struct store *st, int all, store_row_fn fn, void *ctx)
{
	sqlite3_stmt *s = prep(st, "SELECT c.key, c.type, c.status, c.customer, "
	    "c.customer_domain AS domain, c.customer_country AS country, "
	    "(SELECT count(*) FROM conflict_members m WHERE m.conflict_key = c.key "
	    "AND m.removed_at IS NULL) AS members, (SELECT count(DISTINCT "
	    "partner_id) FROM conflict_members m WHERE m.conflict_key = c.key AND "
	    "m.removed_at IS NULL AND m.kind = 'registration') AS partners, "
	    "c.winner, c.opened_at, c.resolution "
	    "FROM conflicts c WHERE ?1 OR c.status = 'open' ORDER BY c.opened_at, "
	    "c.key");

	if (s == NULL)
		return -1;
	sqlite3_bind_int(s, 1, all);
	return rows(st, s, fn, ctx);
}

int
store_conflict_get(struct store *st, const char *key, store_row_fn fn, void *ctx)
{
	sqlite3_stmt *s = prep(st, "SELECT key, type, status, customer, "
	    "customer_domain, customer_country, policy, winner, reason, evidence, "
	    "opened_at, updated_at, resolved_at, resolution, crm_status "
	    "FROM conflicts WHERE key = ?1");

	if (s == NULL)
		return -1;
	bind_text(s, 1, key);
	return rows(st, s, fn, ctx);
}

int
store_conflict_members(struct store *st, const char *key, store_row_fn fn,
    void *ctx)
{
	sqlite3_stmt *s = prep(st, "SELECT conflict_key, member, kind, partner_id, "
	    "added_at, removed_at FROM conflict_members WHERE ?1 IS NULL OR "
	    "conflict_key = ?1 ORDER BY conflict_key, added_at, member");

	if (s == NULL)
		return -1;
	bind_text(s, 1, key);
	return rows(st, s, fn, ctx);
}

int
store_list_conflict_states(struct store *st, store_row_fn fn, void *ctx)
{
	sqlite3_stmt *s = prep(st, "SELECT key, type, status, crm_status, winner, "
	    "evidence FROM conflicts ORDER BY key");

	if (s == NULL)
		return -1;
	return rows(st, s, fn, ctx);
}

/* ---- plans, scores, alerts, write-back ---- */

/* Runs a read query with text parameters (NULL binds NULL). */
static int
query_rows(struct store *st, const char *sql, const char *const *binds,
    int nbinds, store_row_fn fn, void *ctx)
{
	sqlite3_stmt *s = prep(st, sql);
	int i;

	if (s == NULL)
		return -1;
	for (i = 0; i < nbinds; i++)
		bind_text(s, i + 1, binds[i]);
	return rows(st, s, fn, ctx);
}

int
store_list_partners(struct store *st, store_row_fn fn, void *ctx)
{
	return query_rows(st, "SELECT id, name, tier, domain, country FROM "
	    "partners WHERE deleted = 0 ORDER BY id", NULL, 0, fn, ctx);
}

int
store_plan_opportunities(struct store *st, const char *from, const char *to,
    store_row_fn fn, void *ctx)
{
	const char *b[2] = { from, to };

	return query_rows(st, "SELECT id, partner_id, stage, amount_base, "
	    "probability, is_closed, is_won, close_date FROM opportunities "
	    "WHERE deleted = 0 AND partner_id IS NOT NULL AND close_date >= ?1 "
	    "AND close_date <= ?2", b, 2, fn, ctx);
}

int
store_plan_targets(struct store *st, const char *period, store_row_fn fn,
    void *ctx)
{
	const char *b[1] = { period };

	return query_rows(st, "SELECT partner_id, period, target, currency, "
	    "target_base FROM plans WHERE period = ?1", b, 1, fn, ctx);
}

int
store_stage_probabilities(struct store *st, store_row_fn fn, void *ctx)
{
	return query_rows(st, "SELECT name, probability FROM stages", NULL, 0, fn,
	    ctx);
}

int
store_win_counts(struct store *st, const char *from, const char *to,
    store_row_fn fn, void *ctx)
{
	const char *b[2] = { from, to };

	return query_rows(st, "SELECT partner_id, sum(is_won = 1) AS won, "
	    "sum(is_won = 0) AS lost FROM opportunities WHERE deleted = 0 AND "
	    "is_closed = 1 AND partner_id IS NOT NULL AND close_date >= ?1 AND "
	    "close_date <= ?2 GROUP BY partner_id", b, 2, fn, ctx);
}

int
store_registration_outcomes(struct store *st, const char *from, store_row_fn fn,
    void *ctx)
{
	const char *b[1] = { from };

	return query_rows(st, "SELECT partner_id, status, count(*) AS n FROM "
	    "registrations WHERE deleted = 0 AND registered_at >= ?1 GROUP BY "
	    "partner_id, status", b, 1, fn, ctx);
}

int
store_activity_counts(struct store *st, const char *from, store_row_fn fn,
    void *ctx)
{
	const char *b[1] = { from };

	return query_rows(st, "SELECT partner_id, kind, count(*) AS n FROM "
	    "activities WHERE deleted = 0 AND occurred_at >= ?1 GROUP BY "
	    "partner_id, kind", b, 1, fn, ctx);
}

int
store_open_registrations(struct store *st, store_row_fn fn, void *ctx)
{
	return query_rows(st, "SELECT key, partner_id, customer_name, product, "
	    "amount_base, status, registered_at, decided_at, expires_at, "
	    "opportunity_id FROM registrations WHERE deleted = 0 AND status IN "
	    "('pending', 'approved') ORDER BY key", NULL, 0, fn, ctx);
}

int
store_partner_period_put(struct store *st, const struct store_partner_period *p,
    const char *now)
{
	sqlite3_stmt *s = prep(st, "INSERT INTO partner_periods(partner_id, "
	    "period, closed_won, pipeline, risk_adjusted, plan_target, "
	    "total_target, risk_target, coverage, risk_coverage, attainment, score, "
	    "tier, kpis, computed_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
	    "?10, ?11, ?12, ?13, ?14, ?15) ON CONFLICT(partner_id, period) DO "
	    "UPDATE SET closed_won = ?3, pipeline = ?4, risk_adjusted = ?5, "
	    "plan_target = ?6, total_target = ?7, risk_target = ?8, coverage = ?9, "
	    "risk_coverage = ?10, attainment = ?11, score = ?12, tier = ?13, "
	    "kpis = ?14, computed_at = ?15");
	const double *opt[] = { p->plan_target, p->total_target, p->risk_target,
		p->coverage, p->risk_coverage, p->attainment, p->score };
	int i;

	if (s == NULL)
		return -1;
	bind_text(s, 1, p->partner_id);
	bind_text(s, 2, p->period);
	sqlite3_bind_double(s, 3, p->closed_won);
	sqlite3_bind_double(s, 4, p->pipeline);
	sqlite3_bind_double(s, 5, p->risk_adjusted);
	for (i = 0; i < 7; i++)
		if (opt[i])
			sqlite3_bind_double(s, 6 + i, *opt[i]);
		else
			sqlite3_bind_null(s, 6 + i);
	bind_text(s, 13, p->tier);
	bind_text(s, 14, p->kpis);
	bind_text(s, 15, now);
	return run(st, s, "storing a partner's period");
}

/*
 * The page cache: full (16 MB) while syncing, where upserts need it, and
 * small while the passes after the sync scan tables once, so that its
 * pages are free for the conflict index instead of adding to it.
 */
int
store_cache_small(struct store *st, int small)
{
	return exec(st, small ? "PRAGMA cache_size=-1024" :
	    "PRAGMA cache_size=-" CACHE_KB, "sizing the cache");
}

/*
 * A first load into an empty table also runs under a rollback journal
 * when it can: in WAL mode every page went to the WAL and, at the
 * checkpoint, was read back and written again to the database, while
 * pages added at the end of the file need no rollback journal at all. A
 * million opportunities wrote 414 MB instead of 738 MB, and the kernel's
 * CPU went from ~2.1 s to ~1.1 s. A kill -9 in between leaves a hot
 * journal that the next open rolls back before it sets WAL again. Readers
 * (chansyncctl) wait while a commit writes (busy timeout); when one has
 * the database open at the start, the load stays in WAL.
 */
int
store_bulk_begin(struct store *st, enum entity_kind kind)
{
	const struct entity_def *def = entity_def(kind);
	sqlite3_stmt *s;
	char sql[128];
	size_t i;
	int rc, any = 0;

	for (i = 0; i < sizeof(bulk_indexes) / sizeof(bulk_indexes[0]); i++)
		any |= bulk_indexes[i].kind == kind;
	if (!any || st->bulk[kind] || st->in_tx)
		return 0;
	snprintf(sql, sizeof(sql), "SELECT 1 FROM %s LIMIT 1", def->name);
	if ((s = prep(st, sql)) == NULL)
		return -1;
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 0;	/* not empty: rows are placed among others */
	if (rc != SQLITE_DONE) {
		set_err(st, "reading");
		return -1;
	}
	if (wal_sizing(st, 1) < 0)
		return -1;
	if (set_journal(st, "truncate"))
		st->rollback = 1;
	for (i = 0; i < sizeof(bulk_indexes) / sizeof(bulk_indexes[0]); i++) {
		if (bulk_indexes[i].kind != kind || !bulk_indexes[i].drop)
			continue;
		snprintf(sql, sizeof(sql), "DROP INDEX IF EXISTS %s",
		    bulk_indexes[i].name);
		if (exec(st, sql, "dropping an index for a bulk load") < 0) {
			ensure_indexes(st, kind);
			wal_again(st);
			return -1;
		}
	}
	st->bulk[kind] = 1;
	return 1;
}

int
store_bulk_end(struct store *st, enum entity_kind kind)
{
	if (!st->bulk[kind])
		return 0;
	/* the usual sizes first: the index's sort keeps up to the cache's
	 * size in memory */
	if (wal_sizing(st, 0) < 0 || ensure_indexes(st, kind) < 0)
		return -1;
	st->bulk[kind] = 0;
	wal_again(st);
	return 0;
}

/* Each partner's score of the latest period it has one for. */
int
store_latest_scores(struct store *st, store_row_fn fn, void *ctx)
{
	return query_rows(st, "SELECT partner_id, score FROM partner_periods p "
	    "WHERE score IS NOT NULL AND period = (SELECT max(period) FROM "
	    "partner_periods q WHERE q.partner_id = p.partner_id AND q.score IS "
	    "NOT NULL) ORDER BY partner_id", NULL, 0, fn, ctx);
}

int
store_partner_periods(struct store *st, const char *partner_id,
    const char *period, store_row_fn fn, void *ctx)
{
	const char *b[2] = { partner_id, period };

	return query_rows(st, "SELECT p.partner_id, a.name, p.period, "
	    "p.score, p.tier, p.closed_won, p.pipeline, p.risk_adjusted, "
	    "p.plan_target, p.coverage, p.risk_coverage, p.attainment, p.kpis, "
	    "p.computed_at FROM partner_periods p LEFT JOIN partners a ON "
	    "a.id = p.partner_id WHERE (?1 IS NULL OR p.partner_id = ?1) AND "
	    "(?2 IS NULL OR p.period = ?2) ORDER BY p.period, p.score IS NULL, "
	    "p.score DESC, p.partner_id", b, 2, fn, ctx);
}

int
store_crm_partner_ids(struct store *st, store_row_fn fn, void *ctx)
{
	return query_rows(st, "SELECT id FROM partners WHERE source = 'crm' AND "
	    "deleted = 0", NULL, 0, fn, ctx);
}

/* The scorecards of period for partners the CRM has (and has not deleted):
 * the only ones whose Account can be written. */
int
store_writeback_partners(struct store *st, const char *period,
    store_row_fn fn, void *ctx)
{
	const char *b[1] = { period };

	return query_rows(st, "SELECT p.partner_id, p.score, p.tier, "
	    "p.coverage, p.risk_coverage, p.attainment, p.computed_at FROM "
	    "partner_periods p JOIN partners a ON a.id = p.partner_id WHERE "
	    "p.period = ?1 AND a.source = 'crm' AND a.deleted = 0 ORDER BY "
	    "p.partner_id", b, 1, fn, ctx);
}

int
store_alert_put(struct store *st, const struct store_alert *a)
{
	sqlite3_stmt *s = cached(st, STMT_ALERT_PUT, "INSERT INTO alerts(key, "
	    "type, partner_id, subject, period, severity, message, evidence, "
	    "first_seen, last_seen, status, resolved_at) VALUES(?1, ?2, ?3, ?4, "
	    "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT(key) DO UPDATE SET "
	    "severity = ?6, message = ?7, evidence = ?8, last_seen = ?10, "
	    "status = ?11, resolved_at = ?12, first_seen = CASE WHEN status = "
	    "'resolved' AND ?11 = 'open' THEN ?9 ELSE first_seen END");

	if (s == NULL)
		return -1;
	bind_text(s, 1, a->key);
	bind_text(s, 2, a->type);
	bind_text(s, 3, a->partner_id);
	bind_text(s, 4, a->subject);
	bind_text(s, 5, a->period);
	bind_text(s, 6, a->severity);
	bind_text(s, 7, a->message);
	bind_text(s, 8, a->evidence);
	bind_text(s, 9, a->first_seen);
	bind_text(s, 10, a->last_seen);
	bind_text(s, 11, a->status);
	bind_text(s, 12, a->resolved_at);
	return run_cached(st, s, "storing an alert");
}

int
store_alert_states(struct store *st, store_row_fn fn, void *ctx)
{
	return query_rows(st, "SELECT key, type, status, severity, message, "
	    "evidence FROM alerts ORDER BY key", NULL, 0, fn, ctx);
}

/* The open conflicts a partner has a claim in. */
int
store_partner_conflicts(struct store *st, const char *partner_id,
    store_row_fn fn, void *ctx)
{
	const char *b[1] = { partner_id };

	return query_rows(st, "SELECT c.key, c.type, c.customer, c.winner, "
	    "(SELECT group_concat(member, ' ') FROM conflict_members m WHERE "
	    "m.conflict_key = c.key AND m.removed_at IS NULL AND m.partner_id = "
	    "?1) AS claims, c.opened_at FROM conflicts c WHERE c.status = 'open' "
	    "AND EXISTS (SELECT 1 FROM conflict_members m WHERE m.conflict_key = "
	    "c.key AND m.removed_at IS NULL AND m.partner_id = ?1) ORDER BY c.key",
	    b, 1, fn, ctx);
}

int
store_list_alerts(struct store *st, int all, store_row_fn fn, void *ctx)
{
	const char *b[1] = { all ? "1" : "0" };

	return query_rows(st, "SELECT a.severity, a.key, a.status, "
	    "coalesce(p.name, a.partner_id) AS partner, a.message, "
	    "a.first_seen, a.resolved_at, a.partner_id FROM alerts a LEFT JOIN "
	    "partners p ON p.id = a.partner_id WHERE ?1 = '1' OR a.status = 'open' "
	    "ORDER BY a.status, CASE a.severity WHEN 'critical' THEN 0 WHEN "
	    "'warning' THEN 1 ELSE 2 END, a.first_seen, a.key", b, 1, fn, ctx);
}

int
store_list_alert_rows(struct store *st, store_row_fn fn, void *ctx)
{
	return query_rows(st, "SELECT key, type, partner_id, subject, period, "
	    "severity, message, evidence, first_seen, last_seen, status "
	    "FROM alerts ORDER BY key", NULL, 0, fn, ctx);
}

int
store_ack_get(struct store *st, const char *object, const char *record,
    store_row_fn fn, void *ctx)
{
	const char *b[2] = { object, record };

	return query_rows(st, "SELECT field, value FROM crm_acks WHERE object = ?1 "
	    "AND record = ?2", b, 2, fn, ctx);
}

int
store_acks(struct store *st, const char *object, store_row_fn fn, void *ctx)
{
	const char *b[1] = { object };

	return query_rows(st, "SELECT record, field, value FROM crm_acks WHERE "
	    "object = ?1 ORDER BY record", b, 1, fn, ctx);
}

int
store_ack_put(struct store *st, const char *object, const char *record,
    const char *field, const char *value, const char *now)
{
	sqlite3_stmt *s = cached(st, STMT_ACK_PUT, "INSERT INTO crm_acks(object, "
	    "record, field, value, acked_at) VALUES(?1, ?2, ?3, ?4, ?5) ON "
	    "CONFLICT(object, record, field) DO UPDATE SET value = ?4, "
	    "acked_at = ?5");

	if (s == NULL)
		return -1;
	bind_text(s, 1, object);
	bind_text(s, 2, record);
	bind_text(s, 3, field);
	bind_text(s, 4, value);
	bind_text(s, 5, now);
	return run_cached(st, s, "storing an acknowledgement");
}

int
store_outbox_put(struct store *st, const char *object, const char *record,
    const char *fields, const char *now)
{
	sqlite3_stmt *s = cached(st, STMT_OUTBOX_PUT, "INSERT INTO outbox(object, "
	    "record, fields, created_at) VALUES(?1, ?2, ?3, ?4) ON "
	    "CONFLICT(object, record) DO UPDATE SET fields = ?3");

	if (s == NULL)
		return -1;
	bind_text(s, 1, object);
	bind_text(s, 2, record);
	bind_text(s, 3, fields);
	bind_text(s, 4, now);
	return run_cached(st, s, "queueing a write");
}

int
store_outbox(struct store *st, store_row_fn fn, void *ctx)
{
	return query_rows(st, "SELECT id, object, record, fields, attempts, "
	    "last_error FROM outbox ORDER BY object, id", NULL, 0, fn, ctx);
}

int
store_outbox_done(struct store *st, int64_t id, const char *error)
{
	sqlite3_stmt *s = prep(st, error ? "UPDATE outbox SET attempts = "
	    "attempts + 1, last_error = ?2 WHERE id = ?1" :
	    "DELETE FROM outbox WHERE id = ?1");

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	if (error)
		bind_text(s, 2, error);
	return run(st, s, "updating the outbox");
}

int
store_conflict_rows(struct store *st, store_row_fn fn, void *ctx)
{
	return query_rows(st, "SELECT key, type, status, customer, winner, "
	    "reason, evidence FROM conflicts ORDER BY key", NULL, 0, fn, ctx);
}

int64_t
store_outbox_failures(struct store *st)
{
	sqlite3_stmt *s = prep(st, "SELECT count(*) FROM outbox WHERE "
	    "last_error IS NOT NULL");
	int64_t n = -1;

	if (s == NULL)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}
