/* test_conflict_rules.c - the conflict engine on claim rows built in
 * memory, no database: a table of claim sets and the conflicts each must
 * open (type, members, winner), then a second pass against the first
 * pass's conflicts as known: nothing changes, a member leaves, a
 * conflict resolves. */
#include "rules/conflicts.h"
#include "t.h"
#include "t_cfg.h"

#define MAXC 6
#define MAXX 4

struct claim_spec {
	const char *key, *partner, *name, *domain, *country, *product, *status;
	const char *registered;		/* ISO time; NULL: unknown */
	int opportunity;
};

struct want {
	const char *type;
	int members;
	const char *winner;		/* NULL: none */
};

static const struct rule_case {
	const char *name, *rules;
	struct claim_spec claims[MAXC];
	struct want want[MAXX];		/* in the order the engine opens them */
} cases[] = {
	{ "two partners, one domain, one product: the first registered wins",
	  "policy: first_to_register, protection: 90d, same_product_only: true",
	  { { "p:1", "P1", "Acme Corp", "acme.example", "US", "FW", "pending",
	      "2026-11-01T09:00:00Z", 0 },
	    { "p:2", "P2", "ACME Corporation", "acme.example", "US", "FW",
	      "approved", "2026-11-05T09:00:00Z", 0 } },
	  { { "partner_conflict", 2, "p:1" } } },
	{ "other product lines: no partner conflict",
	  "same_product_only: true",
	  { { "p:1", "P1", "Acme Corp", "acme.example", "US", "FW", "pending",
	      "2026-11-01T09:00:00Z", 0 },
	    { "p:2", "P2", "Acme Corp", "acme.example", "US", "Email", "pending",
	      "2026-11-05T09:00:00Z", 0 } },
	  { { NULL, 0, NULL } } },
	{ "outside the protection window: no conflict",
	  "protection: 30d",
	  { { "p:1", "P1", "Acme Corp", "acme.example", "US", "FW", "pending",
	      "2026-09-01T09:00:00Z", 0 },
	    { "p:2", "P2", "Acme Corp", "acme.example", "US", "FW", "pending",
	      "2026-11-05T09:00:00Z", 0 } },
	  { { NULL, 0, NULL } } },
	{ "names alike without a domain, countries agreeing",
	  "match_threshold: 0.90",
	  { { "p:1", "P1", "Müller Maschinenbau GmbH & Co. KG", NULL, "DE", NULL,
	      "pending", "2026-11-01T09:00:00Z", 0 },
	    { "p:2", "P2", "MUELLER MASCHINENBAU GMBH", NULL, "DE", NULL,
	      "pending", "2026-11-03T09:00:00Z", 0 },
	    { "p:3", "P3", "Mueller Maschinenbau", NULL, "AT", NULL, "pending",
	      "2026-11-02T09:00:00Z", 0 } },
	  { { "partner_conflict", 2, "p:1" } } },
	{ "a direct opportunity, and a partner registering twice",
	  "direct: true",
	  { { "p:1", "P1", "Initech", "initech.example", NULL, "FW", "pending",
	      "2026-11-01T09:00:00Z", 0 },
	    { "p:2", "P1", "Initech LLC", "initech.example", NULL, "FW", "pending",
	      "2026-11-02T09:00:00Z", 0 },
	    { "opportunity:006A", NULL, "Initech", "initech.example", NULL, NULL,
	      "Prospecting", NULL, 1 } },
	  { { "direct_conflict", 3, "p:1" }, { "duplicate", 2, "p:1" } } },
	{ "policy manual recommends nobody",
	  "policy: manual",
	  { { "p:1", "P1", "Acme Corp", "acme.example", NULL, NULL, "pending",
	      "2026-11-01T09:00:00Z", 0 },
	    { "p:2", "P2", "Acme Corp", "acme.example", NULL, NULL, "pending",
	      "2026-11-05T09:00:00Z", 0 } },
	  { { "partner_conflict", 2, NULL } } },
	{ "a free-mail domain names nobody: different names stay apart",
	  "",
	  { { "p:1", "P1", "Acme Corp", "gmail.com", NULL, NULL, "pending",
	      "2026-11-01T09:00:00Z", 0 },
	    { "p:2", "P2", "Globex Ltd", "gmail.com", NULL, NULL, "pending",
	      "2026-11-05T09:00:00Z", 0 } },
	  { { NULL, 0, NULL } } },
	{ "rejected and expired registrations claim nothing",
	  "",
	  { { "p:1", "P1", "Acme Corp", "acme.example", NULL, NULL, "rejected",
	      "2026-11-01T09:00:00Z", 0 },
	    { "p:2", "P2", "Acme Corp", "acme.example", NULL, NULL, "expired",
	      "2026-11-05T09:00:00Z", 0 },
	    { "p:3", "P3", "Acme Corp", "acme.example", NULL, NULL, "pending",
	      "2026-11-06T09:00:00Z", 0 } },
	  { { NULL, 0, NULL } } },
};

