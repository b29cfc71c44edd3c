/* test_alerts.c - alerts on structs, no database: which alerts hold for a
 * table of registrations, conflicts, plan figures and scores, and how a
 * new derivation differs from the stored alerts (raised, updated,
 * resolved, left alone). */
#include "rules/alerts.h"
#include "t.h"
#include "t_cfg.h"

#include <math.h>

static struct config *cfg;

/* Is key among what holds, and with this severity? */
static const struct alert *
held(const struct alerts_result *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->nholds; i++)
		if (strcmp(r->holds[i].key, key) == 0)
			return &r->holds[i];
	return NULL;
}

/* Registrations against the SLA clocks: now is Friday 2026-11-27 11:00
 * Berlin; warn after 2 business days, breach after 4. */
static const struct {
	struct alerts_registration reg;
	const char *key, *severity;		/* NULL: no alert */
} sla[] = {
	/* Monday 09:00: 4 days and 2 hours of business time */
	{ { "portal:R1", "pending", "P1", "Acme", "2026-11-23T08:00:00Z", NULL },
	  "approval_sla_breach:portal:R1", "critical" },
	/* Wednesday 09:00: 2 days 2 hours */
	{ { "portal:R2", "pending", "P1", "Acme", "2026-11-25T08:00:00Z", NULL },
	  "approval_sla_warning:portal:R2", "warning" },
	/* Thursday 09:00: 1 day 2 hours, nothing yet */
	{ { "portal:R3", "pending", "P1", "Acme", "2026-11-26T08:00:00Z", NULL },
	  NULL, NULL },
	/* approved, expiring in 8 days (within 14): not won yet */
	{ { "portal:R4", "approved", "P2", "Initech", "2026-10-01T08:00:00Z",
	    "2026-12-05T00:00:00Z" }, "registration_expiring:portal:R4", "warning" },
	/* approved, expiring in 30 days: nothing */
	{ { "portal:R5", "approved", "P2", "Initech", "2026-10-01T08:00:00Z",
	    "2026-12-27T00:00:00Z" }, NULL, NULL },
	/* approved and expired already: nothing */
	{ { "portal:R6", "approved", "P2", "Initech", "2026-10-01T08:00:00Z",
	    "2026-11-20T00:00:00Z" }, NULL, NULL },
	/* a pending claim without a registration time has no clock */
	{ { "portal:R7", "pending", "P2", "Initech", NULL, NULL }, NULL, NULL },
};

static void
test_registrations(void)
{
	struct alerts_registration regs[sizeof(sla) / sizeof(sla[0])];
	struct plan_result plan;
	struct alerts_input in;
	struct alerts_result r;
	size_t i, want = 0;

	memset(&plan, 0, sizeof(plan));
	memset(&in, 0, sizeof(in));
	for (i = 0; i < sizeof(sla) / sizeof(sla[0]); i++) {
		regs[i] = sla[i].reg;
		want += sla[i].key != NULL;
	}
	in.registrations = regs;
	in.nregistrations = i;
	alerts_compute(cfg, t_time("2026-11-27T10:00:00Z"), &plan, NULL, &in, &r);
	CHECK_INT(r.nholds, want);
	for (i = 0; i < sizeof(sla) / sizeof(sla[0]); i++) {
		const struct alert *a;

		if (sla[i].key == NULL)
			continue;
		a = held(&r, sla[i].key);
		CHECK(a != NULL);
		if (a) {
			CHECK_STR(a->severity, sla[i].severity);
			CHECK_STR(a->partner_id, sla[i].reg.partner_id);
		}
	}
	/* every alert is new: raised, none open before */
	CHECK_INT(r.raised, want);
	CHECK_INT(r.nchanges, want);
	alerts_result_free(&r);
}

