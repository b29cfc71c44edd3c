/* test_store.c - the SQLite store: schema, migration, upserts, triggers. */
#include "model/entity.h"
#include "store/store.h"
#include "t.h"
#include "t_sql.h"

#include <sqlite3.h>	/* an old-version file for the migration test; readers */
#include <signal.h>
#include <sys/wait.h>

static char *
dbpath(const char *name)
{
	static char p[512];

	snprintf(p, sizeof(p), "%s/%s", t_tmpdir(), name);
	return p;
}

static int
count_cb(void *ctx, const struct store_row *row)
{
	(void)row;
	(*(int *)ctx)++;
	return 0;
}

static void
make_reg(struct record *r, const char *ext, const char *status,
    const char *updated)
{
	int i;

	record_init(r, ENTITY_REGISTRATIONS, "dist");
	r->val[entity_field_index(ENTITY_REGISTRATIONS, "external_id")] = strdup(ext);
	r->val[entity_field_index(ENTITY_REGISTRATIONS, "partner_id")] = strdup("001A");
	r->val[entity_field_index(ENTITY_REGISTRATIONS, "customer_name")] =
	    strdup("Acme");
	r->val[entity_field_index(ENTITY_REGISTRATIONS, "status")] = strdup(status);
	i = entity_field_index(ENTITY_REGISTRATIONS, "amount");
	r->val[i] = strdup("100");
	r->num[i] = 100;
	if (updated)
		r->val[entity_field_index(ENTITY_REGISTRATIONS, "updated_at")] =
		    strdup(updated);
	r->key = malloc(64);
	snprintf(r->key, 64, "dist:%s", ext);
	r->amount_base = 108;
	r->has_amount_base = 1;
}

static void
partner(struct store *st, const char *id, const char *source, int deleted)
{
	struct record r;
	struct store_partner_period pp;
	double score = 50;
	int i;

	record_init(&r, ENTITY_PARTNERS, source);
	r.val[entity_field_index(ENTITY_PARTNERS, "id")] = strdup(id);
	r.val[entity_field_index(ENTITY_PARTNERS, "name")] = strdup(id);
	if (deleted) {
		i = entity_field_index(ENTITY_PARTNERS, "deleted");
		r.val[i] = strdup("1");
		r.num[i] = 1;
	}
	r.key = strdup(id);
	CHECK(store_upsert(st, &r, "2026-11-20T00:00:00Z") >= 0);
	record_clear(&r);
	memset(&pp, 0, sizeof(pp));
	pp.partner_id = id;
	pp.period = "2026-Q4";
	pp.score = &score;
	pp.tier = "silver";
	pp.kpis = "{}";
	CHECK(store_partner_period_put(st, &pp, "2026-11-20T00:00:00Z") == 0);
}

static int
ids_cb(void *ctx, const struct store_row *row)
{
	char *out = ctx;

	strcat(out, row->vals[0]);
	strcat(out, " ");
	return 0;
}

/* Only the CRM's own, live partners are written back. */
static void
test_writeback_partners(void)
{
	char err[256], ids[256] = "";
	struct store *st = store_open(dbpath("wb.db"), STORE_RW, err, sizeof(err));

	CHECK(st != NULL);
	if (st == NULL)
		return;
	partner(st, "0015g000AAAAAAAAAA", "crm", 0);
	partner(st, "P-FROM-PORTAL", "portal", 0);
	partner(st, "0015g000BBBBBBBBBB", "crm", 1);
	CHECK(store_writeback_partners(st, "2026-Q4", ids_cb, ids) == 0);
	CHECK_STR(ids, "0015g000AAAAAAAAAA ");
	ids[0] = '\0';
	CHECK(store_crm_partner_ids(st, ids_cb, ids) == 0);
	CHECK_STR(ids, "0015g000AAAAAAAAAA ");
	store_close(st);
}