/* What the sink was given, kept to compare and to feed back as known. */
struct seen {
	struct conflict_change ch[16];
	char key[16][40], type[16][32], winner[16][64], evidence[16][65536];
	char member[16][8][64];
	size_t n;
};

static int
collect(void *ctx, struct conflict_change *ch)
{
	struct seen *s = ctx;
	size_t i, k = s->n++;

	if (k >= 16)
		return -1;
	s->ch[k] = *ch;
	snprintf(s->key[k], sizeof(s->key[k]), "%s", ch->rec.key);
	snprintf(s->type[k], sizeof(s->type[k]), "%s", ch->rec.type);
	snprintf(s->winner[k], sizeof(s->winner[k]), "%s", ch->rec.winner ?
	    ch->rec.winner : "");
	snprintf(s->evidence[k], sizeof(s->evidence[k]), "%s", ch->rec.evidence);
	for (i = 0; i < ch->nmembers && i < 8; i++)
		snprintf(s->member[k][i], sizeof(s->member[k][i]), "%s",
		    ch->members[i].present ? ch->members[i].member : "");
	jv_free(ch->audit);
	return 0;
}

static void
feed(struct conflicts *c, const struct claim_spec *cs, size_t n, int64_t now,
    struct conflicts_result *res)
{
	size_t i;

	for (i = 0; i < n && cs[i].key; i++) {
		struct conflict_claim_row r;

		memset(&r, 0, sizeof(r));
		r.is_opportunity = cs[i].opportunity;
		r.key = cs[i].key;
		r.partner_id = cs[i].partner;
		r.customer_name = cs[i].name;
		r.customer_domain = cs[i].domain;
		r.customer_country = cs[i].country;
		r.product = cs[i].product;
		r.status = cs[i].status;
		r.registered_at = cs[i].registered ? t_time(cs[i].registered) : 0;
		conflicts_apply(c, &r, now, res);
	}
}

static void
test_table(void)
{
	int64_t now = t_time("2026-11-20T00:00:00Z");
	size_t k, i;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct rule_case *rc = &cases[k];
		char yaml[512];
		struct config *cfg;
		struct conflicts *c = conflicts_new();
		struct conflicts_known none = { NULL, 0, NULL, 0 };
		struct conflicts_result res;
		static struct seen s;
		size_t want = 0;

		t_current = rc->name;
		snprintf(yaml, sizeof(yaml), "rules: { conflicts: { %s } }\n",
		    rc->rules);
		cfg = t_config(yaml);
		memset(&res, 0, sizeof(res));
		memset(&s, 0, sizeof(s));
		feed(c, rc->claims, MAXC, now, &res);
		conflicts_prepare(c, cfg, now, &res);
		CHECK_INT(conflicts_derive(c, cfg, &none, "2026-11-20T00:00:00Z",
		    collect, &s, &res), 0);
		conflicts_done(c, now, &res);
		for (i = 0; i < MAXX && rc->want[i].type; i++)
			want++;
		CHECK_INT(s.n, want);
		CHECK_INT(res.opened, want);
		for (i = 0; i < want && i < s.n; i++) {
			CHECK_STR(s.type[i], rc->want[i].type);
			CHECK_INT(s.ch[i].size, rc->want[i].members);
			CHECK_STR(s.winner[i], rc->want[i].winner ? rc->want[i].winner :
			    "");
			CHECK(s.ch[i].action == CONFLICT_OPENED);
		}
		conflicts_free(c);
		config_free(cfg);
	}
}

/* A second pass with the first's conflicts known: nothing to say; then
 * one claim rejected: the conflict resolves, its members removed. */
