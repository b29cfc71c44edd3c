/*
 * store.c - opening the database: schema, migrations, transactions,
 * the page cache and journal around loads, and the SQLite helpers the
 * store's files share.
 */
#include "store_internal.h"
#include "lib/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

	/* 7: names' comparison keys are not stored: the conflict engine, the
	 * one reader, computes them with the normalizer it runs, so a newer
	 * normalizer never meets keys an older one wrote */
	"ALTER TABLE partners DROP COLUMN name_key;"
	"ALTER TABLE opportunities DROP COLUMN customer_key;"
	"ALTER TABLE registrations DROP COLUMN customer_key;",

	/* 8: pages a source could not read, by the URL asked for: failed
	 * attempts (cycles in a row), then skipped, then cleared by a full
	 * read that no longer met them */
	"CREATE TABLE bad_pages("
	" source TEXT NOT NULL, url_sha256 TEXT NOT NULL, body_sha256 TEXT NOT NULL,"
	" position TEXT NOT NULL, reason TEXT NOT NULL, bytes INTEGER NOT NULL,"
	" attempts INTEGER NOT NULL, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,"
	" skipped_at TEXT, cleared_at TEXT, PRIMARY KEY(source, url_sha256));",

	/* 9: when an opportunity was created (a direct conflict's ruling
	 * compares it with the approval of a registration); the partner's
	 * name as a registration's source gives it (to find the CRM partner
	 * when the source's id is not the CRM's) */
	"ALTER TABLE opportunities ADD COLUMN created_at TEXT;"
	"ALTER TABLE registrations ADD COLUMN partner_name TEXT;"
	/* operators' decisions on conflicts: one row each, withdrawn by a
	 * reopen (an operator's, or a new claim's) */
	"CREATE TABLE conflict_decisions("
	" id INTEGER PRIMARY KEY, conflict_key TEXT NOT NULL REFERENCES"
	" conflicts(key), winner TEXT NOT NULL, reason TEXT NOT NULL,"
	" operator TEXT NOT NULL, members TEXT NOT NULL, decided_at TEXT NOT NULL,"
	" withdrawn_at TEXT, withdrawn_by TEXT, withdrawn_why TEXT);"
	"CREATE INDEX conflict_decisions_key ON conflict_decisions(conflict_key);"
	"CREATE TABLE decision_exports("
	" decision_id INTEGER NOT NULL, member TEXT NOT NULL, source TEXT NOT NULL,"
	" exported_at TEXT NOT NULL, PRIMARY KEY(decision_id, member))"
	" WITHOUT ROWID;"
	/* what a pass compares a conflict's evidence by */
	"ALTER TABLE conflicts ADD COLUMN evidence_sha TEXT;"
	"ALTER TABLE conflicts ADD COLUMN decided_winner TEXT;"
	"ALTER TABLE conflicts ADD COLUMN decision TEXT;",

	/* 10: owners: the CRM's users, who owns each partner Account
	 * (partners.owner_field) and each opportunity, and the owner an
	 * alert is routed to (for a direct conflict also the account team's) */
	"CREATE TABLE users("
	" id TEXT PRIMARY KEY, source TEXT NOT NULL, name TEXT, email TEXT,"
	" is_active INTEGER, updated_at TEXT, origin TEXT,"
	" synced_at TEXT NOT NULL);"
	"ALTER TABLE partners ADD COLUMN owner_id TEXT;"
	/* the partner's domain as a source gives it (identity by domain) */
	"ALTER TABLE registrations ADD COLUMN partner_domain TEXT;"
	"ALTER TABLE opportunities ADD COLUMN owner_id TEXT;"
	"ALTER TABLE alerts ADD COLUMN owner_id TEXT;"
	"ALTER TABLE alerts ADD COLUMN account_owner_id TEXT;"
	"CREATE INDEX alerts_owner ON alerts(owner_id) WHERE owner_id IS NOT NULL;"
	/* rows read before owners were: read every partner and opportunity
	 * once more, so each gets its owner */
	"DELETE FROM watermarks WHERE source = 'crm' AND object IN"
	" ('partners', 'opportunities');"
	/* when an open alert's severity last went up (the digest's
	 * "escalated"), and the notifications' outbox: one row per message
	 * and channel, its key the idempotency key, sent once */
	"ALTER TABLE alerts ADD COLUMN escalated_at TEXT;"
	"CREATE TABLE notifications("
	" id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"
	" channel TEXT NOT NULL, owner_id TEXT, recipient TEXT,"
	" subject TEXT NOT NULL, body TEXT NOT NULL, message_id TEXT NOT NULL,"
	" created_at TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
	" next_at TEXT NOT NULL, last_error TEXT, sent_at TEXT, gave_up_at TEXT);"
	"CREATE INDEX notifications_due ON notifications(next_at)"
	" WHERE sent_at IS NULL AND gave_up_at IS NULL;"
	"CREATE INDEX notifications_owner ON notifications(owner_id, kind);",

	/* 11: MDF (contract §3 mdf): a claim's fund request, a request's
	 * campaign, an opportunity's campaign, for the MDF ROI; the
	 * opportunities are read once more so old rows get their campaign */
	"ALTER TABLE activities ADD COLUMN request_id TEXT;"
	"ALTER TABLE activities ADD COLUMN campaign_id TEXT;"
	"ALTER TABLE opportunities ADD COLUMN campaign_id TEXT;"
	"DELETE FROM watermarks WHERE source = 'crm' AND object = 'opportunities';"
	/* possible matches (contract §7): two names alike below the
	 * threshold, listed for an operator, who confirms or rejects */
	"CREATE TABLE possible_matches("
	" key TEXT PRIMARY KEY, pair TEXT NOT NULL UNIQUE,"
	" name_key_a TEXT NOT NULL, name_key_b TEXT NOT NULL,"
	" name_a TEXT, name_b TEXT, claim_a TEXT, claim_b TEXT,"
	" score REAL NOT NULL, measure TEXT NOT NULL, why TEXT,"
	" status TEXT NOT NULL DEFAULT 'open', first_seen TEXT NOT NULL,"
	" last_seen TEXT NOT NULL, decided_by TEXT, decided_at TEXT, reason TEXT);",
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