static void
test_open_and_upsert(void)
{
	char err[256];
	struct store *st = store_open(dbpath("a.db"), STORE_RW, err, sizeof(err));
	struct record r;
	int n = 0;

	CHECK(st != NULL);
	if (st == NULL)
		return;
	CHECK(store_begin(st) == 0);
	make_reg(&r, "R1", "pending", "2026-11-01T00:00:00Z");
	CHECK_INT(store_upsert(st, &r, "2026-11-27T00:00:00Z"), 1);
	record_clear(&r);
	/* the same key again: updated in place, not duplicated */
	make_reg(&r, "R1", "approved", "2026-11-02T00:00:00Z");
	CHECK_INT(store_upsert(st, &r, "2026-11-27T00:00:00Z"), 1);
	record_clear(&r);
	/* an older version is skipped */
	make_reg(&r, "R1", "rejected", "2026-10-01T00:00:00Z");
	CHECK_INT(store_upsert(st, &r, "2026-11-27T00:00:00Z"), 0);
	record_clear(&r);
	CHECK(store_commit(st) == 0);
	CHECK_INT(store_count(st, "registrations"), 1);
	CHECK(store_list_registrations(st, NULL, 0, count_cb, &n) == 0);
	CHECK_INT(n, 1);
	store_close(st);
}

/*
 * Many records a statement: the same rows as one at a time, a key twice
 * within one statement updated in order (a newer version applied, an
 * older one skipped), a key of an earlier statement again (older:
 * skipped), and a tail shorter than a statement. Run twice: as an
 * incremental sync stores them (upserts), and as a first load into an
 * empty table does (INSERT OR IGNORE, falling back to the upsert for a
 * statement that left a row out): the same rows either way.
 */
static void
test_upsert_many_as(int bulk)
{
	char err[256], ext[16], path[512];
	struct store *st;
	struct record recs[150];
	const struct record *ptr[150];
	size_t i;

	snprintf(path, sizeof(path), "%s", dbpath(bulk ? "many-bulk.db" :
	    "many.db"));
	st = store_open(path, STORE_RW, err, sizeof(err));
	CHECK(st != NULL);
	if (st == NULL)
		return;
	for (i = 0; i < 150; i++) {
		if (i == 5)	/* R2 again, newer, in the same statement */
			make_reg(&recs[i], "R2", "approved", "2026-11-05T00:00:00Z");
		else if (i == 20)	/* R3 again, older: skipped */
			make_reg(&recs[i], "R3", "rejected", "2026-10-01T00:00:00Z");
		else if (i == 100)	/* R10 of the first statement, older */
			make_reg(&recs[i], "R10", "rejected", "2026-10-01T00:00:00Z");
		else {
			snprintf(ext, sizeof(ext), "R%zu", i);
			make_reg(&recs[i], ext, "pending", "2026-11-01T00:00:00Z");
		}
		ptr[i] = &recs[i];
	}
	if (bulk)
		CHECK_INT(store_bulk_begin(st, ENTITY_REGISTRATIONS), 1);
	CHECK(store_begin(st) == 0);
	CHECK(store_upsert_many(st, ptr, 150, "2026-11-27T00:00:00Z") == 0);
	CHECK(store_commit(st) == 0);
	if (bulk)
		CHECK(store_bulk_end(st, ENTITY_REGISTRATIONS) == 0);
	for (i = 0; i < 150; i++)
		record_clear(&recs[i]);
	CHECK_INT(store_count(st, "registrations"), 147);
	CHECK_STR(t_sql(path, "SELECT status FROM registrations WHERE key = 'dist:R2'"),
	    "approved");
	CHECK_STR(t_sql(path, "SELECT status FROM registrations WHERE key = 'dist:R3'"),
	    "pending");
	CHECK_STR(t_sql(path, "SELECT status FROM registrations WHERE key = 'dist:R10'"),
	    "pending");
	CHECK_STR(t_sql(path, "SELECT count(*) FROM registrations WHERE key = "
	    "'dist:R149' AND amount_base = 108 AND synced_at = "
	    "'2026-11-27T00:00:00Z'"), "1");
	CHECK_STR(t_sql(path, "SELECT count(*) FROM registrations WHERE key = "
	    "'dist:R100' AND status = 'pending'"), "0");
	CHECK_STR(t_sql(path, "SELECT count(*) FROM registrations WHERE key = "
	    "'dist:R99' AND status = 'pending'"), "1");
	store_close(st);
}