static void
test_against_known(void)
{
	static const struct claim_spec two[] = {
		{ "p:1", "P1", "Acme Corp", "acme.example", "US", "FW", "pending",
		  "2026-11-01T09:00:00Z", 0 },
		{ "p:2", "P2", "Acme Corp", "acme.example", "US", "FW", "pending",
		  "2026-11-05T09:00:00Z", 0 },
	};
	static const struct claim_spec gone[] = {
		{ "p:2", "P2", "Acme Corp", "acme.example", "US", "FW", "rejected",
		  "2026-11-05T09:00:00Z", 0 },
	};
	int64_t now = t_time("2026-11-20T00:00:00Z");
	struct config *cfg = t_config("rules: { conflicts: { protection: 90d } }\n");
	struct conflicts *c = conflicts_new();
	struct conflicts_known none = { NULL, 0, NULL, 0 }, known;
	struct conflict_state st;
	struct conflict_member_row mem[2];
	struct conflicts_result res;
	static struct seen s1, s2, s3;

	memset(&res, 0, sizeof(res));
	feed(c, two, 2, now, &res);
	conflicts_prepare(c, cfg, now, &res);
	CHECK_INT(conflicts_derive(c, cfg, &none, "t1", collect, &s1, &res), 0);
	conflicts_done(c, now, &res);
	CHECK_INT(s1.n, 1);
	/* known as the first pass stored it */
	memset(&st, 0, sizeof(st));
	st.key = s1.key[0];
	st.type = s1.type[0];
	st.status = "open";
	st.winner = s1.winner[0];
	st.evidence = s1.evidence[0];
	mem[0].conflict_key = mem[1].conflict_key = s1.key[0];
	mem[0].member = "p:1";
	mem[1].member = "p:2";
	known.states = &st;
	known.nstates = 1;
	known.members = mem;
	known.nmembers = 2;
	/* the same rows again: the same evidence, nothing to write */
	memset(&res, 0, sizeof(res));
	feed(c, two, 2, now + 60, &res);
	conflicts_prepare(c, cfg, now + 60, &res);
	CHECK_INT(conflicts_derive(c, cfg, &known, "t2", collect, &s2, &res), 0);
	conflicts_done(c, now + 60, &res);
	CHECK_INT(s2.n, 0);
	/* p:2 rejected: fewer than two claims, resolved, both members out */
	memset(&res, 0, sizeof(res));
	feed(c, gone, 1, now + 120, &res);
	conflicts_prepare(c, cfg, now + 120, &res);
	CHECK_INT(conflicts_derive(c, cfg, &known, "t3", collect, &s3, &res), 0);
	conflicts_done(c, now + 120, &res);
	CHECK_INT(s3.n, 1);
	CHECK(s3.n == 1 && s3.ch[0].action == CONFLICT_RESOLVED);
	CHECK_STR(s3.key[0], s1.key[0]);
	CHECK_INT(s3.ch[0].nmembers, 2);
	CHECK_INT(res.resolved, 1);
	CHECK_INT(res.claims, 1);
	conflicts_free(c);
	config_free(cfg);
}

static int ticks, stop_after;

static int
count_tick(void *arg)
{
	(void)arg;
	ticks++;
	return stop_after && ticks >= stop_after;
}

/* One customer claimed 5,000 times: the engine ticks on the way (the
 * daemon's watchdog), its evidence lists 100 claims and counts the rest,
 * and a tick that says stop stops the pass. */
static void
test_a_huge_group(void)
{
	int64_t now = t_time("2026-11-20T00:00:00Z");
	struct config *cfg = t_config("rules: { conflicts: { protection: 900d } }\n");
	struct conflicts_known none = { NULL, 0, NULL, 0 };
	struct conflicts_result res;
	static struct seen s;
	int round;

	for (round = 0; round < 2; round++) {
		struct conflicts *c = conflicts_new();
		char key[32];
		int i;

		ticks = 0;
		stop_after = round == 1 ? 1 : 0;
		conflicts_set_tick(c, count_tick, NULL);
		memset(&res, 0, sizeof(res));
		memset(&s, 0, sizeof(s));
		for (i = 0; i < 5000; i++) {
			struct conflict_claim_row r;

			memset(&r, 0, sizeof(r));
			snprintf(key, sizeof(key), "p:%05d", i);
			r.key = key;
			r.partner_id = i % 2 ? "P1" : "P2";
			r.customer_name = "Acme Corp";
			r.customer_domain = "acme.example";
			r.status = "pending";
			r.registered_at = now - 86400 - i;
			conflicts_apply(c, &r, now, &res);
			if (conflicts_tick(c))
				break;
		}
		if (round == 0) {
			CHECK_INT(conflicts_prepare(c, cfg, now, &res), 0);
			CHECK_INT(conflicts_derive(c, cfg, &none, "t", collect, &s,
			    &res), 0);
			/* the rows, then the group's 5,000 claims */
			CHECK(ticks >= 2);
			CHECK_INT(s.n, 2);
			CHECK_STR(s.type[0], "partner_conflict");
			CHECK_INT(s.ch[0].size, 5000);
			CHECK(strstr(s.evidence[0], "\"members_total\":5000") != NULL);
			CHECK(strstr(s.evidence[0], "\"members_omitted\":4900") != NULL);
			CHECK(strlen(s.evidence[0]) < 60000);
		} else {
			/* stopped while the rows came in: nothing derived */
			CHECK(i < 5000);
			CHECK(conflicts_prepare(c, cfg, now, &res) < 0 ||
			    conflicts_derive(c, cfg, &none, "t", collect, &s, &res) < 0);
			CHECK_INT(s.n, 0);
			conflicts_failed(c, &res);
		}
		conflicts_free(c);
	}
	config_free(cfg);
}

int
main(void)
{
	char err[256];

	if (normalize_init(NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	T_RUN(test_table);
	T_RUN(test_against_known);
	T_RUN(test_a_huge_group);
	normalize_shutdown();
	return t_done("conflict_rules");
}