void
sq_set_err(struct store *st, const char *what)
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

int
sq_exec(struct store *st, const char *sql, const char *what)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		sq_set_err(st, what);
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
		sq_set_err(st, "reading the schema version");
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
	return sq_exec(st, loading ? "PRAGMA wal_autocheckpoint=16384" :
	    "PRAGMA wal_autocheckpoint=1000", "sizing checkpoints") < 0 ||
	    sq_exec(st, loading ? "PRAGMA journal_size_limit=-1" :
	    "PRAGMA journal_size_limit=16777216", "sizing the WAL") < 0 ||
	    sq_exec(st, loading ? "PRAGMA cache_size=-" BULK_CACHE_KB :
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

	if (sq_exec(st, "PRAGMA temp_store=FILE", "sorting in a file") < 0)
		return -1;
	for (i = 0; i < sizeof(bulk_indexes) / sizeof(bulk_indexes[0]); i++) {
		if (kind != ENTITY_COUNT && (int)bulk_indexes[i].kind != kind)
			continue;
		if (sq_exec(st, bulk_indexes[i].create, "building an index") == 0)
			continue;
		code = sqlite3_errcode(st->db) & 0xff;
		/* no temporary file: this one and the rest sorted in memory;
		 * anything else (busy, the database's own trouble) stops */
		if (!in_file || (code != SQLITE_CANTOPEN && code != SQLITE_IOERR &&
		    code != SQLITE_FULL) || sq_exec(st, "PRAGMA temp_store=MEMORY",
		    "sorting in memory") < 0 || sq_exec(st, bulk_indexes[i].create,
		    "building an index") < 0) {
			/* the error is the build's: kept while memory is set */
			sqlite3_exec(st->db, "PRAGMA temp_store=MEMORY", NULL, NULL,
			    NULL);
			return -1;
		}
		in_file = 0;
	}
	return sq_exec(st, "PRAGMA temp_store=MEMORY", "keeping statement journals "
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
		if (sq_exec(st, migrations[v], sql) < 0)
			goto fail;
		snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", v + 1);
		if (sq_exec(st, sql, "setting the schema version") < 0)
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
		if (sq_exec(st, "PRAGMA journal_mode=WAL", "enabling WAL") < 0 ||
		    sq_exec(st, "PRAGMA synchronous=FULL", "setting synchronous") < 0 ||
		    sq_exec(st, "PRAGMA foreign_keys=ON", "enabling foreign keys") < 0 ||
		    wal_sizing(st, 0) < 0 ||
		    /* a statement of many rows keeps a statement journal to
		     * undo its earlier rows if a later one fails; once past
		     * 64 KB it went to a temporary file, and a million-record
		     * sync wrote 1.7 GB there. In memory, it is a page copy. */
		    sq_exec(st, "PRAGMA temp_store=MEMORY", "keeping statement "
		    "journals in memory") < 0 ||
		    migrate(st) < 0 || ensure_indexes(st, ENTITY_COUNT) < 0) {
			snprintf(err, errlen, "%s: %s", path, st->err);
			goto fail;
		}
	} else {
		if (sq_exec(st, "PRAGMA query_only=ON", "opening read-only") < 0 ||
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
	if (sq_exec(st, "BEGIN IMMEDIATE", "starting a transaction") < 0)
		return -1;
	st->in_tx = 1;
	return 0;
}

int
store_commit(struct store *st)
{
	if (sq_exec(st, "COMMIT", "committing") < 0) {
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
sqlite3_stmt *
sq_prep(struct store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		sq_set_err(st, "preparing a statement");
		return NULL;
	}
	return s;
}

/* A prepared statement kept for the handle's life, reset for reuse. */
sqlite3_stmt *
sq_cached(struct store *st, int id, const char *sql)
{
	if (st->cached[id]) {
		sqlite3_reset(st->cached[id]);
		sqlite3_clear_bindings(st->cached[id]);
		return st->cached[id];
	}
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &st->cached[id], NULL) != SQLITE_OK) {
		sq_set_err(st, "preparing a statement");
		st->cached[id] = NULL;
	}
	return st->cached[id];
}

/* Steps a cached statement once. */
int
sq_run_cached(struct store *st, sqlite3_stmt *s, const char *what)
{
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		sq_set_err(st, what);
		return -1;
	}
	return 0;
}