static void
test_upsert_many(void)
{
	test_upsert_many_as(0);
	test_upsert_many_as(1);
}

/* A bulk load's one record (B1), committed, and the load's end. */
static void
load_one(struct store *st)
{
	struct record r;

	CHECK(store_begin(st) == 0);
	make_reg(&r, "B1", "pending", "2026-11-01T00:00:00Z");
	CHECK_INT(store_upsert(st, &r, "2026-11-27T00:00:00Z"), 1);
	record_clear(&r);
	CHECK(store_commit(st) == 0);
	CHECK(store_bulk_end(st, ENTITY_REGISTRATIONS) == 0);
}

/*
 * A first load into an empty table drops the partner index and builds it
 * after; the synced-at index stays throughout. A store closed in between
 * (a crash) has the index back when it is opened again.
 */
static void
test_bulk_indexes(void)
{
	char err[256], path[512];
	struct store *st;
	const char *idx = "SELECT group_concat(name, ' ') FROM (SELECT name FROM "
	    "sqlite_master WHERE type = 'index' AND tbl_name = 'registrations' "
	    "AND name NOT LIKE 'sqlite_%' ORDER BY name)";

	snprintf(path, sizeof(path), "%s", dbpath("bulk.db"));
	st = store_open(path, STORE_RW, err, sizeof(err));
	CHECK(st != NULL);
	if (st == NULL)
		return;
	CHECK_STR(t_sql(path, idx), "registrations_partner registrations_synced");
	CHECK_STR(t_sql(path, "PRAGMA journal_mode"), "wal");
	CHECK_INT(store_bulk_begin(st, ENTITY_REGISTRATIONS), 1);
	CHECK_STR(t_sql(path, idx), "registrations_synced");
	/* the load writes its pages once: a rollback journal, not the WAL */
	CHECK_STR(t_sql(path, "PRAGMA journal_mode"), "delete");
	load_one(st);
	CHECK_STR(t_sql(path, idx), "registrations_partner registrations_synced");
	CHECK_STR(t_sql(path, "PRAGMA journal_mode"), "wal");
	/* not empty any more: no bulk load */
	CHECK_INT(store_bulk_begin(st, ENTITY_REGISTRATIONS), 0);
	store_close(st);

	/* dropped, then the process dies: the next open builds it */
	snprintf(path, sizeof(path), "%s", dbpath("bulk2.db"));
	st = store_open(path, STORE_RW, err, sizeof(err));
	CHECK(st != NULL);
	if (st == NULL)
		return;
	CHECK_INT(store_bulk_begin(st, ENTITY_REGISTRATIONS), 1);
	store_close(st);
	CHECK_STR(t_sql(path, idx), "registrations_synced");
	st = store_open(path, STORE_RW, err, sizeof(err));
	CHECK(st != NULL);
	CHECK_STR(t_sql(path, idx), "registrations_partner registrations_synced");
	CHECK_STR(t_sql(path, "PRAGMA journal_mode"), "wal");
	store_close(st);
}

/*
 * Another connection has the database open when a load starts (a
 * chansyncctl): the load cannot leave WAL, and runs in it.
 */
static void
test_bulk_with_a_reader(void)
{
	char err[256], path[512];
	struct store *st;
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s", dbpath("bulk-reader.db"));
	st = store_open(path, STORE_RW, err, sizeof(err));
	CHECK(st != NULL);
	if (st == NULL)
		return;
	CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "SELECT count(*) FROM registrations", NULL, NULL,
	    NULL) == SQLITE_OK);
	CHECK_INT(store_bulk_begin(st, ENTITY_REGISTRATIONS), 1);
	CHECK_STR(t_sql(path, "PRAGMA journal_mode"), "wal");
	load_one(st);
	sqlite3_close(db);
	CHECK_STR(t_sql(path, "SELECT count(*) FROM registrations"), "1");
	CHECK_STR(t_sql(path, "PRAGMA journal_mode"), "wal");
	store_close(st);
}

/*
 * kill -9 in the middle of a load's transaction, after it had spilled
 * pages to the database file: the next open rolls the hot journal back
 * (the committed rows stay, the rest is gone, the file is intact) and is
 * in WAL again.
 */
