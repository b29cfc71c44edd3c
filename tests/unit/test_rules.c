/* test_rules.c - the rules' pass on a real SQLite file: pipeline to plan,
 * scores and alerts read from the store, stored and audited; period
 * boundaries in time zones and business-day clocks over weekends and
 * holidays. The rules alone, on structs, are test_plan, test_score and
 * test_alerts. */
#include "pass_rules.h"
#include "rules/alerts.h"
#include "store/audit.h"
#include "lib/clock.h"
#include "config/config.h"
#include "lib/diag.h"
#include "model/normalize.h"
#include "rules/plan.h"
#include "rules/score.h"
#include "store/store.h"
#include "t.h"
#include "t_cfg.h"

#include <math.h>
#include "t_sql.h"	/* to read the results */

static struct config *cfg;
static struct store *st;
static struct audit *au;
static char dbpath[512];
static int nth;

static int64_t
at(const char *iso)
{
	return t_time(iso);
}

static void
setup(const char *extra)
{
	char yaml[2048], err[256];

	if (st) {
		audit_free(au);
		store_close(st);
		config_free(cfg);
	}
	snprintf(yaml, sizeof(yaml), "daemon: { state_dir: %s, timezone: "
	    "Europe/Berlin, holidays: [2026-12-25] }\n%s", t_tmpdir(), extra);
	cfg = t_config(yaml);
	snprintf(dbpath, sizeof(dbpath), "%s/r%d.db", t_tmpdir(), ++nth);
	if ((st = store_open(dbpath, STORE_RW, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		exit(2);
	}
	au = audit_new(st, "test", NULL);
}

static void
set(struct record *r, const char *f, const char *v)
{
	int i = entity_field_index(r->kind, f);

	if (v) {
		r->val[i] = strdup(v);
		r->num[i] = strtod(v, NULL);
	}
}

static void
partner(const char *id, const char *name, const char *tier)
{
	struct record r;

	record_init(&r, ENTITY_PARTNERS, "crm");
	set(&r, "id", id);
	set(&r, "name", name);
	set(&r, "tier", tier);
	r.key = strdup(id);
	CHECK(store_upsert(st, &r, "2026-11-20T00:00:00Z") >= 0);
	record_clear(&r);
}

/* An opportunity in currency (NULL: the base currency), converted to the
 * base as ingestion does (normalize.fx). */
static void
opp_cur(const char *id, const char *partner_id, double amount,
    const char *currency, const char *stage, const char *prob, int closed,
    int won, const char *close)
{
	struct record r;
	char a[32];
	double rate = 1;

	record_init(&r, ENTITY_OPPORTUNITIES, "crm");
	set(&r, "id", id);
	set(&r, "partner_id", partner_id);
	snprintf(a, sizeof(a), "%.2f", amount);
	set(&r, "amount", a);
	set(&r, "currency", currency);
	if (currency)
		CHECK(config_fx_rate(cfg, currency, &rate) == 0);
	r.amount_base = amount * rate;
	r.has_amount_base = 1;
	set(&r, "stage", stage);
	set(&r, "probability", prob);
	set(&r, "is_closed", closed ? "1" : "0");
	set(&r, "is_won", won ? "1" : "0");
	set(&r, "close_date", close);
	r.key = strdup(id);
	CHECK(store_upsert(st, &r, "2026-11-20T00:00:00Z") >= 0);
	record_clear(&r);
}

static void
opp(const char *id, const char *partner_id, double amount, const char *stage,
    const char *prob, int closed, int won, const char *close)
{
	opp_cur(id, partner_id, amount, NULL, stage, prob, closed, won, close);
}

/* An open opportunity at 50% in currency. */
static void
opp_in(const char *id, const char *partner_id, double amount,
    const char *currency, const char *close)
{
	opp_cur(id, partner_id, amount, currency, "Proposal", "50", 0, 0, close);
}

static void
plan(const char *partner_id, const char *period, double target)
{
	struct record r;
	char a[32];

	record_init(&r, ENTITY_PLANS, "crm");
	set(&r, "partner_id", partner_id);
	set(&r, "period", period);
	snprintf(a, sizeof(a), "%.2f", target);
	set(&r, "target", a);
	r.amount_base = target;
	r.has_amount_base = 1;
	r.key = malloc(64);
	snprintf(r.key, 64, "%s/%s", partner_id, period);
	CHECK(store_upsert(st, &r, "2026-11-20T00:00:00Z") >= 0);
	record_clear(&r);
}

static void
reg(const char *ext, const char *partner_id, const char *status,
    const char *registered, const char *expires)
{
	struct record r;

	record_init(&r, ENTITY_REGISTRATIONS, "portal");
	set(&r, "external_id", ext);
	set(&r, "partner_id", partner_id);
	set(&r, "customer_name", "Some Customer");
	set(&r, "status", status);
	set(&r, "registered_at", registered);
	set(&r, "expires_at", expires);
	r.key = malloc(64);
	snprintf(r.key, 64, "portal:%s", ext);
	CHECK(store_upsert(st, &r, "2026-11-20T00:00:00Z") >= 0);
	record_clear(&r);
}

static const char *
q(const char *sql)
{
	return t_sql(dbpath, sql);
}

static void
test_periods_in_time_zones(void)
{
	struct plan_period p;

	/* 23:30 UTC on New Year's Eve is already 2027 in Berlin */
	CHECK(plan_period_of(at("2026-12-31T23:30:00Z"), "Europe/Berlin",
	    PERIOD_QUARTER, 0, &p) == 0);
	CHECK_STR(p.name, "2027-Q1");
	CHECK_STR(p.from, "2027-01-01");
	CHECK_STR(p.to, "2027-03-31");
	CHECK(plan_period_of(at("2026-12-31T23:30:00Z"), "America/New_York",
	    PERIOD_QUARTER, 0, &p) == 0);
	CHECK_STR(p.name, "2026-Q4");
	CHECK(plan_period_of(at("2026-01-15T12:00:00Z"), "UTC", PERIOD_QUARTER, 1,
	    &p) == 0);
	CHECK_STR(p.name, "2025-Q4");
	CHECK_STR(p.to, "2025-12-31");
	CHECK(plan_period_of(at("2028-03-01T00:00:00Z"), NULL, PERIOD_MONTH, 1,
	    &p) == 0);
	CHECK_STR(p.name, "2028-02");
	CHECK_STR(p.to, "2028-02-29");		/* a leap year */
	CHECK(plan_period_of(at("2026-06-01T00:00:00Z"), "", PERIOD_YEAR, 0, &p) == 0);
	CHECK_STR(p.name, "2026");
	CHECK(plan_period_of(0, "Mars/Olympus_Mons", PERIOD_YEAR, 0, &p) == -1);
	/* the next period (back -1) across the year's end, zone by zone */
	CHECK(plan_period_of(at("2026-12-31T23:30:00Z"), "America/New_York",
	    PERIOD_QUARTER, -1, &p) == 0);
	CHECK_STR(p.name, "2027-Q1");
	CHECK(plan_period_of(at("2026-12-31T23:30:00Z"), "Europe/Berlin",
	    PERIOD_QUARTER, -1, &p) == 0);
	CHECK_STR(p.name, "2027-Q2");
	CHECK_STR(p.from, "2027-04-01");
	CHECK(plan_period_of(at("2026-12-15T00:00:00Z"), NULL, PERIOD_MONTH, -2,
	    &p) == 0);
	CHECK_STR(p.name, "2027-02");
	CHECK_STR(p.to, "2027-02-28");
	/* a period by its name, as plans give it */
	CHECK(plan_period_named("2026-Q4", &p) == 0);
	CHECK_STR(p.from, "2026-10-01");
	CHECK_STR(p.to, "2026-12-31");
	CHECK(plan_period_named("2028-02", &p) == 0);
	CHECK_STR(p.to, "2028-02-29");
	CHECK(plan_period_named("2026", &p) == 0);
	CHECK_STR(p.to, "2026-12-31");
	CHECK(plan_period_named("2026-Q5", &p) == -1);
	CHECK(plan_period_named("2026-13", &p) == -1);
	CHECK(plan_period_named("2026-Q4x", &p) == -1);
	CHECK(plan_period_named("", &p) == -1);
}

static void
test_business_time(void)
{
	setup("");
	/* Friday 17:00 to Monday 17:00 Berlin: 7 h + 17 h */
	CHECK_INT(alerts_business_seconds(cfg, at("2026-11-27T16:00:00Z"),
	    at("2026-11-30T16:00:00Z")), 24 * 3600);
	/* Saturday to Sunday: none */
	CHECK_INT(alerts_business_seconds(cfg, at("2026-11-28T10:00:00Z"),
	    at("2026-11-29T20:00:00Z")), 0);
	/* within one day, to the second */
	CHECK_INT(alerts_business_seconds(cfg, at("2026-11-26T08:00:00Z"),
	    at("2026-11-26T08:00:01Z")), 1);
	/* Christmas (a Friday in 2026) is a holiday: Thu 24 to Mon 28 is
	 * Thursday's rest and Monday up to the same time */
	CHECK_INT(alerts_business_seconds(cfg, at("2026-12-24T11:00:00Z"),
	    at("2026-12-28T11:00:00Z")), 24 * 3600);
	/* three whole weeks: fifteen business days */
	CHECK_INT(alerts_business_seconds(cfg, at("2026-11-01T23:00:00Z"),
	    at("2026-11-22T23:00:00Z")), 15 * 86400);
	CHECK_INT(alerts_business_seconds(cfg, at("2026-11-02T00:00:00Z"),
	    at("2026-11-01T00:00:00Z")), 0);
}

static void
test_plan_figures(void)
{
	struct plan_result r;
	struct plan_period p;
	const struct plan_row *a, *b, *c;
	char err[256];

	setup("normalize: { stages: { Proposal: 40 } }\n"
	    "rules: { pipeline: { basis: plan, total_index: 2.0, "
	    "risk_adjusted_index: 1.0 } }\n");
	partner("P1", "Alpha", "gold");
	partner("P2", "Beta", "gold");
	partner("P3", "Gamma", NULL);
	/* P1: won 50k, open 100k at 40% (configured stage), open 50k at 10%
	 * (its own probability), one outside the quarter */
	opp("O1", "P1", 50000, "Closed Won", "100", 1, 1, "2026-10-15");
	opp("O2", "P1", 100000, "Proposal", NULL, 0, 0, "2026-12-31");
	opp("O3", "P1", 50000, "Proposal", "10", 0, 0, "2026-11-30");
	opp("O4", "P1", 999999, "Proposal", NULL, 0, 0, "2027-01-01");
	opp("O5", "P1", 7000, "Closed Lost", "0", 1, 0, "2026-11-01");
	plan("P1", "2026-Q4", 100000);
	/* P2: a plan, no pipeline */
	plan("P2", "2026-Q4", 80000);
	/* P3: pipeline, no plan */
	opp("O6", "P3", 30000, "Proposal", NULL, 0, 0, "2026-11-15");
	CHECK(plan_period_of(at("2026-11-27T10:00:00Z"), "Europe/Berlin",
	    PERIOD_QUARTER, 0, &p) == 0);
	CHECK(pass_plan(cfg, st, &p, &r, err, sizeof(err)) == 0);
	CHECK_INT(r.n, 3);
	a = plan_find(&r, "P1");
	b = plan_find(&r, "P2");
	c = plan_find(&r, "P3");
	CHECK(a && b && c);
	if (a && b && c) {
		CHECK(fabs(a->closed_won - 50000) < 1e-6);
		CHECK(fabs(a->pipeline - 150000) < 1e-6);
		CHECK(fabs(a->risk_adjusted - (40000 + 5000)) < 1e-6);
		CHECK(fabs(a->total_target - 200000) < 1e-6);
		CHECK(fabs(a->coverage - 0.75) < 1e-9);
		CHECK(fabs(a->risk_coverage - 0.45) < 1e-9);
		CHECK(fabs(a->attainment - 0.5) < 1e-9);
		CHECK(b->has_plan && b->has_coverage && b->coverage == 0);
		CHECK(!c->has_plan && !c->has_coverage && !c->has_attainment);
	}
	plan_result_free(&r);
	/* basis remaining: the plan minus closed-won */
	setup("rules: { pipeline: { basis: remaining, total_index: 2.0 } }\n");
	partner("P1", "Alpha", "gold");
	opp("O1", "P1", 50000, "Closed Won", "100", 1, 1, "2026-10-15");
	opp("O2", "P1", 100000, "Proposal", "50", 0, 0, "2026-12-31");
	plan("P1", "2026-Q4", 100000);
	CHECK(pass_plan(cfg, st, &p, &r, err, sizeof(err)) == 0);
	a = plan_find(&r, "P1");
	CHECK(a && fabs(a->total_target - 100000) < 1e-6 &&
	    fabs(a->coverage - 1.0) < 1e-9);
	plan_result_free(&r);
	/* on 2026-11-27: an open one closing the day before, and one left
	 * open from last quarter, are past due, not pipeline; a later
	 * period's basis is its plan even with basis remaining */
	opp("O3", "P1", 20000, "Proposal", "50", 0, 0, "2026-11-26");
	opp("O4", "P1", 30000, "Proposal", "50", 0, 0, "2026-08-01");
	opp("O5", "P1", 40000, "Proposal", "50", 0, 0, "2026-11-27");
	CHECK(pass_plan_on(cfg, st, &p, "2026-11-27", 0, &r, err,
	    sizeof(err)) == 0);
	a = plan_find(&r, "P1");
	CHECK(a && fabs(a->pipeline - 140000) < 1e-6 && a->past_due_n == 2 &&
	    fabs(a->past_due - 50000) < 1e-6 &&
	    strcmp(a->past_due_oldest, "2026-08-01") == 0);
	plan_result_free(&r);
	{
		struct plan_period nx;

		plan("P1", "2027-Q1", 60000);
		opp("O6", "P1", 30000, "Proposal", "50", 0, 0, "2027-02-01");
		CHECK(plan_period_of(at("2026-11-27T10:00:00Z"), "Europe/Berlin",
		    PERIOD_QUARTER, -1, &nx) == 0);
		CHECK_STR(nx.name, "2027-Q1");
		CHECK(pass_plan_on(cfg, st, &nx, "2026-11-27", 1, &r, err,
		    sizeof(err)) == 0);
		a = plan_find(&r, "P1");
		CHECK(a && a->past_due_n == 0 && fabs(a->pipeline - 30000) < 1e-6 &&
		    fabs(a->total_target - 120000) < 1e-6 && r.later == 1);
		plan_result_free(&r);
	}
	/* currencies: everything in the base currency */
	setup("normalize: { base_currency: USD, fx: { EUR: 1.08, GBP: 1.27 } }\n"
	    "rules: { pipeline: { total_index: 1.0, risk_adjusted_index: 1.0 } }\n");
	partner("P1", "Alpha", "gold");
	opp_in("O1", "P1", 100000, "EUR", "2026-11-30");
	opp_in("O2", "P1", 10000, "GBP", "2026-12-01");
	opp_in("O3", "P1", 5000, "USD", "2026-12-02");
	plan("P1", "2026-Q4", 250000);
	CHECK(pass_plan(cfg, st, &p, &r, err, sizeof(err)) == 0);
	a = plan_find(&r, "P1");
	CHECK(a && fabs(a->pipeline - (108000 + 12700 + 5000)) < 1e-6);
	CHECK(a && fabs(a->risk_adjusted - 125700 * 0.5) < 1e-6);
	CHECK(a && fabs(a->coverage - 125700.0 / 250000) < 1e-9);
	plan_result_free(&r);
}

/* Every earlier period with a plan is scored once, as it stood at its
 * end; the one just before the current is scored again each cycle; a
 * later period and plans of another kind are not. */
static void
test_score_history(void)
{
	struct plan_period cur;
	char err[256];
	int64_t now = at("2026-11-27T10:00:00Z");

	setup("");
	partner("P1", "Alpha", "gold");
	partner("P2", "Beta", "gold");
	opp("O1", "P1", 90000, "Closed Won", "100", 1, 1, "2026-05-10");
	opp("O2", "P2", 30000, "Closed Won", "100", 1, 1, "2026-05-11");
	opp("O3", "P2", 80000, "Closed Won", "100", 1, 1, "2026-08-11");
	plan("P1", "2026-Q2", 100000);
	plan("P2", "2026-Q2", 100000);
	plan("P1", "2026-Q3", 100000);
	plan("P2", "2026-Q3", 100000);
	plan("P1", "2026-Q4", 100000);
	plan("P1", "2027-Q1", 100000);		/* later: not scored */
	plan("P1", "2026-11", 50000);		/* a month: another kind */
	CHECK(plan_period_of(now, "Europe/Berlin", PERIOD_QUARTER, 0, &cur) == 0);
	CHECK_INT(pass_score_history(cfg, st, au, 0, &cur, now, err,
	    sizeof(err)), 2);
	CHECK_STR(q("SELECT group_concat(DISTINCT period) FROM partner_periods"),
	    "2026-Q2,2026-Q3");
	/* Q2: P1 at 90% above P2 at 30%; Q3 the other way round */
	CHECK_STR(q("SELECT partner_id FROM partner_periods WHERE period = "
	    "'2026-Q2' ORDER BY score DESC LIMIT 1"), "P1");
	CHECK_STR(q("SELECT partner_id FROM partner_periods WHERE period = "
	    "'2026-Q3' ORDER BY score DESC LIMIT 1"), "P2");
	CHECK_STR(q("SELECT round(attainment, 2) FROM partner_periods WHERE "
	    "period = '2026-Q3' AND partner_id = 'P2'"), "0.8");
	/* the next cycle: only the previous period again */
	CHECK_INT(pass_score_history(cfg, st, au, 0, &cur, now, err,
	    sizeof(err)), 1);
	CHECK_STR(q("SELECT count(*) FROM partner_periods"), "4");
}

static void
test_scores_and_alerts(void)
{
	struct plan_result r;
	struct plan_period p, prev;
	struct score_result s;
	struct pass_alerts_result ar;
	char err[256];
	int64_t now = at("2026-11-27T10:00:00Z");

	setup("scoring: { peer_group: tier }\n"
	    "rules: { approval_sla: { warn: 2d, breach: 4d }, score_drop: 10 }\n");
	partner("P1", "Alpha", "gold");
	partner("P2", "Beta", "gold");
	partner("P3", "Solo", "platinum");
	opp("O1", "P1", 100000, "Closed Won", "100", 1, 1, "2026-10-15");
	opp("O2", "P1", 300000, "Proposal", "50", 0, 0, "2026-12-15");
	plan("P1", "2026-Q4", 100000);
	opp("O3", "P2", 10000, "Closed Lost", "0", 1, 0, "2026-10-15");
	opp("O4", "P2", 20000, "Proposal", "50", 0, 0, "2026-12-15");
	plan("P2", "2026-Q4", 100000);
	opp("O5", "P3", 5000, "Closed Won", "100", 1, 1, "2026-09-15");
	/* registrations: pending since Monday 09:00 Berlin (breach by
	 * Friday), pending since Wednesday (warning), approved expiring */
	reg("R1", "P1", "pending", "2026-11-23T08:00:00Z", NULL);
	reg("R2", "P2", "pending", "2026-11-25T08:00:00Z", NULL);
	reg("R3", "P1", "approved", "2026-10-01T08:00:00Z", "2026-12-05T00:00:00Z");
	reg("R4", "P2", "rejected", "2026-10-01T08:00:00Z", NULL);
	CHECK(plan_period_of(now, "Europe/Berlin", PERIOD_QUARTER, 0, &p) == 0);
	CHECK(plan_period_of(now, "Europe/Berlin", PERIOD_QUARTER, 1, &prev) == 0);
	CHECK(pass_plan(cfg, st, &p, &r, err, sizeof(err)) == 0);
	CHECK(pass_scores(cfg, st, au, 0, &r, &prev, now, &s, err,
	    sizeof(err)) == 0);
	/* ranks among the gold peers P1 and P2: P1 above P2 on attainment
	 * (1.0 to 0), win rate (1 to 0) and quality (1 to 0); P1 met its plan,
	 * so it has no coverage target: P2 alone ranks on coverage */
	CHECK(s.rows[0].has_score && fabs(s.rows[0].score - 100) < 1e-9);
	/* the top score, but the default platinum and gold ask for
	 * certifications P1 has not got: silver, and it says so */
	CHECK_STR(s.rows[0].tier, "silver");
	CHECK_STR(s.rows[0].next_needs, "certifications 1 (has 0)");
	CHECK(!s.rows[0].has[1] && s.rows[1].has[1]);
	CHECK(s.rows[1].has_score && fabs(s.rows[1].score - 2000.0 / 75) < 1e-9);
	/* a peer group of one: top of it */
	CHECK(s.rows[2].has[1] == 0);		/* no plan: no coverage */
	CHECK(s.rows[2].pct[2] == 100);
	CHECK(strstr(s.rows[2].flags, "no plan for 2026-Q4") != NULL);
	CHECK_STR(q("SELECT count(*) FROM partner_periods WHERE period = '2026-Q4'"),
	    "3");
	/* alerts: raised once */
	CHECK(pass_alerts(cfg, st, au, 0, now, &r, &s, NULL, NULL, &ar) == 0);
	CHECK_STR(q("SELECT severity FROM alerts WHERE key = "
	    "'approval_sla_breach:portal:R1'"), "critical");
	CHECK_STR(q("SELECT severity FROM alerts WHERE key = "
	    "'approval_sla_warning:portal:R2'"), "warning");
	CHECK_STR(q("SELECT count(*) FROM alerts WHERE type = "
	    "'registration_expiring'"), "1");
	CHECK_STR(q("SELECT severity FROM alerts WHERE key = "
	    "'pipeline_below_plan:P2:2026-Q4'"), "critical");
	/* under on both: the total alert only */
	CHECK_STR(q("SELECT count(*) FROM alerts WHERE key = "
	    "'risk_adjusted_below_plan:P2:2026-Q4'"), "0");
	/* P1 met its plan: no pipeline alert of either kind */
	CHECK_STR(q("SELECT count(*) FROM alerts WHERE key LIKE "
	    "'%_below_plan:P1:%'"), "0");
	CHECK(ar.raised == 4);
	/* the same facts again: nothing raised, updated or resolved */
	CHECK(pass_alerts(cfg, st, au, 0, now, &r, &s, NULL, NULL, &ar) == 0);
	CHECK_INT(ar.raised + ar.updated + ar.resolved, 0);
	CHECK_STR(q("SELECT count(*) FROM audit WHERE action = 'alert.raised'"), "4");
	/* R2 is decided: its alert resolves */
	reg("R2", "P2", "approved", "2026-11-25T08:00:00Z", NULL);
	CHECK(pass_alerts(cfg, st, au, 0, now, &r, &s, NULL, NULL, &ar) == 0);
	CHECK_INT(ar.resolved, 1);
	CHECK_STR(q("SELECT status FROM alerts WHERE key = "
	    "'approval_sla_warning:portal:R2'"), "resolved");
	/* score changes are audited, old -> new: every partner's first score,
	 * then P1's and P2's, whose places on registration quality swap once
	 * P1's R3 is rejected (P1 0 of 1, P2 1 of 2) */
	CHECK_STR(q("SELECT count(*) FROM audit WHERE action = 'score.changed'"), "3");
	score_result_free(&s);
	reg("R3", "P1", "rejected", "2026-10-01T08:00:00Z", NULL);
	CHECK(pass_scores(cfg, st, au, 0, &r, &prev, now, &s, err,
	    sizeof(err)) == 0);
	CHECK_STR(q("SELECT group_concat(entity_id) FROM audit WHERE action = "
	    "'score.changed'"), "P1,P2,P3,P1,P2");
	CHECK_STR(q("SELECT json_extract(detail, '$.old.score') < json_extract("
	    "detail, '$.new.score') FROM audit WHERE action = 'score.changed' "
	    "ORDER BY seq DESC LIMIT 1"), "1");
	score_result_free(&s);
	CHECK(pass_scores(cfg, st, au, 0, &r, &prev, now, &s, err,
	    sizeof(err)) == 0);
	CHECK_STR(q("SELECT count(*) FROM audit WHERE action = 'score.changed'"), "5");
	score_result_free(&s);
	plan_result_free(&r);
}

int
main(void)
{
	char err[256];

	if (normalize_init(NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	T_RUN(test_periods_in_time_zones);
	T_RUN(test_business_time);
	T_RUN(test_plan_figures);
	T_RUN(test_score_history);
	T_RUN(test_scores_and_alerts);
	audit_free(au);
	store_close(st);
	config_free(cfg);
	normalize_shutdown();
	return t_done("rules");
}
