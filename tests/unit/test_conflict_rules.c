/* test_conflict_rules.c - the conflict engine on claim rows built in
 * memory, no database: a table of claim sets and the conflicts each must
 * open (type, members, winner), then a second pass against the first
 * pass's conflicts as known: nothing changes, a member leaves, a
 * conflict resolves. */
#include "lib/digest.h"
#include "rules/conflicts.h"
#include "t.h"
#include "t_cfg.h"

/* the table leaves the fields a claim does not need unset */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define MAXC 6
#define MAXX 6

struct claim_spec {
	const char *key, *partner, *name, *domain, *country, *product, *status;
	const char *registered;		/* ISO time; NULL: unknown (an
					 * opportunity's: its creation) */
	int opportunity;
	const char *decided, *expires;	/* an opportunity's expires: its
					 * close date */
	const char *partner_name;
};

struct want {
	const char *type;
	int members;
	const char *winner;		/* NULL: none */
	const char *because;		/* in the reason; NULL: not checked */
};

static const struct rule_case {
	const char *name, *rules, *registrations;
	struct claim_spec claims[MAXC];
	struct want want[MAXX];		/* in the order the engine opens them */
} cases[] = {
	{ "two partners, one domain, one product: the first registered wins",
	  "policy: first_to_register, protection: 90d, same_product_only: true", "",
	  { { "p:1", "P1", "Acme Corp", "acme.example", "US", "FW", "pending",
	      "2026-11-01T09:00:00Z", 0, .partner_name = "Alpha IT" },
	    { "p:2", "P2", "ACME Corporation", "acme.example", "US", "FW",
	      "pending", "2026-11-05T09:00:00Z", 0, .partner_name = "Beta Net" } },
	  { { "partner_conflict", 2, "p:1", "p:1 by Alpha IT was registered first "
	      "(2026-11-01), before p:2 by Beta Net (2026-11-05)" } } },
	{ "an approved incumbent beats an older pending claim",
	  "policy: first_to_register", "",
	  { { "p:old", "P1", "Globex UK", "globex.example", "GB", "FW", "pending",
	      "2026-10-01T09:00:00Z", 0, .partner_name = "Old Pending Ltd" },
	    { "p:appr", "P2", "GLOBEX UK LTD", "globex.example", "GB", "FW",
	      "approved", "2026-10-25T09:00:00Z", 0, "2026-10-30T10:00:00Z",
	      .partner_name = "Approved Partner" } },
	  { { "partner_conflict", 2, "p:appr", "p:appr by Approved Partner holds "
	      "an approval (of 2026-10-30, protected until 2027-01-28); an approved "
	      "claim beats a pending one such as p:old by Old Pending Ltd" } } },
	{ "a double approval is its own conflict, the earlier approval first",
	  "", "",
	  { { "d:1", "P1", "Müller Maschinenbau GmbH", "mueller.example", "DE",
	      "Firewall", "approved", "2026-09-28T09:00:00Z", 0,
	      "2026-10-02T09:00:00Z" },
	    { "h:7781", "P2", "Mueller Maschinenbau", "mueller.example", "DE",
	      "Firewall", "approved", "2026-10-30T09:00:00Z", 0,
	      "2026-11-03T09:00:00Z" },
	    { "v:3", "P3", "Müller Maschinenbau", "mueller.example", "DE",
	      "Firewall", "pending", "2026-11-10T09:00:00Z", 0 } },
	  { { "partner_conflict", 3, "d:1", "was approved first (2026-10-02), "
	      "before h:7781 by partner P2 (2026-11-03)" },
	    { "double_approval", 2, "d:1", "approved first" } } },
	{ "an approval without a decision date counts from its registration; "
	  "every claim approved: the double approval alone",
	  "", "",
	  { { "x:1", "P1", "Müller Maschinenbau GmbH", "mueller.example", "DE",
	      "Firewall", "approved", "2026-10-02T00:00:00Z", 0, NULL,
	      "2026-12-31T00:00:00Z" },
	    { "x:2", "P2", "Mueller Maschinenbau", "mueller.example", "DE",
	      "Firewall", "approved", "2026-11-03T00:00:00Z", 0,
	      "2026-11-06T12:00:00Z" } },
	  { { "double_approval", 2, "x:1", "x:1 by partner P1 was approved first "
	      "(2026-10-02, registered; no decision date), before x:2 by partner "
	      "P2 (2026-11-06)" } } },
	{ "mixed product lines: one conflict per line, a claim without one on each",
	  "same_product_only: true", "",
	  { { "m:1", "P1", "HPE", "hpe.example", NULL, "Email Security", "pending",
	      "2026-11-01T09:00:00Z", 0 },
	    { "m:2", "P2", "HPE", "hpe.example", NULL, "email security", "pending",
	      "2026-11-02T09:00:00Z", 0 },
	    { "m:3", "P3", "HPE", "hpe.example", NULL, "Endpoint", "pending",
	      "2026-11-03T09:00:00Z", 0 },
	    { "m:4", "P4", "HPE", "hpe.example", NULL, "Endpoint", "approved",
	      "2026-11-04T09:00:00Z", 0, "2026-11-06T09:00:00Z" },
	    { "m:5", "P5", "HPE", "hpe.example", NULL, NULL, "pending",
	      "2026-11-05T09:00:00Z", 0 } },
	  { { "partner_conflict", 3, "m:1", NULL },
	    { "partner_conflict", 3, "m:4", "holds an approval" } } },
	{ "other product lines: no partner conflict",
	  "same_product_only: true", "",
	  { { "p:1", "P1", "Acme Corp", "acme.example", "US", "FW", "pending",
	      "2026-11-01T09:00:00Z", 0 },
	    { "p:2", "P2", "Acme Corp", "acme.example", "US", "Email", "pending",
	      "2026-11-05T09:00:00Z", 0 } },
	  { { NULL, 0, NULL, NULL } } },
	{ "one line for every product when same_product_only is false",
	  "same_product_only: false", "",
	  { { "p:1", "P1", "Acme Corp", "acme.example", "US", "FW", "pending",
	      "2026-11-01T09:00:00Z", 0 },
	    { "p:2", "P2", "Acme Corp", "acme.example", "US", "Email", "pending",
	      "2026-11-05T09:00:00Z", 0 } },
	  { { "partner_conflict", 2, "p:1", NULL } } },
	{ "a stale pending claim is out of conflicts",
	  "", "pending_max_age: 60d",
	  { { "s:1", "P1", "Acme Corp", "acme.example", "US", "FW", "pending",
	      "2026-09-20T23:59:59Z", 0 },
	    { "s:2", "P2", "Acme Corp", "acme.example", "US", "FW", "pending",
	      "2026-11-05T09:00:00Z", 0 } },
	  { { NULL, 0, NULL, NULL } } },
	{ "a pending claim one second short of stale is in",
	  "", "pending_max_age: 60d",
	  { { "s:1", "P1", "Acme Corp", "acme.example", "US", "FW", "pending",
	      "2026-09-21T00:00:01Z", 0 },
	    { "s:2", "P2", "Acme Corp", "acme.example", "US", "FW", "pending",
	      "2026-11-05T09:00:00Z", 0 } },
	  { { "partner_conflict", 2, "s:1", NULL } } },
	{ "an approval past its default validity protects nothing",
	  "protection: 365d", "default_validity: 90d, pending_max_age: 365d",
	  { { "a:1", "P1", "Acme Corp", "acme.example", "US", "FW", "approved",
	      "2026-08-01T09:00:00Z", 0, "2026-08-22T00:00:00Z" },
	    { "a:2", "P2", "Acme Corp", "acme.example", "US", "FW", "pending",
	      "2026-11-05T09:00:00Z", 0 } },
	  { { NULL, 0, NULL, NULL } } },
	{ "an approval protected one second more is in, and wins",
	  "protection: 365d", "default_validity: 90d, pending_max_age: 365d",
	  { { "a:1", "P1", "Acme Corp", "acme.example", "US", "FW", "approved",
	      "2026-08-01T09:00:00Z", 0, "2026-08-22T00:00:01Z" },
	    { "a:2", "P2", "Acme Corp", "acme.example", "US", "FW", "pending",
	      "2026-11-05T09:00:00Z", 0 } },
	  { { "partner_conflict", 2, "a:1", "protected until 2026-11-20" } } },
	{ "an expires_at ends the protection whatever the validity",
	  "", "default_validity: 365d",
	  { { "a:1", "P1", "Acme Corp", "acme.example", "US", "FW", "approved",
	      "2026-10-01T09:00:00Z", 0, "2026-10-02T00:00:00Z",
	      "2026-11-19T00:00:00Z" },
	    { "a:2", "P2", "Acme Corp", "acme.example", "US", "FW", "pending",
	      "2026-11-05T09:00:00Z", 0 } },
	  { { NULL, 0, NULL, NULL } } },
	{ "windows a second short of the protection overlap",
	  "protection: 30d", "pending_max_age: 365d",
	  { { "w:1", "P1", "Acme Corp", "acme.example", "US", "FW", "pending",
	      "2026-10-01T00:00:00Z", 0 },
	    { "w:2", "P2", "Acme Corp", "acme.example", "US", "FW", "pending",
	      "2026-10-30T23:59:59Z", 0 } },
	  { { "partner_conflict", 2, "w:1", NULL } } },
	{ "windows exactly the protection apart do not",
	  "protection: 30d", "pending_max_age: 365d",
	  { { "w:1", "P1", "Acme Corp", "acme.example", "US", "FW", "pending",
	      "2026-10-01T00:00:00Z", 0 },
	    { "w:2", "P2", "Acme Corp", "acme.example", "US", "FW", "pending",
	      "2026-10-31T00:00:00Z", 0 } },
	  { { NULL, 0, NULL, NULL } } },
	{ "an approved claim's window starts at its approval",
	  "protection: 30d", "pending_max_age: 365d",
	  { { "w:1", "P1", "Acme Corp", "acme.example", "US", "FW", "approved",
	      "2026-09-01T00:00:00Z", 0, "2026-10-20T00:00:00Z" },
	    { "w:2", "P2", "Acme Corp", "acme.example", "US", "FW", "pending",
	      "2026-11-05T00:00:00Z", 0 } },
	  { { "partner_conflict", 2, "w:1", NULL } } },
	{ "a chain of windows: each claim overlaps a neighbour of another partner",
	  "protection: 10d", "pending_max_age: 365d",
	  { { "c:1", "P1", "Acme Corp", "acme.example", "US", "FW", "pending",
	      "2026-10-01T00:00:00Z", 0 },
	    { "c:2", "P1", "Acme Corp", "acme.example", "US", "FW", "pending",
	      "2026-10-05T00:00:00Z", 0 },
	    { "c:3", "P2", "Acme Corp", "acme.example", "US", "FW", "pending",
	      "2026-10-10T00:00:00Z", 0 },
	    { "c:4", "P3", "Acme Corp", "acme.example", "US", "FW", "pending",
	      "2026-11-15T00:00:00Z", 0 } },
	  { { "partner_conflict", 3, "c:1", NULL }, { "duplicate", 2, "c:1",
	      NULL } } },
	{ "names alike without a domain, countries agreeing",
	  "match_threshold: 0.90", "",
	  { { "p:1", "P1", "Müller Maschinenbau GmbH & Co. KG", NULL, "DE", NULL,
	      "pending", "2026-11-01T09:00:00Z", 0 },
	    { "p:2", "P2", "MUELLER MASCHINENBAU GMBH", NULL, "DE", NULL,
	      "pending", "2026-11-03T09:00:00Z", 0 },
	    { "p:3", "P3", "Mueller Maschinenbau", NULL, "AT", NULL, "pending",
	      "2026-11-02T09:00:00Z", 0 } },
	  { { "partner_conflict", 2, "p:1", NULL } } },
	{ "registration_first: an approval before the opportunity was opened wins",
	  "direct: true, direct_policy: registration_first", "",
	  { { "r:1", "P1", "Initech", "initech.example", NULL, "FW", "approved",
	      "2026-10-01T09:00:00Z", 0, "2026-10-03T09:00:00Z" },
	    { "opportunity:006A", NULL, "Initech", "initech.example", NULL, NULL,
	      "Prospecting", "2026-10-10T09:00:00Z", 1, NULL,
	      "2026-12-31T00:00:00Z" } },
	  { { "direct_conflict", 2, "r:1", "approved on 2026-10-03, before the "
	      "direct team opened opportunity:006A on 2026-10-10" } } },
	{ "registration_first: approved after the opportunity: the direct team wins",
	  "direct: true, direct_policy: registration_first", "",
	  { { "r:1", "P1", "Initech", "initech.example", NULL, "FW", "approved",
	      "2026-10-01T09:00:00Z", 0, "2026-10-12T09:00:00Z" },
	    { "r:2", "P1", "Initech LLC", "initech.example", NULL, "FW", "pending",
	      "2026-11-02T09:00:00Z", 0 },
	    { "opportunity:006A", NULL, "Initech", "initech.example", NULL, NULL,
	      "Prospecting", "2026-10-10T09:00:00Z", 1 } },
	  { { "direct_conflict", 3, "opportunity:006A", "no claim was approved "
	      "before the direct team opened opportunity:006A on 2026-10-10" },
	    { "duplicate", 2, "r:1", "keep r:1 by partner P1" } } },
	{ "direct_first: the direct team wins over an earlier approval",
	  "direct: true, direct_policy: direct_first", "",
	  { { "r:1", "P1", "Initech", "initech.example", NULL, "FW", "approved",
	      "2026-10-01T09:00:00Z", 0, "2026-10-03T09:00:00Z" },
	    { "opportunity:006A", NULL, "Initech", "initech.example", NULL, NULL,
	      "Prospecting", "2026-10-10T09:00:00Z", 1 } },
	  { { "direct_conflict", 2, "opportunity:006A", "direct_first" } } },
	{ "an opportunity a second past its close date's grace is no conflict",
	  "direct: true, direct_grace: 30d", "",
	  { { "r:1", "P1", "Initech", "initech.example", NULL, "FW", "pending",
	      "2026-11-01T09:00:00Z", 0 },
	    { "opportunity:006A", NULL, "Initech", "initech.example", NULL, NULL,
	      "Prospecting", "2026-09-01T09:00:00Z", 1, NULL,
	      "2026-10-21T00:00:00Z" } },
	  { { NULL, 0, NULL, NULL } } },
	{ "an opportunity within its close date's grace still is",
	  "direct: true, direct_grace: 30d", "",
	  { { "r:1", "P1", "Initech", "initech.example", NULL, "FW", "pending",
	      "2026-11-01T09:00:00Z", 0 },
	    { "opportunity:006A", NULL, "Initech", "initech.example", NULL, NULL,
	      "Prospecting", "2026-09-01T09:00:00Z", 1, NULL,
	      "2026-10-21T00:00:01Z" } },
	  { { "direct_conflict", 2, "opportunity:006A", NULL } } },
	{ "policy manual recommends nobody when no approval separates the claims",
	  "policy: manual", "",
	  { { "p:1", "P1", "Acme Corp", "acme.example", NULL, NULL, "pending",
	      "2026-11-01T09:00:00Z", 0 },
	    { "p:2", "P2", "Acme Corp", "acme.example", NULL, NULL, "pending",
	      "2026-11-05T09:00:00Z", 0 } },
	  { { "partner_conflict", 2, NULL, "policy manual" } } },
	{ "policy manual still lets an approval beat a pending claim",
	  "policy: manual", "",
	  { { "p:1", "P1", "Acme Corp", "acme.example", NULL, NULL, "pending",
	      "2026-11-01T09:00:00Z", 0 },
	    { "p:2", "P2", "Acme Corp", "acme.example", NULL, NULL, "approved",
	      "2026-11-05T09:00:00Z", 0, "2026-11-06T09:00:00Z" } },
	  { { "partner_conflict", 2, "p:2", "holds an approval" } } },
	{ "registered at the same second: the key decides",
	  "", "",
	  { { "k:2", "P1", "Acme Corp", "acme.example", NULL, NULL, "pending",
	      "2026-11-01T09:00:00Z", 0 },
	    { "k:1", "P2", "Acme Corp", "acme.example", NULL, NULL, "pending",
	      "2026-11-01T09:00:00Z", 0 } },
	  { { "partner_conflict", 2, "k:1", "the key decides" } } },
	{ "a free-mail domain names nobody: different names stay apart",
	  "", "",
	  { { "p:1", "P1", "Acme Corp", "gmail.com", NULL, NULL, "pending",
	      "2026-11-01T09:00:00Z", 0 },
	    { "p:2", "P2", "Globex Ltd", "gmail.com", NULL, NULL, "pending",
	      "2026-11-05T09:00:00Z", 0 } },
	  { { NULL, 0, NULL, NULL } } },
	{ "rejected and expired registrations claim nothing",
	  "", "",
	  { { "p:1", "P1", "Acme Corp", "acme.example", NULL, NULL, "rejected",
	      "2026-11-01T09:00:00Z", 0 },
	    { "p:2", "P2", "Acme Corp", "acme.example", NULL, NULL, "expired",
	      "2026-11-05T09:00:00Z", 0 },
	    { "p:3", "P3", "Acme Corp", "acme.example", NULL, NULL, "pending",
	      "2026-11-06T09:00:00Z", 0 } },
	  { { NULL, 0, NULL, NULL } } },
};

