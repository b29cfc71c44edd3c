/* test_salesforce.c - SOQL text, limit headers, names, and the JWT (its
 * RS256 signature checked by openssl(1), a verifier that is not ours). */
#include "config/config.h"
#include "crm/crm_reader.h"
#include "lib/digest.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "crm/salesforce.h"
#include "t.h"
#include "t_soql.h"

#include <ctype.h>

static void
test_soql_quote_round_trips(void)
{
	static const char *const cases[] = { "Acme", "O'Brien", "back\\slash",
		"it's \\' tricky", "line\nbreak\ttab", "\"quoted\"", "' OR Name != '",
		"\\'", "", "Société Générale", "%_like_%", NULL };
	unsigned seed = 12345;
	int i, k;

	for (i = 0; cases[i]; i++) {
		char *q = sf_soql_quote(cases[i]), *back = q ? soql_unquote(q) : NULL;

		CHECK_STR(back, cases[i]);
		free(q);
		free(back);
	}
	/* random strings of the dangerous characters and letters */
	for (k = 0; k < 2000; k++) {
		char s[24], *q, *back;
		const char alphabet[] = "ab'\\\"\n\t%_ ";
		int len = (int)(rand_r(&seed) % 20);

		for (i = 0; i < len; i++)
			s[i] = alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
		s[len] = '\0';
		q = sf_soql_quote(s);
		back = q ? soql_unquote(q) : NULL;
		if (back == NULL || strcmp(back, s) != 0) {
			CHECK_STR(back, s);
			free(q);
			free(back);
			break;
		}
		free(q);
		free(back);
	}
	CHECK(k == 2000);
	/* control characters SOQL cannot hold are refused */
	CHECK(sf_soql_quote("bell\a") == NULL);
	CHECK(sf_soql_quote("nul\x01") == NULL);
}

static void
test_limit_info(void)
{
	int64_t u = 0, l = 0;

	CHECK(sf_parse_limit_info("api-usage=10018/100000", &u, &l) == 0);
	CHECK(u == 10018 && l == 100000);
	CHECK(sf_parse_limit_info("api-usage=25/5000; per-app-api-usage=17/250(appName=x)",
	    &u, &l) == 0);
	CHECK(u == 25 && l == 5000);
	CHECK(sf_parse_limit_info("api-bursts=1/750; api-usage=7/15000", &u, &l) == 0);
	CHECK(u == 7 && l == 15000);
	CHECK(sf_parse_limit_info("per-app-api-usage=17/250", &u, &l) < 0);
	CHECK(sf_parse_limit_info("api-usage=x/1", &u, &l) < 0);
	CHECK(sf_parse_limit_info("api-usage=1/0", &u, &l) < 0);
	CHECK(sf_parse_limit_info(NULL, &u, &l) < 0);
}

static void
test_names_and_windows(void)
{
	char *q;

	CHECK(sf_api_name_valid("Account"));
	CHECK(sf_api_name_valid("Partner_Score__c"));
	CHECK(sf_api_name_valid("Account.Website"));
	CHECK(!sf_api_name_valid("Account WHERE 1=1"));
	CHECK(!sf_api_name_valid("Name'"));
	CHECK(!sf_api_name_valid("a..b"));
	CHECK(!sf_api_name_valid(".a"));
	q = crm_window_soql("Id, Name", "Opportunity", NULL, 1764000000, 1764003600);
	CHECK_STR(q, "SELECT Id, Name FROM Opportunity WHERE SystemModstamp >= "
	    "2025-11-24T16:00:00Z AND SystemModstamp < 2025-11-24T17:00:00Z ORDER BY "
	    "SystemModstamp, Id");
	free(q);
	q = crm_window_soql("Id", "Lead", "IsConverted = false OR Status = 'x'", 0, 60);
	CHECK_STR(q, "SELECT Id FROM Lead WHERE (IsConverted = false OR Status = 'x') "
	    "AND SystemModstamp >= 1970-01-01T00:00:00Z AND SystemModstamp < "
	    "1970-01-01T00:01:00Z ORDER BY SystemModstamp, Id");
	free(q);
}

static int
run(const char *cmd)
{
	return system(cmd);
}

static void
test_jwt_verifies_with_openssl(void)
{
	char cmd[4096], path[600], *tok, *dot1, *dot2, *sig_b64, err[256];
	const char *d = t_tmpdir();
	FILE *f;
	size_t i, n;

	snprintf(cmd, sizeof(cmd), "openssl genrsa -out %s/k.pem 2048 2>/dev/null && "
	    "openssl rsa -in %s/k.pem -pubout -out %s/pub.pem 2>/dev/null", d, d, d);
	if (run(cmd) != 0) {
		fprintf(stderr, "  openssl is not available; install it (make check does)\n");
		CHECK(0);
		return;
	}
	snprintf(path, sizeof(path), "%s/k.pem", d);
	{
		struct secret key;
		struct buf b;
		char chunk[4096];

		f = fopen(path, "r");
		buf_init(&b, 0);
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			buf_add(&b, chunk, n);
		fclose(f);
		key.value = (char *)buf_str(&b);
		key.len = b.len;
		tok = sf_jwt_for_test(&key, "3MVG9-client", "u@example.com",
		    "https://login.salesforce.com", err, sizeof(err));
		buf_free(&b);
	}
	CHECK(tok != NULL);
	if (tok == NULL)
		return;
	dot1 = strchr(tok, '.');
	dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	CHECK(dot1 && dot2);
	*dot2 = '\0';
	sig_b64 = dot2 + 1;
	/* the signing input, and the signature from base64url */
	snprintf(path, sizeof(path), "%s/input", d);
	f = fopen(path, "w");
	fputs(tok, f);
	fclose(f);
	n = strlen(sig_b64);
	for (i = 0; i < n; i++)
		sig_b64[i] = sig_b64[i] == '-' ? '+' : sig_b64[i] == '_' ? '/' : sig_b64[i];
	snprintf(path, sizeof(path), "%s/sig.b64", d);
	f = fopen(path, "w");
	fputs(sig_b64, f);
	for (i = n; i % 4; i++)
		fputc('=', f);
	fputc('\n', f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "openssl base64 -d -A -in %s/sig.b64 -out %s/sig && "
	    "openssl dgst -sha256 -verify %s/pub.pem -signature %s/sig %s/input "
	    ">/dev/null 2>&1", d, d, d, d, d);
	CHECK_INT(run(cmd), 0);
	/* a changed claim does not verify */
	snprintf(path, sizeof(path), "%s/input", d);
	f = fopen(path, "a");
	fputc('x', f);
	fclose(f);
	CHECK(run(cmd) != 0);
	free(tok);
}

static void
test_bad_key_messages_hold_no_key(void)
{
	struct secret key = { (char *)"-----BEGIN PRIVATE KEY-----\nnot-a-key-CANARY\n"
	    "-----END PRIVATE KEY-----\n", 0 };
	char err[256];
	char *tok;

	key.len = strlen(key.value);
	tok = sf_jwt_for_test(&key, "c", "u", "https://login.salesforce.com", err,
	    sizeof(err));
	CHECK(tok == NULL);
	CHECK(strstr(err, "CANARY") == NULL);
	CHECK(strstr(err, "PEM private key") != NULL);
}

int
main(void)
{
	T_RUN(test_soql_quote_round_trips);
	T_RUN(test_limit_info);
	T_RUN(test_names_and_windows);
	T_RUN(test_jwt_verifies_with_openssl);
	T_RUN(test_bad_key_messages_hold_no_key);
	return t_done("salesforce");
}