void
sq_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

/* For values that outlive the statement's next reset. */
void
sq_bind_static(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

void
sq_bind_id(sqlite3_stmt *s, int i, int64_t v)
{
	if (v > 0)
		sqlite3_bind_int64(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

/* Steps a write statement to completion, then finalizes it. */
int
sq_run(struct store *st, sqlite3_stmt *s, const char *what)
{
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		sq_set_err(st, what);
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
int
sq_query_text(struct store *st, const char *sql, const char *a, const char *b,
    char **ret, const char *what)
{
	sqlite3_stmt *s = sq_prep(st, sql);
	int rc;

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, a);
	if (b)
		sq_bind_text(s, 2, b);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*ret = xstrdup((const char *)sqlite3_column_text(s, 0));
		rc = 1;
	} else if (rc == SQLITE_DONE)
		rc = 0;
	else {
		sq_set_err(st, what);
		rc = -1;
	}
	sqlite3_finalize(s);
	return rc;
}

int
store_meta_get(struct store *st, const char *key, char **ret)
{
	return sq_query_text(st, "SELECT value FROM meta WHERE key = ?", key, NULL,
	    ret, "reading meta");
}

int
store_meta_set(struct store *st, const char *key, const char *value)
{
	sqlite3_stmt *s = sq_prep(st, "INSERT INTO meta(key, value) VALUES(?, ?) "
	    "ON CONFLICT(key) DO UPDATE SET value = excluded.value");

	if (s == NULL)
		return -1;
	sq_bind_text(s, 1, key);
	sq_bind_text(s, 2, value);
	return sq_run(st, s, "writing meta");
}

char *
sq_dup_col(sqlite3_stmt *s, int i)
{
	const char *v = (const char *)sqlite3_column_text(s, i);

	return v ? xstrdup(v) : NULL;
}

const char *
sq_col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

/* Ends a read loop that stopped at step result rc: finalizes s; -1 (the
 * error kept as "what: ...") when rc is neither a row nor the end. */
int
sq_read_end(struct store *st, sqlite3_stmt *s, int rc, const char *what)
{
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sq_set_err(st, what);
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	return 0;
}

/* ---- listings for chansyncctl ---- */

/* Calls fn for each row of s, then finalizes it; *stopped (when not NULL)
 * says whether fn stopped the reading. */
int
sq_rows_until(struct store *st, sqlite3_stmt *s, store_row_fn fn, void *ctx,
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
			vals[i] = sq_col_text(s, i);
		}
		if (fn(ctx, &row))
			break;
	}
	if (stopped)
		*stopped = rc == SQLITE_ROW;
	return sq_read_end(st, s, rc, "reading");
}

int
sq_rows(struct store *st, sqlite3_stmt *s, store_row_fn fn, void *ctx)
{
	return sq_rows_until(st, s, fn, ctx, NULL);
}

/* ---- plans, scores, alerts, write-back ---- */

/* Runs a read query with text parameters (NULL binds NULL). */
int
sq_query_rows(struct store *st, const char *sql, const char *const *binds,
    int nbinds, store_row_fn fn, void *ctx)
{
	sqlite3_stmt *s = sq_prep(st, sql);
	int i;

	if (s == NULL)
		return -1;
	for (i = 0; i < nbinds; i++)
		sq_bind_text(s, i + 1, binds[i]);
	return sq_rows(st, s, fn, ctx);
}

/*
 * The page cache: full (16 MB) while syncing, where upserts need it, and
 * small while the passes after the sync scan tables once, so that its
 * pages are free for the conflict index instead of adding to it.
 */
int
store_cache_small(struct store *st, int small)
{
	return sq_exec(st, small ? "PRAGMA cache_size=-1024" :
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
	if ((s = sq_prep(st, sql)) == NULL)
		return -1;
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 0;	/* not empty: rows are placed among others */
	if (rc != SQLITE_DONE) {
		sq_set_err(st, "reading");
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
		if (sq_exec(st, sql, "dropping an index for a bulk load") < 0) {
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

int
store_quick_check(struct store *st, char *out, size_t outlen)
{
	sqlite3_stmt *s = sq_prep(st, "PRAGMA quick_check(5)");
	int rc, bad = 0;
	size_t n = 0;

	out[0] = '\0';
	if (s == NULL) {
		snprintf(out, outlen, "%s", st->err);
		return 1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *v = sq_col_text(s, 0);

		if (v && strcmp(v, "ok") == 0)
			continue;
		bad = 1;
		if (n + 3 < outlen)
			n += (size_t)snprintf(out + n, outlen - n, "%s%s", n ? "; " : "",
			    v ? v : "?");
	}
	if (rc != SQLITE_DONE) {
		snprintf(out + n, outlen - n, "%s%s", n ? "; " : "",
		    sqlite3_errmsg(st->db));
		bad = 1;
	}
	sqlite3_finalize(s);
	return bad;
}