/* What the sink was given, kept to compare and to feed back as known. */
struct seen {
	struct conflict_change ch[16];
	char key[16][40], type[16][32], winner[16][64], evidence[16][65536];
	char reason[16][800];
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
	snprintf(s->reason[k], sizeof(s->reason[k]), "%s", ch->rec.reason ?
	    ch->rec.reason : "");
	for (i = 0; i < ch->nmembers && i < 8; i++)
		snprintf(s->member[k][i], sizeof(s->member[k][i]), "%s",
		    ch->members[i].present ? ch->members[i].member : "");
	jv_free(ch->audit);
	return 0;
}

static void
feed(struct conflicts *c, const struct config *cfg, const struct claim_spec *cs,
    size_t n, int64_t now, struct conflicts_result *res)
{
	size_t i;

	for (i = 0; i < n && cs[i].key; i++) {
		struct conflict_claim_row r;

		memset(&r, 0, sizeof(r));
		r.is_opportunity = cs[i].opportunity;
		r.key = cs[i].key;
		r.partner_id = cs[i].partner;
		r.partner_name = cs[i].partner_name;
		r.customer_name = cs[i].name;
		r.customer_domain = cs[i].domain;
		r.customer_country = cs[i].country;
		r.product = cs[i].product;
		r.status = cs[i].status;
		r.registered_at = cs[i].registered ? t_time(cs[i].registered) : 0;
		r.decided_at = cs[i].decided ? t_time(cs[i].decided) : 0;
		r.expires_at = cs[i].expires ? t_time(cs[i].expires) : 0;
		r.probability = -1;
		conflicts_apply(c, cfg, &r, now, res);
	}
}

