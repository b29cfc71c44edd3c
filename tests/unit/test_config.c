/* test_config.c - the schema: values, defaults, every error at once. */
#include "config/config.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "sources/source.h"
#include "t.h"

static struct config *
load(const char *yaml, struct diags *d)
{
	diags_init(d, "t.yaml");
	return config_load_buffer("t.yaml", yaml, strlen(yaml), 0, d);
}

static void
print_diags(struct diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		char *s = diags_format(d, i);

		fprintf(stderr, "  %s\n", s);
		free(s);
	}
}

static void
test_shipped_example(void)
{
	char dir[600];
	struct diags d;
	struct config *c;
	const struct config_source *s;
	const char *names[] = { "sf_jwt_key", "portal_token", "audit_key",
		"smtp_password", "chat_webhook_url" };
	size_t i;
	double r;

	snprintf(dir, sizeof(dir), "%s/creds", t_tmpdir());
	mkdir(dir, 0700);
	for (i = 0; i < 5; i++) {
		char p[700];
		FILE *f;

		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		f = fopen(p, "w");
		/* the webhook's credential is a URL */
		if (i == 4)
			fprintf(f, "https://hooks.chat.example/T0/B0/x\n");
		else
			fprintf(f, "value-of-%s\n", names[i]);
		fclose(f);
		chmod(p, 0400);
	}
	setenv("CREDENTIALS_DIRECTORY", dir, 1);
	diags_init(&d, "config/chansync.yaml");
	c = config_load("config/chansync.yaml", 0, &d);
	CHECK(c != NULL);
	if (c == NULL) {
		print_diags(&d);
		diags_free(&d);
		return;
	}
	CHECK_INT(c->daemon.interval, 900);
	CHECK_INT(c->daemon.jitter, 60);
	CHECK_INT(c->daemon.business_days, 0x1f);
	CHECK_INT(c->daemon.nholidays, 2);
	CHECK_STR(c->daemon.holidays[0], "2026-12-25");
	CHECK_INT(c->daemon.log_level, LOG_INFO);
	CHECK(c->crm.present);
	CHECK_INT(c->crm.auth.flow, FLOW_JWT_BEARER);
	CHECK(c->crm.auth.private_key_value != NULL);
	CHECK_STR(c->crm.auth.private_key_value->value, "value-of-sf_jwt_key");
	CHECK_INT(c->crm.batch_size, 2000);
	/* the certifications, then the mdf section's claims and requests */
	CHECK_INT(c->crm.objects.nactivities, 3);
	CHECK_STR(c->crm.objects.activities[1].kind, "mdf_claim");
	CHECK_STR(c->crm.objects.activities[1].sobject, "PartnerFundClaim");
	CHECK_STR(c->crm.objects.activities[2].kind, "mdf_request");
	CHECK_STR(c->crm.objects.activities[2].sobject, "PartnerFundRequest");
	CHECK_STR(c->mdf.claims.sobject, "PartnerFundClaim");
	CHECK_INT(c->mdf.napproved_statuses, 2);
	CHECK_INT(c->crm.objects.registrations.nstatus_map, 3);
	CHECK_INT(c->nsources, 2);
	s = config_source_by_name(c, "vendor-portal");
	CHECK(s != NULL && s->kind == SOURCE_HTTP_JSON);
	CHECK(s && s->auth.secret && strcmp(s->auth.secret->value,
	    "value-of-portal_token") == 0);
	CHECK_INT(s ? s->pagination.kind : -1, PAGE_CURSOR);
	s = config_source_by_name(c, "distributor-drop");
	CHECK(s != NULL && s->kind == SOURCE_FILE_DROP && s->format == FORMAT_CSV);
	CHECK_STR(s ? s->fields[0].src : NULL, "reg_no");	/* a column, not a pointer */
	CHECK(config_fx_rate(c, "EUR", &r) == 0 && r == 1.08);
	CHECK(config_fx_rate(c, "USD", &r) == 0 && r == 1.0);
	CHECK(config_fx_rate(c, "SEK", &r) < 0);
	CHECK_INT(c->scoring.ntiers, 4);
	CHECK(c->audit.hmac_key_value != NULL);
	CHECK(strlen(c->sha256) == 64);
	config_free(c);
	diags_free(&d);
	unsetenv("CREDENTIALS_DIRECTORY");
	/* chansyncctl reads it without the credentials */
	diags_init(&d, "config/chansync.yaml");
	c = config_load("config/chansync.yaml", CONFIG_SKIP_SECRETS, &d);
	CHECK(c != NULL && c->crm.auth.private_key_value == NULL);
	config_free(c);
	diags_free(&d);
}