static void
test_bulk_killed_mid_transaction(void)
{
	char err[256], path[512], journal[520];
	struct store *st;
	struct stat sb;
	pid_t pid;
	int status;

	snprintf(path, sizeof(path), "%s", dbpath("bulk-kill.db"));
	snprintf(journal, sizeof(journal), "%s-journal", path);
	pid = fork();
	if (pid == 0) {
		static struct record recs[20000];
		static const struct record *ptr[20000];
		char ext[16];
		size_t i;

		st = store_open(path, STORE_RW, err, sizeof(err));
		if (st == NULL || store_bulk_begin(st, ENTITY_REGISTRATIONS) != 1)
			_exit(2);
		for (i = 0; i < 20000; i++) {
			snprintf(ext, sizeof(ext), "K%05zu", i);
			make_reg(&recs[i], ext, "pending", "2026-11-01T00:00:00Z");
			ptr[i] = &recs[i];
		}
		if (store_begin(st) < 0 || store_upsert_many(st, ptr, 100,
		    "2026-11-27T00:00:00Z") < 0 || store_commit(st) < 0)
			_exit(3);
		/* a small cache: the next transaction spills to the file */
		if (store_cache_small(st, 1) < 0 || store_begin(st) < 0 ||
		    store_upsert_many(st, ptr + 100, 19900,
		    "2026-11-27T00:00:00Z") < 0)
			_exit(4);
		kill(getpid(), SIGKILL);
		_exit(5);
	}
	CHECK(pid > 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	/* the journal is hot: it holds the pages the spill overwrote */
	CHECK(stat(journal, &sb) == 0 && sb.st_size > 0);
	st = store_open(path, STORE_RW, err, sizeof(err));
	CHECK(st != NULL);
	if (st == NULL)
		return;
	CHECK_INT(store_count(st, "registrations"), 100);
	CHECK_STR(t_sql(path, "PRAGMA integrity_check"), "ok");
	CHECK_STR(t_sql(path, "PRAGMA journal_mode"), "wal");
	CHECK_STR(t_sql(path, "SELECT count(*) FROM sqlite_master WHERE name = "
	    "'registrations_partner'"), "1");
	CHECK(stat(journal, &sb) < 0);
	store_close(st);
}

static void
test_rollback_leaves_nothing(void)
{
	char err[256];
	struct store *st = store_open(dbpath("b.db"), STORE_RW, err, sizeof(err));
	struct record r;

	CHECK(st != NULL);
	if (st == NULL)
		return;
	CHECK(store_begin(st) == 0);
	make_reg(&r, "R9", "pending", NULL);
	CHECK_INT(store_upsert(st, &r, "2026-11-27T00:00:00Z"), 1);
	record_clear(&r);
	store_rollback(st);
	CHECK_INT(store_count(st, "registrations"), 0);
	store_close(st);
}

static void
test_meta_watermark(void)
{
	char err[256], *v = NULL;
	struct store *st = store_open(dbpath("c.db"), STORE_RW, err, sizeof(err));

	CHECK(st != NULL);
	if (st == NULL)
		return;
	CHECK_INT(store_meta_get(st, "x", &v), 0);
	CHECK(store_meta_set(st, "x", "1") == 0);
	CHECK(store_meta_set(st, "x", "2") == 0);
	CHECK_INT(store_meta_get(st, "x", &v), 1);
	CHECK_STR(v, "2");
	free(v);
	CHECK_INT(store_watermark_get(st, "crm", "Opportunity", &v), 0);
	CHECK(store_watermark_set(st, "crm", "Opportunity", "2026-11-01T00:00:00Z",
	    "now") == 0);
	CHECK_INT(store_watermark_get(st, "crm", "Opportunity", &v), 1);
	CHECK_STR(v, "2026-11-01T00:00:00Z");
	free(v);
	/* a reset touches every object of its source and no other source */
	CHECK(store_watermark_set(st, "crm", "Account", "2026-11-02T00:00:00Z",
	    "now") == 0);
	CHECK(store_watermark_set(st, "portal", "updated_at",
	    "2026-11-03T00:00:00Z", "now") == 0);
	CHECK_INT(store_watermarks_reset(st, "crm", "2026-01-01T00:00:00Z",
	    "later"), 2);
	CHECK_INT(store_watermark_get(st, "crm", "Account", &v), 1);
	CHECK_STR(v, "2026-01-01T00:00:00Z");
	free(v);
	CHECK_INT(store_watermarks_reset(st, "crm", NULL, "later"), 2);
	CHECK_INT(store_watermark_get(st, "crm", "Opportunity", &v), 0);
	CHECK_INT(store_watermarks_reset(st, "crm", NULL, "later"), 0);
	CHECK_INT(store_watermark_get(st, "portal", "updated_at", &v), 1);
	CHECK_STR(v, "2026-11-03T00:00:00Z");
	free(v);
	store_close(st);
}

/* An unreadable page counted, skipped, met again and cleared. */
static void
test_bad_pages(void)
{
	char err[256];
	const char *path = dbpath("bp.db");
	struct store *st = store_open(path, STORE_RW, err, sizeof(err));
	struct store_bad_page p = { "hub", "u1", "b1", "page 2", "invalid JSON", 35 };
	struct store_bad_page moved = { "hub", "u2", "b1", "page 3", "invalid JSON", 35 };
	struct store_bad_page other = { "hub", "u3", "b3", "page 4", "invalid JSON", 9 };
	int skipped = -1;

	CHECK(st != NULL);
	if (st == NULL)
		return;
	CHECK_INT(store_page_failed(st, &p, "t1", &skipped), 1);
	CHECK_INT(skipped, 0);
	CHECK_INT(store_page_failed(st, &p, "t2", &skipped), 2);
	CHECK_INT(store_page_failed(st, &other, "t2", &skipped), 1);
	CHECK(store_page_skip(st, "hub", "u1", "t3") == 0);
	/* the same bytes at another URL: skipped at once, nothing counted */
	CHECK_INT(store_page_failed(st, &moved, "t4", &skipped), 0);
	CHECK_INT(skipped, 1);
	/* an incremental read to its end forgets the counts, keeps the skip */
	CHECK(store_pages_read_ok(st, "hub", 0, "t5") == 0);
	CHECK_STR(t_sql(path, "SELECT count(*) FROM bad_pages"), "1");
	CHECK_STR(t_sql(path, "SELECT count(*) FROM bad_pages WHERE "
	    "cleared_at IS NULL"), "1");
	/* a full read that met nothing clears it; met again, it counts anew */
	CHECK(store_pages_read_ok(st, "hub", 1, "t6") == 0);
	CHECK_STR(t_sql(path, "SELECT count(*) FROM bad_pages WHERE "
	    "cleared_at IS NULL"), "0");
	CHECK_INT(store_page_failed(st, &moved, "t7", &skipped), 1);
	CHECK_INT(skipped, 0);
	CHECK_INT(store_page_failed(st, &p, "t7", &skipped), 1);
	CHECK_STR(t_sql(path, "SELECT count(*) FROM bad_pages WHERE "
	    "skipped_at IS NULL"), "2");
	store_close(st);
}

static void
test_audit_rows_are_append_only(void)
{
	char err[256];
	struct store *st = store_open(dbpath("d.db"), STORE_RW, err, sizeof(err));
	struct store_audit_row row;
	sqlite3 *db;
	char *msg = NULL;

	CHECK(st != NULL);
	if (st == NULL)
		return;
	memset(&row, 0, sizeof(row));
	row.seq = 1;
	row.ts = "2026-11-27T00:00:00.000000Z";
	row.actor = "t";
	row.action = "x";
	row.detail = "{}";
	row.alg = "sha256";
	CHECK(store_audit_insert(st, &row) == 0);
	store_close(st);
	/* an ordinary connection cannot change or remove audit rows */
	CHECK(sqlite3_open(dbpath("d.db"), &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "UPDATE audit SET action='y'", NULL, NULL, &msg) !=
	    SQLITE_OK);
	CHECK(msg && strstr(msg, "append-only"));
	sqlite3_free(msg);
	msg = NULL;
	CHECK(sqlite3_exec(db, "DELETE FROM audit", NULL, NULL, &msg) != SQLITE_OK);
	CHECK(msg && strstr(msg, "append-only"));
	sqlite3_free(msg);
	sqlite3_close(db);
}

static int
pragma_int(const char *path, const char *pragma)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int v = -1;

	sqlite3_open(path, &db);
	if (sqlite3_prepare_v2(db, pragma, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* A version-1 file (as the first release wrote it) upgrades in place. */
static void
test_migration_from_v1(void)
{
	char err[256], *sql = NULL;
	const char *path = dbpath("old.db");
	FILE *f = fopen("tests/fixtures/store-v1.sql", "r");
	struct store *st;
	sqlite3 *db;
	long len;
	int n = 0;

	CHECK(f != NULL);
	if (f == NULL)
		return;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	sql = calloc(1, (size_t)len + 1);
	CHECK(fread(sql, 1, (size_t)len, f) == (size_t)len);
	fclose(f);
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	free(sql);
	CHECK_INT(pragma_int(path, "PRAGMA user_version"), 1);
	st = store_open(path, STORE_RW, err, sizeof(err));
	CHECK(st != NULL);
	if (st == NULL) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	CHECK_INT(pragma_int(path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	/* the old rows are still there, and the new table works */
	CHECK_INT(store_count(st, "registrations"), 2);
	CHECK_INT(store_count(st, "audit"), 1);
	CHECK_INT(store_count(st, "files"), 0);
	CHECK(store_list_registrations(st, "dist", 0, count_cb, &n) == 0);
	CHECK_INT(n, 2);
	/* 6: the opportunities' partner index holds only partnered rows */
	CHECK(strstr(t_sql(path, "SELECT sql FROM sqlite_master WHERE name = "
	    "'opportunities_partner'"), "WHERE partner_id IS NOT NULL") != NULL);
	store_close(st);
	/* read-only opening refuses an older schema with advice */
	st = store_open(path, STORE_RDONLY, err, sizeof(err));
	CHECK(st != NULL);
	store_close(st);
}

static void
test_newer_schema_refused(void)
{
	char err[256];
	const char *path = dbpath("new.db");
	sqlite3 *db;
	struct store *st;

	sqlite3_open(path, &db);
	sqlite3_exec(db, "PRAGMA user_version=99", NULL, NULL, NULL);
	sqlite3_close(db);
	st = store_open(path, STORE_RW, err, sizeof(err));
	CHECK(st == NULL);
	CHECK(strstr(err, "newer than this chansync") != NULL);
}

static void
test_wal_and_foreign_keys(void)
{
	char err[256];
	struct store *st = store_open(dbpath("e.db"), STORE_RW, err, sizeof(err));
	sqlite3 *db;
	sqlite3_stmt *s;

	CHECK(st != NULL);
	sqlite3_open(dbpath("e.db"), &db);
	sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL);
	CHECK(sqlite3_step(s) == SQLITE_ROW);
	CHECK_STR((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	sqlite3_close(db);
	/* a quarantine row must reference an existing cycle */
	{
		struct store_quarantine q = { 12345, "dist", "a:1", NULL, NULL,
			"why", NULL };

		CHECK(store_quarantine_add(st, &q, "now") < 0);
		CHECK_INT(store_errclass(st), STORE_ECONSTRAINT);
	}
	store_close(st);
}

/* A claim row as text: "kind key partner name domain country status
 * deleted is_closed", NULL as "-". */
static int
claims_cb(void *ctx, const struct conflict_claim_row *row)
{
	const char *v[] = { row->is_opportunity ? "opportunity" : "registration",
		row->key, row->partner_id, row->customer_name, row->customer_domain,
		row->customer_country, row->status };
	char *out = ctx;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		strcat(out, v[i] ? v[i] : "-");
		strcat(out, " ");
	}
	strcat(out, row->deleted ? "1 " : "0 ");
	strcat(out, row->is_closed ? "1\n" : "0\n");
	return 0;
}

static int
claim_count_cb(void *ctx, const struct conflict_claim_row *row)
{
	(void)row;
	(*(int *)ctx)++;
	return 0;
}

static int
stop_cb(void *ctx, const struct conflict_claim_row *row)
{
	(void)row;
	(*(int *)ctx)++;
	return 1;
}

/* The conflict index's first read: active registrations, then open
 * direct opportunities in the claims' shape (their own query). */
static void
test_conflict_claims_first_read(void)
{
	char err[256], out[2048] = "", longid[200], want[2048];
	struct store *st = store_open(dbpath("claims.db"), STORE_RW, err, sizeof(err));
	struct record r;
	sqlite3 *db;
	int n = 0;

	CHECK(st != NULL);
	if (st == NULL)
		return;
	make_reg(&r, "R1", "approved", NULL);
	CHECK(store_upsert(st, &r, "2026-11-20T00:00:00Z") >= 0);
	record_clear(&r);
	make_reg(&r, "R2", "rejected", NULL);
	CHECK(store_upsert(st, &r, "2026-11-20T00:00:00Z") >= 0);
	record_clear(&r);
	/* an id longer than the reader's first key buffer */
	memset(longid, 'x', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	CHECK(sqlite3_open(dbpath("claims.db"), &db) == SQLITE_OK);
	{
		char sql[1024];

		snprintf(sql, sizeof(sql), "INSERT INTO opportunities(id, source, "
		    "customer_name, customer_domain, customer_country, partner_id, "
		    "stage, is_closed, deleted, synced_at) VALUES "
		    "('006A', 'crm', 'Acme', 'acme.com', 'DE', NULL, 'Prospecting', 0, 0, 'x'),"
		    "('006B', 'crm', 'Beta', NULL, NULL, NULL, NULL, NULL, 0, 'x'),"
		    "('006C', 'crm', 'Gamma', NULL, NULL, '001P', 'Closed Won', 0, 0, 'x'),"
		    "('006D', 'crm', 'Delta', NULL, NULL, NULL, 'Closed Lost', 1, 0, 'x'),"
		    "('006E', 'crm', 'Eps', NULL, NULL, NULL, 'Prospecting', 0, 1, 'x'),"
		    "('%s', 'crm', 'Long', NULL, NULL, NULL, 'Qualify', 0, 0, 'x')",
		    longid);
		CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
	}
	sqlite3_close(db);
	CHECK(store_conflict_claims(st, NULL, 1, claims_cb, out) == 0);
	snprintf(want, sizeof(want),
	    "registration dist:R1 001A Acme - - approved 0 0\n"
	    "opportunity opportunity:006A - Acme acme.com DE Prospecting 0 0\n"
	    "opportunity opportunity:006B - Beta - - - 0 0\n"
	    "opportunity opportunity:%s - Long - - Qualify 0 0\n", longid);
	CHECK_STR(out, want);
	/* without direct claims: the registrations alone */
	out[0] = '\0';
	CHECK(store_conflict_claims(st, NULL, 0, claims_cb, out) == 0);
	CHECK_STR(out, "registration dist:R1 001A Acme - - approved 0 0\n");
	/* a callback that stops: no row after it, from either query */
	CHECK(store_conflict_claims(st, NULL, 1, stop_cb, &n) == 0);
	CHECK_INT(n, 1);
	n = 0;
	CHECK(store_conflict_claims(st, "", 1, claim_count_cb, &n) == 0);
	CHECK_INT(n, 4);
	store_close(st);
}

int
main(void)
{
	T_RUN(test_open_and_upsert);
	T_RUN(test_upsert_many);
	T_RUN(test_bulk_indexes);
	T_RUN(test_bulk_with_a_reader);
	T_RUN(test_bulk_killed_mid_transaction);
	T_RUN(test_rollback_leaves_nothing);
	T_RUN(test_meta_watermark);
	T_RUN(test_bad_pages);
	T_RUN(test_audit_rows_are_append_only);
	T_RUN(test_migration_from_v1);
	T_RUN(test_newer_schema_refused);
	T_RUN(test_wal_and_foreign_keys);
	T_RUN(test_writeback_partners);
	T_RUN(test_conflict_claims_first_read);
	return t_done("store");
}