static void
test_plan_scores_and_conflicts(void)
{
	struct plan_row rows[3];
	struct score_row srows[3];
	struct plan_result plan = { { "2026-Q4", "2026-10-01", "2026-12-31" },
		rows, 3, 0 };
	struct score_result scores = { srows, 3, NULL, 0 };
	struct alerts_conflict conf[] = {
		{ "PC-1", "partner_conflict", "Acme", "portal:R1", 2, 2, "P2",
		  NULL },
		{ "DC-1", "direct_conflict", "Acme", NULL, 3, 1, "P1", "005AE" },
		{ "DU-1", "duplicate", NULL, "portal:R2", 2, 1, NULL, NULL },
		{ "DA-1", "double_approval", "Müller", "drop:D1", 2, 2, "P9",
		  NULL },
	};
	struct alerts_input in;
	struct alerts_result r;
	const struct alert *a;

	memset(rows, 0, sizeof(rows));
	memset(srows, 0, sizeof(srows));
	rows[0].partner_id = "P1";	/* coverage 0.4: critical (under 0.5) */
	rows[0].has_plan = 1;
	rows[0].plan = rows[0].basis = 100000;
	rows[0].pipeline = 80000;
	rows[0].has_coverage = 1;
	rows[0].coverage = 0.4;
	rows[1].partner_id = "P2";	/* 0.8: a warning */
	rows[1].name = "Beta";
	rows[1].has_plan = 1;
	rows[1].plan = rows[1].basis = 50000;
	rows[1].pipeline = 80000;
	rows[1].has_coverage = 1;
	rows[1].coverage = 0.8;
	rows[1].owner_id = "005CM";	/* Beta's channel manager */
	rows[2].partner_id = "P3";	/* no plan: no pipeline alert */
	srows[1].has_score = srows[1].has_previous = 1;	/* fell 12 points */
	srows[1].previous = 70;
	srows[1].score = 58;
	srows[2].has_score = srows[2].has_previous = 1;	/* fell 9: no alert */
	srows[2].previous = 70;
	srows[2].score = 61;
	static const struct alerts_unknown_partner unknown[] = {
		{ "reghub", "HUB-1", "Alpine IT", 3, "0015A", "Alpine IT AG", 0.9 },
	};

	memset(&in, 0, sizeof(in));
	in.conflicts = conf;
	in.nconflicts = 4;
	in.unknown = unknown;
	in.nunknown = 1;
	alerts_compute(cfg, t_time("2026-11-27T10:00:00Z"), &plan, &scores, &in,
	    &r);
	CHECK((a = held(&r, "pipeline_below_plan:P1:2026-Q4")) &&
	    strcmp(a->severity, "critical") == 0);
	CHECK((a = held(&r, "pipeline_below_plan:P2:2026-Q4")) &&
	    strcmp(a->severity, "warning") == 0 && strstr(a->message, "Beta"));
	CHECK(held(&r, "score_drop:P2:2026-Q4") != NULL);
	CHECK(held(&r, "score_drop:P3:2026-Q4") == NULL);
	CHECK((a = held(&r, "partner_conflict:PC-1")) &&
	    strcmp(a->severity, "warning") == 0 &&
	    strstr(a->message, "2 claims on Acme (2 partners)"));
	/* owners: the partner's; a direct conflict's deal owner beside it;
	 * a partner the CRM does not have, none */
	CHECK((a = held(&r, "partner_conflict:PC-1")) && a->owner_id &&
	    strcmp(a->owner_id, "005CM") == 0 && strcmp(a->partner_id, "P2") == 0);
	CHECK((a = held(&r, "pipeline_below_plan:P2:2026-Q4")) && a->owner_id &&
	    strcmp(a->owner_id, "005CM") == 0);
	CHECK((a = held(&r, "direct_conflict:DC-1")) && a->owner_id == NULL &&
	    a->account_owner_id && strcmp(a->account_owner_id, "005AE") == 0);
	CHECK((a = held(&r, "double_approval:DA-1")) && a->owner_id == NULL &&
	    strcmp(a->partner_id, "P9") == 0);
	CHECK((a = held(&r, "direct_conflict:DC-1")) &&
	    strstr(a->message, "none (manual policy)") &&
	    strstr(a->message, "(1 partner)"));
	CHECK((a = held(&r, "duplicate_registration:DU-1")) &&
	    strcmp(a->severity, "info") == 0 && a->partner_id == NULL);
	CHECK((a = held(&r, "double_approval:DA-1")) &&
	    strcmp(a->severity, "critical") == 0 &&
	    strstr(a->message, "recommended: drop:D1"));
	CHECK((a = held(&r, "unknown_partner:reghub:HUB-1")) &&
	    strcmp(a->severity, "warning") == 0 &&
	    strstr(a->message, "in 3 registrations") &&
	    strstr(a->message, "It may be Alpine IT AG (0015A).") &&
	    strstr(a->message, "partners.aliases.reghub"));
	CHECK_INT(r.nholds, 8);
	alerts_result_free(&r);
}

