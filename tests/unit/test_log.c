/* test_log.c - redaction, escaping and the stderr sink's priorities. */
#include "lib/log.h"
#include "t.h"

#include <fcntl.h>

static void
test_redaction(void)
{
	char *r;

	log_add_secret("supersecretvalue", 16);
	log_add_secret("abc", 3);	/* too short to mask safely: ignored */
	r = log_redact("x supersecretvalue y supersecretvalue", 0);
	CHECK_STR(r, "x *** y ***");
	free(r);
	r = log_redact("Authorization: Bearer 00Dxx0000001gPL!AR8AQ.abc rest", 0);
	CHECK_STR(r, "Authorization: Bearer *** rest");
	free(r);
	r = log_redact("abc stays", 0);
	CHECK_STR(r, "abc stays");
	free(r);
	/* a PEM key is masked line by line too */
	log_add_secret("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEF\n"
	    "-----END PRIVATE KEY-----", 80);
	r = log_redact("leak MIIEvQIBADANBgkqhkiG9w0BAQEF here", 0);
	CHECK_STR(r, "leak *** here");
	free(r);
	log_clear_secrets();
	r = log_redact("supersecretvalue", 0);
	CHECK_STR(r, "supersecretvalue");
	free(r);
}

/* Any number of secrets, and each form they are written in: percent-
 * encoded, and the base64 of basic credentials. */
static void
test_secret_forms(void)
{
	char v[64], *r, line[128];
	int i, leaks = 0;

	/* more secrets than the table once held, the last ones included */
	for (i = 0; i < 200; i++) {
		snprintf(v, sizeof(v), "secret-value-%03d-xyz", i);
		log_add_secret(v, strlen(v));
	}
	for (i = 0; i < 200; i++) {
		snprintf(v, sizeof(v), "secret-value-%03d-xyz", i);
		snprintf(line, sizeof(line), "got %s back", v);
		r = log_redact(line, 0);
		leaks += strstr(r, v) != NULL;
		free(r);
	}
	CHECK_INT(leaks, 0);
	/* percent-encoded, as a form or a query string carries it */
	log_add_secret("p@ss w0rd/+x", 12);
	r = log_redact("refresh_token=p%40ss%20w0rd%2F%2Bx&x=1", 0);
	CHECK_STR(r, "refresh_token=***&x=1");
	free(r);
	/* basic credentials echoed in an Authorization header:
	 * base64("chansync:hub-pass-123") */
	log_add_basic_auth("chansync", "hub-pass-123");
	r = log_redact("{\"headers\":{\"Authorization\":\"Basic "
	    "Y2hhbnN5bmM6aHViLXBhc3MtMTIz\"}}", 0);
	CHECK_STR(r, "{\"headers\":{\"Authorization\":\"Basic ***\"}}");
	free(r);
	r = log_redact("password hub-pass-123 and basic auth stays", 0);
	CHECK_STR(r, "password *** and basic auth stays");
	free(r);
	log_clear_secrets();
}

static void
test_escaping_and_cap(void)
{
	char *r = log_redact("Acme\r\nFAKE LOG LINE\x1b[31m", 0);

	CHECK_STR(r, "Acme\\x0d\\x0aFAKE LOG LINE\\x1b[31m");
	free(r);
	/* C1 controls (a CSI) and bidi overrides are shown, not obeyed;
	 * other non-ASCII text is kept */
	r = log_redact("Ac\xc2\x9b" "2Jme \xe2\x80\xae" "evil\xe2\x81\xa9 Müller", 0);
	CHECK_STR(r, "Ac\\u009b2Jme \\u202eevil\\u2069 Müller");
	free(r);
	r = log_redact("0123456789", 4);
	CHECK_STR(r, "0123...");
	free(r);
	/* a cap inside a character cuts before it, never through it */
	r = log_redact("abü", 3);
	CHECK_STR(r, "ab...");
	free(r);
	r = log_redact("a日本", 2);
	CHECK_STR(r, "a...");
	free(r);
	r = log_redact("a日本", 3);
	CHECK_STR(r, "a...");
	free(r);
	r = log_redact("a日本", 4);
	CHECK_STR(r, "a日...");
	free(r);
	r = log_redact("😀😀", 6);
	CHECK_STR(r, "😀...");
	free(r);
}

static void
test_levels(void)
{
	CHECK_INT(log_level_parse("debug"), LOG_DEBUG);
	CHECK_INT(log_level_parse("err"), LOG_ERR);
	CHECK_INT(log_level_parse("verbose"), -1);
}

static void
test_stderr_sink(void)
{
	char path[512], line[256];
	FILE *f;
	int saved = dup(2), fd;

	snprintf(path, sizeof(path), "%s/err.txt", t_tmpdir());
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
	unsetenv("JOURNAL_STREAM");
	unsetenv("CHANSYNC_LOG_TARGET");
	log_init("test");
	log_set_level(LOG_INFO);
	CHECK_INT(log_target(), LOG_TARGET_STDERR);
	log_warning("w %d", 1);
	log_debug("hidden");
	log_err("e");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fopen(path, "r");
	CHECK(fgets(line, sizeof(line), f) != NULL);
	CHECK_STR(line, "<4>w 1\n");
	CHECK(fgets(line, sizeof(line), f) != NULL);
	CHECK_STR(line, "<3>e\n");
	CHECK(fgets(line, sizeof(line), f) == NULL);
	fclose(f);
}

int
main(void)
{
	T_RUN(test_redaction);
	T_RUN(test_escaping_and_cap);
	T_RUN(test_secret_forms);
	T_RUN(test_levels);
	T_RUN(test_stderr_sink);
	return t_done("log");
}