static struct config *
case_config(const struct rule_case *rc)
{
	char yaml[512];

	snprintf(yaml, sizeof(yaml), "registrations: { %s }\n"
	    "rules: { conflicts: { %s } }\n", rc->registrations, rc->rules);
	return t_config(yaml);
}

static void
test_table(void)
{
	int64_t now = t_time("2026-11-20T00:00:00Z");
	size_t k, i;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct rule_case *rc = &cases[k];
		struct config *cfg = case_config(rc);
		struct conflicts *c = conflicts_new();
		struct conflicts_known none = { NULL, 0, NULL, 0 };
		struct conflicts_result res;
		static struct seen s;
		size_t want = 0;

		t_current = rc->name;
		memset(&res, 0, sizeof(res));
		memset(&s, 0, sizeof(s));
		feed(c, cfg, rc->claims, MAXC, now, &res);
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
			if (rc->want[i].because &&
			    strstr(s.reason[i], rc->want[i].because) == NULL) {
				CHECK_STR(s.reason[i], rc->want[i].because);
			}
		}
		conflicts_free(c);
		config_free(cfg);
	}
}

/* What a pass over claims read in a given order rules: each conflict's
 * type, members, winner and reason, one line each. */
static void
rule_in_order(const struct rule_case *rc, const size_t *order, size_t n,
    char *out, size_t len)
{
	struct claim_spec cs[MAXC];
	int64_t now = t_time("2026-11-20T00:00:00Z");
	struct config *cfg = case_config(rc);
	struct conflicts *c = conflicts_new();
	struct conflicts_known none = { NULL, 0, NULL, 0 };
	struct conflicts_result res;
	static struct seen s;
	size_t i, o = 0;

	memset(cs, 0, sizeof(cs));
	for (i = 0; i < n; i++)
		cs[i] = rc->claims[order[i]];
	memset(&res, 0, sizeof(res));
	memset(&s, 0, sizeof(s));
	feed(c, cfg, cs, n, now, &res);
	conflicts_prepare(c, cfg, now, &res);
	conflicts_derive(c, cfg, &none, "t", collect, &s, &res);
	out[0] = '\0';
	for (i = 0; i < s.n && o < len; i++)
		o += (size_t)snprintf(out + o, len - o, "%s %s %zu %s | %s\n",
		    s.key[i], s.type[i], s.ch[i].size, s.winner[i], s.reason[i]);
	conflicts_free(c);
	config_free(cfg);
}