/* The lifecycle: what is stored decides raised, updated or resolved. */
static void
test_lifecycle(void)
{
	struct alerts_registration regs[] = {
		{ "portal:R1", "pending", "P1", "Acme", "2026-11-23T08:00:00Z", NULL },
		{ "portal:R2", "pending", "P1", "Acme", "2026-11-25T08:00:00Z", NULL },
		{ "portal:R3", "pending", "P1", "Acme", "2026-11-25T08:00:00Z", NULL },
	};
	struct plan_result plan;
	struct alerts_input in;
	struct alerts_result first, r;
	struct alert_state states[5];
	size_t i;

	memset(&plan, 0, sizeof(plan));
	memset(&in, 0, sizeof(in));
	in.registrations = regs;
	in.nregistrations = 3;
	alerts_compute(cfg, t_time("2026-11-27T10:00:00Z"), &plan, NULL, &in,
	    &first);
	CHECK_INT(first.raised, 3);
	/* stored as first made them, R2's with another message, R3's
	 * resolved earlier, and one that no longer holds */
	for (i = 0; i < 3; i++) {
		states[i].key = first.holds[i].key;
		states[i].status = "open";
		states[i].severity = first.holds[i].severity;
		states[i].message = first.holds[i].message;
		states[i].evidence = first.holds[i].evidence;
	}
	states[1].message = "an older text";
	states[0].owner_id = "005OLD";	/* the partner changed hands */
	states[2].status = "resolved";
	states[3] = states[0];
	states[3].key = "approval_sla_breach:portal:GONE";
	states[4] = states[3];
	states[4].key = "approval_sla_breach:portal:LONG-GONE";
	states[4].status = "resolved";
	in.states = states;
	in.nstates = 5;
	alerts_compute(cfg, t_time("2026-11-27T10:00:00Z"), &plan, NULL, &in, &r);
	CHECK_INT(r.raised, 1);		/* R3's: open again */
	CHECK_INT(r.updated, 2);	/* R2's text, R1's owner */
	CHECK_INT(r.resolved, 1);	/* GONE; LONG-GONE stays as it was */
	CHECK_INT(r.open, 3);
	CHECK_INT(r.nchanges, 4);
	for (i = 0; i < r.nchanges; i++) {
		const struct alert_change *ch = &r.changes[i];

		if (ch->kind == ALERT_RESOLVED)
			CHECK_STR(ch->was->key, "approval_sla_breach:portal:GONE");
		else if (ch->kind == ALERT_UPDATED)
			CHECK(strcmp(ch->alert->key, "approval_sla_warning:portal:R2")
			    == 0 || strcmp(ch->alert->key,
			    "approval_sla_breach:portal:R1") == 0);
		else
			CHECK_STR(ch->alert->key, "approval_sla_warning:portal:R3");
	}
	alerts_result_free(&r);
	alerts_result_free(&first);
}

/* A page a source gave up on: one alert per page, keyed by the source and
 * the page's URL hash, saying what is missing and what to do. */
