/* test_audit.c - the hash chain: append, verify, tamper, anchors, HMAC. */
#include "store/audit.h"
#include "lib/digest.h"
#include "store/store.h"
#include "t.h"

#include <sqlite3.h>	/* the tamperer's tool */

static struct store *
fresh(const char *name, char *path, size_t n)
{
	char err[256];

	snprintf(path, n, "%s/%s", t_tmpdir(), name);
	return store_open(path, STORE_RW, err, sizeof(err));
}

static void
fill(struct audit *a, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct jval *d = jv_object();

		jv_set_int(d, "i", i);
		jv_set_str(d, "note", "ünïcode ok");
		CHECK(audit_log(a, i % 3 ? i : 0, "test.event", "thing",
		    i % 2 ? "x" : NULL, d) == 0);
	}
}

static void
tamper(const char *path, const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;

	sqlite3_open(path, &db);
	sqlite3_exec(db, "DROP TRIGGER audit_no_update; DROP TRIGGER "
	    "audit_no_delete;", NULL, NULL, NULL);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fprintf(stderr, "tamper: %s\n", msg);
	sqlite3_free(msg);
	sqlite3_close(db);
}

static void
test_intact_chain(void)
{
	char path[512];
	struct store *st = fresh("a.db", path, sizeof(path));
	struct audit *a = audit_new(st, "test", NULL);
	struct audit_report rep;
	int64_t seq;
	char hex[65];

	fill(a, 50);
	CHECK_INT(audit_head(a, &seq, hex), 1);
	CHECK_INT(seq, 50);
	CHECK_INT(audit_verify(st, NULL, NULL, 0, &rep), AUDIT_OK);
	CHECK_INT(rep.rows, 50);
	CHECK_STR(rep.head_hash, hex);
	/* inside a caller's transaction, a rollback takes the rows back */
	CHECK(store_begin(st) == 0);
	CHECK(audit_log(a, 0, "test.rolled", NULL, NULL, NULL) == 0);
	store_rollback(st);
	CHECK_INT(audit_verify(st, NULL, NULL, 0, &rep), AUDIT_OK);
	CHECK_INT(rep.rows, 50);
	audit_free(a);
	store_close(st);
}

static void
test_tampering_detected(void)
{
	static const struct {
		const char *sql;
		int64_t bad;
	} cases[] = {
		{ "UPDATE audit SET detail = '{\"i\":99}' WHERE seq = 7", 7 },
		{ "DELETE FROM audit WHERE seq = 12", 12 },
		{ "UPDATE audit SET ts = '2020-01-01T00:00:00.000000Z' WHERE seq = 3", 3 },
		/* swap the contents of two rows, keeping their places */
		{ "UPDATE audit SET seq = -1 WHERE seq = 20; "
		  "UPDATE audit SET seq = 20 WHERE seq = 21; "
		  "UPDATE audit SET seq = 21 WHERE seq = -1", 20 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[512], name[32];
		struct store *st;
		struct audit *a;
		struct audit_report rep;

		snprintf(name, sizeof(name), "t%zu.db", i);
		st = fresh(name, path, sizeof(path));
		a = audit_new(st, "test", NULL);
		fill(a, 30);
		audit_free(a);
		store_close(st);
		tamper(path, cases[i].sql);
		st = fresh(name, path, sizeof(path));
		CHECK_INT(audit_verify(st, NULL, NULL, 0, &rep), AUDIT_TAMPERED);
		CHECK_INT(rep.first_bad, cases[i].bad);
		store_close(st);
	}
}

static void
test_anchors(void)
{
	char path[512], apath[600], err[256];
	struct store *st = fresh("anc.db", path, sizeof(path));
	struct audit *a = audit_new(st, "test", NULL);
	struct audit_anchor *an = NULL;
	struct audit_report rep;
	size_t n = 0;

	fill(a, 10);
	CHECK(audit_anchor(a, t_tmpdir()) == 0);
	fill(a, 5);
	CHECK(audit_anchor(a, t_tmpdir()) == 0);
	audit_free(a);
	snprintf(apath, sizeof(apath), "%s/%s", t_tmpdir(), AUDIT_ANCHOR_FILE);
	CHECK(audit_read_anchors(apath, &an, &n, err, sizeof(err)) == 0);
	CHECK_INT(n, 2);
	CHECK_INT(an[0].seq, 10);
	CHECK_INT(audit_verify(st, NULL, an, n, &rep), AUDIT_OK);
	CHECK_INT(rep.anchors_checked, 2);
	store_close(st);
	/* truncation: the last rows are gone, the anchor remembers them */
	tamper(path, "DELETE FROM audit WHERE seq > 12");
	st = fresh("anc.db", path, sizeof(path));
	CHECK_INT(audit_verify(st, NULL, NULL, 0, &rep), AUDIT_OK);
	CHECK_INT(audit_verify(st, NULL, an, n, &rep), AUDIT_TAMPERED);
	CHECK_INT(rep.first_bad, 13);
	store_close(st);
	free(an);
	/* journalctl -o json lines are read too */
	an = NULL;
	n = 0;
	snprintf(apath, sizeof(apath), "%s", t_write("j.json",
	    "{\"MESSAGE\":\"x\",\"CHANSYNC_AUDIT_SEQ\":\"4\",\"CHANSYNC_AUDIT_HASH\":"
	    "\"0000000000000000000000000000000000000000000000000000000000000001\"}\n"
	    "garbage line\n", 0600));
	CHECK(audit_read_anchors(apath, &an, &n, err, sizeof(err)) == 0);
	CHECK_INT(n, 1);
	CHECK_INT(an[0].seq, 4);
	CHECK_INT(an[0].hash[31], 1);
	free(an);
}

static void
test_hmac(void)
{
	char path[512];
	struct store *st = fresh("h.db", path, sizeof(path));
	struct secret key = { (char *)"correct horse battery staple", 28 };
	struct secret wrong = { (char *)"incorrect horse battery staple", 30 };
	struct audit *a = audit_new(st, "test", &key);
	struct audit_report rep;

	fill(a, 8);
	audit_free(a);
	CHECK_INT(audit_verify(st, &key, NULL, 0, &rep), AUDIT_OK);
	CHECK_INT(audit_verify(st, NULL, NULL, 0, &rep), AUDIT_UNVERIFIABLE);
	CHECK_INT(audit_verify(st, &wrong, NULL, 0, &rep), AUDIT_TAMPERED);
	CHECK_INT(rep.first_bad, 1);
	store_close(st);
	/* a rewrite as plain SHA-256 after HMAC rows is a downgrade */
	tamper(path, "UPDATE audit SET alg = 'sha256' WHERE seq = 5");
	st = fresh("h.db", path, sizeof(path));
	CHECK_INT(audit_verify(st, &key, NULL, 0, &rep), AUDIT_TAMPERED);
	CHECK_INT(rep.first_bad, 5);
	store_close(st);
}

int
main(void)
{
	T_RUN(test_intact_chain);
	T_RUN(test_tampering_detected);
	T_RUN(test_anchors);
	T_RUN(test_hmac);
	return t_done("audit");
}