/*
 * The ruling depends on the claims, never on the order they were read
 * in: every case's claims in every order (up to 6! = 720) give the same
 * conflicts, keys, winners and reasons.
 */
static void
test_any_order(void)
{
	static char first[8192], other[8192];
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct rule_case *rc = &cases[k];
		size_t order[MAXC], n = 0, i, j, perms = 0;

		t_current = rc->name;
		while (n < MAXC && rc->claims[n].key)
			n++;
		for (i = 0; i < n; i++)
			order[i] = i;
		rule_in_order(rc, order, n, first, sizeof(first));
		/* the next permutation, lexicographically, until none */
		for (;;) {
			for (i = n - 1; i > 0 && order[i - 1] >= order[i]; i--)
				;
			if (i == 0 || n < 2)
				break;
			for (j = n - 1; order[j] <= order[i - 1]; j--)
				;
			size_t t = order[i - 1];

			order[i - 1] = order[j];
			order[j] = t;
			for (j = n - 1; i < j; i++, j--) {
				t = order[i];
				order[i] = order[j];
				order[j] = t;
			}
			rule_in_order(rc, order, n, other, sizeof(other));
			perms++;
			if (strcmp(first, other) != 0) {
				CHECK_STR(other, first);
				break;
			}
		}
		CHECK(perms + 1 >= (n <= 1 ? 1 : n));
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
	char sha[DIGEST_HEX_LEN + 1];

	memset(&res, 0, sizeof(res));
	feed(c, cfg, two, 2, now, &res);
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
	{
		unsigned char h[DIGEST_LEN];

		sha256(s1.evidence[0], strlen(s1.evidence[0]), h);
		hex_encode(h, DIGEST_LEN, sha);
	}
	st.evidence_sha = sha;
	mem[0].conflict_key = mem[1].conflict_key = s1.key[0];
	mem[0].member = "p:1";
	mem[1].member = "p:2";
	known.states = &st;
	known.nstates = 1;
	known.members = mem;
	known.nmembers = 2;
	/* the same rows again: the same evidence, nothing to write */
	memset(&res, 0, sizeof(res));
	feed(c, cfg, two, 2, now + 60, &res);
	conflicts_prepare(c, cfg, now + 60, &res);
	CHECK_INT(conflicts_derive(c, cfg, &known, "t2", collect, &s2, &res), 0);
	conflicts_done(c, now + 60, &res);
	CHECK_INT(s2.n, 0);
	/* p:2 rejected: fewer than two claims, resolved, both members out */
	memset(&res, 0, sizeof(res));
	feed(c, cfg, gone, 1, now + 120, &res);
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
			conflicts_apply(c, cfg, &r, now, &res);
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
	T_RUN(test_any_order);
	T_RUN(test_against_known);
	T_RUN(test_a_huge_group);
	normalize_shutdown();
	return t_done("conflict_rules");
}