static void
test_skipped_pages(void)
{
	struct alerts_skipped_page pages[] = {
		{ "hub", "0123456789abcdef0123", "page 2", "invalid JSON: line 1 "
		  "column 40: unexpected end", "2026-11-27T09:00:00Z", 35, 3 },
		{ "hub", "fedcba98765432100000", "page 7", "records ('/data') is not "
		  "an array", "2026-11-27T09:30:00Z", 12, 3 },
		{ NULL, "ffff", "page 1", "no source", NULL, 0, 1 },
	};
	struct plan_result plan;
	struct alerts_input in;
	struct alerts_result r;
	const struct alert *a;

	memset(&plan, 0, sizeof(plan));
	memset(&in, 0, sizeof(in));
	in.skipped = pages;
	in.nskipped = 3;
	alerts_compute(cfg, t_time("2026-11-27T10:00:00Z"), &plan, NULL, &in, &r);
	CHECK_INT(r.raised, 2);
	a = held(&r, "source_page_skipped:hub:0123456789abcdef");
	CHECK(a != NULL);
	if (a != NULL) {
		CHECK_STR(a->severity, "warning");
		CHECK(a->partner_id == NULL);
		CHECK(strstr(a->message, "page 2 (35 bytes) in 3 cycles") != NULL);
		CHECK(strstr(a->message, "chansyncctl source hub reset-watermark") !=
		    NULL);
		CHECK(strstr(a->evidence, "\"reason\":\"invalid JSON") != NULL);
	}
	CHECK(held(&r, "source_page_skipped:hub:fedcba9876543210") != NULL);
	alerts_result_free(&r);
}

/* Pending registrations past registrations.pending_max_age raise no
 * SLA alert of their own: one stale_registrations per source counts
 * them and names the oldest. */
static void
test_stale_roll_up(void)
{
	struct alerts_registration regs[] = {
		{ "hub:1", "pending", "P1", "Acme", "2026-08-01T00:00:00Z", NULL },
		{ "hub:2", "pending", "P2", "Globex", "2025-07-06T00:00:00Z", NULL },
		{ "hub:3", "pending", "P1", "Initech", "2026-09-27T10:00:00Z", NULL },
		/* 60 days less a second: an SLA breach, not stale */
		{ "hub:4", "pending", "P1", "Hooli", "2026-09-28T10:00:01Z", NULL },
		{ "portal:9", "pending", "P3", "Umbrella", "2026-01-05T00:00:00Z",
		  NULL },
	};
	struct plan_result plan;
	struct alerts_input in;
	struct alerts_result r;
	const struct alert *a;

	memset(&plan, 0, sizeof(plan));
	memset(&in, 0, sizeof(in));
	in.registrations = regs;
	in.nregistrations = sizeof(regs) / sizeof(regs[0]);
	alerts_compute(cfg, t_time("2026-11-27T10:00:00Z"), &plan, NULL, &in, &r);
	CHECK((a = held(&r, "stale_registrations:hub")) != NULL &&
	    strstr(a->message, "source hub has 3 pending registrations older "
	    "than 60 days") && strstr(a->message, "the oldest is hub:2 by P2 for "
	    "Globex, registered 2025-07-06T00:00:00Z"));
	CHECK((a = held(&r, "stale_registrations:portal")) != NULL &&
	    strstr(a->message, "has 1 pending registration older"));
	CHECK(held(&r, "approval_sla_breach:hub:2") == NULL);
	CHECK(held(&r, "approval_sla_breach:hub:3") == NULL);
	CHECK((a = held(&r, "approval_sla_breach:hub:4")) != NULL &&
	    strstr(a->message, "has waited 43 business days for a decision "
	    "(registered 2026-09-28T10:00:01Z; critical after 4)"));
	CHECK_INT(r.nholds, 3);
	alerts_result_free(&r);

	/* owners: one roll-up per source and owner, routed to them; a
	 * partner the CRM does not know rolls up without an owner */
	{
		struct plan_row rows[2];

		memset(rows, 0, sizeof(rows));
		rows[0].partner_id = "P1";
		rows[0].owner_id = "005ANA";
		rows[1].partner_id = "P2";
		rows[1].owner_id = "005BEN";
		plan.rows = rows;
		plan.n = 2;
		alerts_compute(cfg, t_time("2026-11-27T10:00:00Z"), &plan, NULL,
		    &in, &r);
		CHECK((a = held(&r, "stale_registrations:hub:005ANA")) &&
		    strcmp(a->owner_id, "005ANA") == 0 &&
		    strstr(a->message, "has 2 pending registrations"));
		CHECK((a = held(&r, "stale_registrations:hub:005BEN")) &&
		    strcmp(a->owner_id, "005BEN") == 0 &&
		    strstr(a->message, "has 1 pending registration older"));
		CHECK((a = held(&r, "stale_registrations:portal")) &&
		    a->owner_id == NULL);
		CHECK(held(&r, "stale_registrations:hub") == NULL);
		CHECK_INT(r.nholds, 4);
		alerts_result_free(&r);
	}
}