static void
test_defaults(void)
{
	struct diags d;
	struct config *c = load("daemon: { state_dir: /tmp/x }\n", &d);

	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK_INT(c->daemon.interval, 15 * 60);
	CHECK_INT(c->daemon.jitter, 60);
	CHECK_STR(c->daemon.timezone, "UTC");
	CHECK(!c->crm.present);
	CHECK_INT(c->nsources, 0);
	CHECK_STR(c->normalize.base_currency, "USD");
	CHECK(c->normalize.free_mail_default);
	CHECK(c->rules.conflicts.match_threshold == 0.90);
	CHECK_INT(c->rules.conflicts.protection, 90 * 86400);
	CHECK_INT(c->rules.conflicts.policy, POLICY_FIRST);
	CHECK_INT(c->rules.approval_sla.breach, 4 * 86400);
	CHECK_INT(c->rules.pipeline.period, PERIOD_QUARTER);
	CHECK(c->rules.pipeline.total_index == 2.0);
	CHECK_INT(c->scoring.nweights, 6);	/* contract §3: mdf_roi too */
	CHECK_INT(c->scoring.nengagement, 4);	/* MDF is its own KPIs */
	CHECK(c->scoring.win_rate_target == 0.30);
	config_free(c);
	diags_free(&d);
}

static void
test_every_error_reported(void)
{
	struct diags d;
	struct config *c = load(
	    "daemon:\n"
	    "  interval: 10x\n"
	    "  jiter: 5s\n"
	    "  log_level: chatty\n"
	    "sources:\n"
	    "  - name: a\n"
	    "    kind: file_drop\n"
	    "    path: /tmp/a\n"
	    "    fields: { external_id: id }\n"
	    "  - name: a\n"
	    "    kind: file_drop\n"
	    "    path: relative\n"
	    "    fields: { external_id: id, partner_id: p, customer_name: c,\n"
	    "              status: s, registered_at: r }\n"
	    "audit: { hmac_key: hunter2-literal }\n", &d);
	size_t i;
	int seen_literal = 0;

	CHECK(c == NULL);
	/* interval, jiter, log_level, 4 missing mappings, duplicate name,
	 * relative path, literal secret */
	CHECK_INT(d.n, 10);
	for (i = 0; i < d.n; i++) {
		char *s = diags_format(&d, i);

		CHECK(strstr(s, "hunter2") == NULL);
		if (strstr(s, "audit.hmac_key: a secret must not be written"))
			seen_literal = 1;
		free(s);
	}
	CHECK(seen_literal);
	if (d.n != 10)
		print_diags(&d);
	diags_free(&d);
}

static void
test_durations(void)
{
	int64_t v;

	CHECK(config_parse_duration("30s", &v) == 0 && v == 30);
	CHECK(config_parse_duration("15m", &v) == 0 && v == 900);
	CHECK(config_parse_duration("48h", &v) == 0 && v == 172800);
	CHECK(config_parse_duration("90d", &v) == 0 && v == 7776000);
	CHECK(config_parse_duration("0", &v) == 0 && v == 0);
	CHECK(config_parse_duration("15", &v) < 0);
	CHECK(config_parse_duration("1w", &v) < 0);
	CHECK(config_parse_duration("-5s", &v) < 0);
	CHECK(config_parse_duration("5 s", &v) < 0);
	CHECK(config_parse_duration("99999999999999999999d", &v) < 0);
}