/*
 * The pipeline rules end to end on structs (plan_compute, then the
 * alerts), on Friday 2026-11-27 in Berlin: 2026-Q4 is current, 2027-Q1
 * the next; basis remaining, targets 2x total and 1x risk-adjusted,
 * critical under 0.5x. One partner per edge.
 */
static void
test_pipeline_rules(void)
{
	static struct plan_partner partners[] = {
		{ "PA", "Met Exactly", NULL, "005A" },	/* attainment 100% */
		{ "PB", "One Short", NULL, NULL },	/* 1 still to close */
		{ "PC", "Zero Plan", NULL, NULL },
		{ "PD", "Due Today", NULL, NULL },	/* closes today: pipeline */
		{ "PE", "Due Yesterday", NULL, NULL },	/* past due: not pipeline */
		{ "PF", "Next Quarter", NULL, NULL },
		{ "PG", "No Plan", NULL, NULL },
		{ "PH", "Thin Deals", NULL, NULL },	/* enough, but unlikely */
	};
	static struct plan_opportunity opps[] = {
		{ "PA", "Closed Won", 1, 100000, 1, 100, 1, 1, "2026-10-15" },
		{ "PA", "Proposal", 1, 5000, 1, 50, 0, 0, "2026-12-20" },
		{ "PB", "Closed Won", 1, 99999, 1, 100, 1, 1, "2026-11-02" },
		{ "PD", "Proposal", 1, 150000, 1, 100, 0, 0, "2026-11-27" },
		{ "PE", "Proposal", 1, 300000, 1, 100, 0, 0, "2026-11-26" },
		{ "PE", "Proposal", 1, 40000, 1, 100, 0, 0, "2026-09-30" },
		{ "PF", "Proposal", 1, 50000, 1, 40, 0, 0, "2027-02-10" },
		{ "PG", "Proposal", 1, 10, 1, 10, 0, 0, "2026-12-01" },
		{ "PH", "Prospecting", 1, 250000, 1, 20, 0, 0, "2026-12-30" },
	};
	static struct plan_target cur_t[] = { { "PA", 100000 }, { "PB", 100000 },
		{ "PC", 0 }, { "PD", 100000 }, { "PE", 100000 }, { "PH", 100000 } };
	static struct plan_target next_t[] = { { "PA", 0 }, { "PF", 100000 } };
	struct plan_period q4 = { "2026-Q4", "2026-10-01", "2026-12-31" };
	struct plan_period q1 = { "2027-Q1", "2027-01-01", "2027-03-31" };
	struct config *c = t_config("daemon: { timezone: Europe/Berlin }\n"
	    "rules: { pipeline: { basis: remaining, total_index: 2.0, "
	    "risk_adjusted_index: 1.0, critical_below: 0.5 } }\n");
	struct plan_input pin;
	struct plan_result cur, next;
	struct alerts_input in;
	struct alerts_result r;
	const struct alert *a;
	const struct plan_row *p;

	memset(&pin, 0, sizeof(pin));
	pin.partners = partners;
	pin.npartners = sizeof(partners) / sizeof(partners[0]);
	pin.opportunities = opps;
	pin.nopportunities = sizeof(opps) / sizeof(opps[0]);
	pin.targets = cur_t;
	pin.ntargets = sizeof(cur_t) / sizeof(cur_t[0]);
	pin.today = "2026-11-27";
	plan_compute(c, &pin, &q4, &cur);
	pin.targets = next_t;
	pin.ntargets = sizeof(next_t) / sizeof(next_t[0]);
	pin.later = 1;
	plan_compute(c, &pin, &q1, &next);

	/* the figures: closing today is pipeline, yesterday past due (and
	 * one from the quarter before, which never was this period's) */
	CHECK((p = plan_find(&cur, "PD")) && p->pipeline == 150000 &&
	    p->past_due_n == 0);
	CHECK((p = plan_find(&cur, "PE")) && p->pipeline == 0 &&
	    p->past_due_n == 2 && p->past_due == 340000 &&
	    strcmp(p->past_due_oldest, "2026-09-30") == 0 &&
	    p->opportunities == 1);
	CHECK((p = plan_find(&cur, "PB")) && p->basis == 1 &&
	    p->total_target == 2);
	CHECK((p = plan_find(&cur, "PA")) && p->basis == 0 && !p->has_coverage);
	/* a later period: the plan is the basis, nothing closed counts */
	CHECK((p = plan_find(&next, "PF")) && p->basis == 100000 &&
	    p->pipeline == 50000 && fabs(p->coverage - 0.25) < 1e-9 &&
	    fabs(p->risk_coverage - 0.2) < 1e-9);

	memset(&in, 0, sizeof(in));
	in.later = &next;
	in.nlater = 1;
	alerts_compute(c, t_time("2026-11-27T10:00:00Z"), &cur, NULL, &in, &r);
	/* attainment exactly 100%: the current period raises nothing, the
	 * open 5,000 is no alert */
	CHECK(held(&r, "pipeline_below_plan:PA:2026-Q4") == NULL);
	CHECK(held(&r, "risk_adjusted_below_plan:PA:2026-Q4") == NULL);
	/* one short of the plan: 1 still to close, no pipeline: critical */
	CHECK((a = held(&r, "pipeline_below_plan:PB:2026-Q4")) &&
	    strcmp(a->severity, "critical") == 0 && strstr(a->message,
	    "One Short's pipeline of 0 USD covers 0.00x of the 2x target on "
	    "the 1 USD still to close in 2026-Q4 (plan 100,000 USD, closed-won "
	    "99,999 USD); critical under 0.50x."));
	/* below on both: the total alert says it, the risk-adjusted one
	 * would repeat it */
	CHECK(held(&r, "risk_adjusted_below_plan:PB:2026-Q4") == NULL);
	/* zero plan, and no plan: nothing */
	CHECK(held(&r, "pipeline_below_plan:PC:2026-Q4") == NULL);
	CHECK(held(&r, "pipeline_below_plan:PG:2026-Q4") == NULL);
	/* closing today counts: 150,000 of a 200,000 target is a warning,
	 * and the risk-adjusted 150,000 covers its 100,000 */
	CHECK((a = held(&r, "pipeline_below_plan:PD:2026-Q4")) &&
	    strcmp(a->severity, "warning") == 0 && strstr(a->message,
	    "pipeline of 150,000 USD covers 0.75x of the 2x target on the "
	    "100,000 USD still to close in 2026-Q4"));
	CHECK(held(&r, "risk_adjusted_below_plan:PD:2026-Q4") == NULL);
	/* past due the day before: no pipeline, and its own alert */
	CHECK((a = held(&r, "pipeline_below_plan:PE:2026-Q4")) &&
	    strcmp(a->severity, "critical") == 0);
	CHECK((a = held(&r, "pipeline_past_due:PE")) && strstr(a->message,
	    "has 2 open opportunities past the close date (the oldest "
	    "2026-09-30), 340,000 USD in all"));
	CHECK(held(&r, "pipeline_past_due:PD") == NULL);
	/* 250,000 covers 1.25x of the total target, but at 20% only 50,000
	 * is likely: 0.50x of the risk-adjusted one, a warning (not under) */
	CHECK(held(&r, "pipeline_below_plan:PH:2026-Q4") == NULL);
	CHECK((a = held(&r, "risk_adjusted_below_plan:PH:2026-Q4")) &&
	    strcmp(a->severity, "warning") == 0 && strstr(a->message,
	    "Thin Deals's risk-adjusted pipeline of 50,000 USD covers 0.50x of "
	    "the 1x target on the 100,000 USD still to close in 2026-Q4"));
	/* the next period against its plan */
	CHECK((a = held(&r, "pipeline_below_plan:PF:2027-Q1")) &&
	    strcmp(a->severity, "critical") == 0 && strstr(a->message,
	    "covers 0.25x of the 2x target on the plan of 100,000 USD for "
	    "2027-Q1"));
	CHECK(held(&r, "risk_adjusted_below_plan:PF:2027-Q1") == NULL);
	CHECK(held(&r, "pipeline_below_plan:PA:2027-Q1") == NULL);	/* plan 0 */
	alerts_result_free(&r);
	plan_result_free(&cur);
	plan_result_free(&next);
	config_free(c);
}

/*
 * tier_changed against the previous period's tier: a step down is a
 * warning that says the scores and stands for the score drop; a step up
 * is news; the same tier, nothing.
 */
static void
test_tier_changes(void)
{
	struct plan_row rows[3];
	struct score_row srows[3];
	struct plan_result plan = { { "2026-Q4", "2026-10-01", "2026-12-31" },
		rows, 3, 0 };
	struct score_result scores = { srows, 3, NULL, 0 };
	struct alerts_input in;
	struct alerts_result r;
	const struct alert *a;
	size_t i;

	memset(rows, 0, sizeof(rows));
	memset(srows, 0, sizeof(srows));
	for (i = 0; i < 3; i++)
		srows[i].has_score = srows[i].has_previous = 1;
	rows[0].partner_id = "P1";	/* gold, 72 -> silver, 55 */
	rows[0].name = "Alpine";
	srows[0].previous = 72;
	srows[0].score = 55;
	srows[0].previous_tier = (char *)"gold";
	srows[0].tier = "silver";
	srows[0].tier_rule = (char *)"silver: score >= 40";
	rows[1].partner_id = "P2";	/* bronze -> silver */
	srows[1].previous = 30;
	srows[1].score = 45;
	srows[1].previous_tier = (char *)"bronze";
	srows[1].tier = "silver";
	rows[2].partner_id = "P3";	/* silver both, 58 -> 45: a score drop */
	srows[2].previous = 58;
	srows[2].score = 45;
	srows[2].previous_tier = (char *)"Silver";	/* the CRM's case */
	srows[2].tier = "silver";
	memset(&in, 0, sizeof(in));
	alerts_compute(cfg, t_time("2026-11-27T10:00:00Z"), &plan, &scores, &in,
	    &r);
	CHECK((a = held(&r, "tier_changed:P1:2026-Q4")) &&
	    strcmp(a->severity, "warning") == 0 && strstr(a->message,
	    "Alpine moves from gold (the previous period's, score 72 to 55) to "
	    "silver in 2026-Q4 by the rule silver: score >= 40"));
	CHECK(held(&r, "score_drop:P1:2026-Q4") == NULL);	/* said above */
	CHECK((a = held(&r, "tier_changed:P2:2026-Q4")) &&
	    strcmp(a->severity, "info") == 0);
	CHECK(held(&r, "tier_changed:P3:2026-Q4") == NULL);
	CHECK(held(&r, "score_drop:P3:2026-Q4") != NULL);
	alerts_result_free(&r);
}

int
main(void)
{
	char err[256];

	if (normalize_init(NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	cfg = t_config("daemon: { timezone: Europe/Berlin }\n"
	    "rules: { approval_sla: { warn: 2d, breach: 4d }, expiry_warning: 14d, "
	    "score_drop: 10, pipeline: { critical_below: 0.5 } }\n");
	T_RUN(test_registrations);
	T_RUN(test_plan_scores_and_conflicts);
	T_RUN(test_pipeline_rules);
	T_RUN(test_lifecycle);
	T_RUN(test_skipped_pages);
	T_RUN(test_stale_roll_up);
	T_RUN(test_tier_changes);
	config_free(cfg);
	normalize_shutdown();
	return t_done("alerts");
}