static void
test_positions(void)
{
	struct diags d;
	struct config *c = load("daemon:\n  dry_run: maybe\n", &d);

	CHECK(c == NULL);
	CHECK_INT(d.n, 1);
	if (d.n == 1) {
		char *s = diags_format(&d, 0);

		CHECK_STR(s, "t.yaml:2:12: daemon.dry_run: expected true or false, "
		    "found 'maybe'");
		free(s);
	}
	diags_free(&d);
}

/* The mdf section: its objects read as activities of their own kinds; an
 * activity list that reads the claims again is refused where it says
 * so; enabled: false reads neither. */
static void
test_mdf(void)
{
	char dir[600], p[700];
	struct diags d;
	struct config *c;
	FILE *f;
	static const char head[] = "crm:\n  kind: salesforce\n"
	    "  auth: { flow: jwt_bearer, client_id: x, username: u@example.com,"
	    " private_key: credential:k }\n";
	char *yaml;

	snprintf(dir, sizeof(dir), "%s/mdfcreds", t_tmpdir());
	mkdir(dir, 0700);
	snprintf(p, sizeof(p), "%s/k", dir);
	f = fopen(p, "w");
	fprintf(f, "key\n");
	fclose(f);
	chmod(p, 0400);
	setenv("CREDENTIALS_DIRECTORY", dir, 1);
	yaml = xasprintf("%smdf: { requests: { sobject: Fund_Request__c, fields: "
	    "{ campaign_id: Campaign__c } }, paid_statuses: [Settled] }\n", head);
	c = load(yaml, &d);
	CHECK(c != NULL);
	if (c) {
		CHECK_INT(c->crm.objects.nactivities, 2);
		CHECK_STR(c->crm.objects.activities[0].sobject, "PartnerFundClaim");
		CHECK_STR(c->crm.objects.activities[1].sobject, "Fund_Request__c");
		CHECK_STR(c->crm.objects.activities[1].kind, "mdf_request");
		CHECK_STR(c->mdf.paid_statuses[0], "Settled");
		config_free(c);
	}
	diags_free(&d);
	free(yaml);
	yaml = xasprintf("%s  objects:\n    activities:\n      - { sobject: "
	    "PartnerFundClaim, kind: mdf_claim }\n", head);
	c = load(yaml, &d);
	CHECK(c == NULL && d.n == 1);
	if (d.n == 1) {
		char *s = diags_format(&d, 0);

		CHECK_STR(s, "t.yaml:6:20: crm.objects.activities[0].sobject: "
		    "PartnerFundClaim is read by mdf.claims; remove it here (or set "
		    "mdf.enabled: false)");
		free(s);
	}
	diags_free(&d);
	free(yaml);
	/* an activity without its sobject is an error of its own, not a
	 * crash of the mdf check (found by fuzz_config) */
	yaml = xasprintf("%s  objects:\n    activities:\n      - { kind: "
	    "meeting }\n", head);
	c = load(yaml, &d);
	CHECK(c == NULL && d.n == 1);
	diags_free(&d);
	free(yaml);
	yaml = xasprintf("%s  objects:\n    activities:\n      - { sobject: "
	    "PartnerFundClaim, kind: mdf_claim }\nmdf: { enabled: false }\n", head);
	c = load(yaml, &d);
	CHECK(c != NULL && c->crm.objects.nactivities == 1);
	config_free(c);
	diags_free(&d);
	free(yaml);
	unsetenv("CREDENTIALS_DIRECTORY");
}

/* Every kind the configuration accepts has a reader, and no reader is
 * for a kind the configuration would refuse. */
static void
test_source_kinds_have_readers(void)
{
	int k;

	for (k = 0; config_source_kind_name(k); k++)
		CHECK(source_reader(k) != NULL && source_reader(k)->kind == k);
	CHECK(k == 2);
	CHECK(source_reader(k) == NULL);
	CHECK_STR(config_source_kind_name(SOURCE_FILE_DROP), "file_drop");
}

int
main(void)
{
	T_RUN(test_source_kinds_have_readers);
	T_RUN(test_shipped_example);
	T_RUN(test_defaults);
	T_RUN(test_every_error_reported);
	T_RUN(test_durations);
	T_RUN(test_positions);
	T_RUN(test_mdf);
	normalize_shutdown();
	log_clear_secrets();
	return t_done("config");
}
