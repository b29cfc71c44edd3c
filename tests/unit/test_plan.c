/* test_plan.c - pipeline to plan on structs, no database: a table of
 * partners, opportunities, plans and stages, and the figures each
 * partner must get. */
#include "rules/plan.h"
#include "t.h"
#include "t_cfg.h"

#include <math.h>

#define MAXP 4
#define MAXO 8

struct want {
	const char *id;
	double closed_won, pipeline, risk_adjusted;
	int has_plan, has_coverage, has_attainment;
	double coverage, risk_coverage, attainment, total_target;
};

static const struct plan_case {
	const char *name, *yaml;
	struct plan_partner partners[MAXP];
	struct plan_opportunity opps[MAXO];
	struct plan_target targets[MAXP];
	struct plan_stage stages[MAXP];
	struct want want[MAXP];
} cases[] = {
	{ "probabilities: own, configured stage, the CRM's stage, none",
	  "normalize: { stages: { Proposal: 40 } }\n"
	  "rules: { pipeline: { basis: plan, total_index: 2.0, "
	  "risk_adjusted_index: 1.0 } }\n",
	  { { "P1", "Alpha", "gold", NULL }, { "P2", "Beta", NULL, NULL } },
	  { { "P1", "Closed Won", 1, 50000, 1, 100, 1, 1, NULL },
	    { "P1", "Proposal", 1, 100000, 0, 0, 0, 0, NULL },	/* 40: configured */
	    { "P1", "Proposal", 1, 50000, 1, 10, 0, 0, NULL },	/* 10: its own */
	    { "P1", "Qualification", 1, 20000, 0, 0, 0, 0, NULL },	/* 20: the CRM's */
	    { "P1", "Mystery", 1, 30000, 0, 0, 0, 0, NULL },	/* no probability */
	    { "P1", "Closed Lost", 1, 7000, 1, 0, 1, 0, NULL },
	    { "P1", "Proposal", 0, 0, 0, 0, 0, 0, NULL },	/* no amount: left out */
	    { "P9", "Proposal", 1, 999999, 1, 90, 0, 0, NULL } },	/* unknown partner */
	  { { "P1", 100000 } },
	  { { "Qualification", 20 }, { "Proposal", 75 } },	/* config wins */
	  { { "P1", 50000, 200000, 40000 + 5000 + 4000, 1, 1, 1,
	      1.0, 0.49, 0.5, 200000 },
	    { "P2", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 } } },
	{ "basis remaining: the plan minus closed-won; met: no target left",
	  "rules: { pipeline: { basis: remaining, total_index: 2.0, "
	  "risk_adjusted_index: 1.0 } }\n",
	  { { "P1", "Alpha", NULL, NULL }, { "P2", "Beta", NULL, NULL } },
	  { { "P1", "Closed Won", 1, 60000, 1, 100, 1, 1, NULL },
	    { "P1", "Proposal", 1, 40000, 1, 50, 0, 0, NULL },
	    { "P2", "Closed Won", 1, 120000, 1, 100, 1, 1, NULL },
	    { "P2", "Proposal", 1, 10000, 1, 50, 0, 0, NULL } },
	  { { "P1", 100000 }, { "P2", 60000 }, { "P2", 40000 } },	/* add up */
	  { { NULL, 0 } },
	  { { "P1", 60000, 40000, 20000, 1, 1, 1, 0.5, 0.5, 0.6, 80000 },
	    { "P2", 120000, 10000, 5000, 1, 0, 1, 0, 0, 1.2, 0 } } },
	{ "a plan and nothing else: zero coverage, not missing",
	  "rules: { pipeline: { basis: plan, total_index: 3.0 } }\n",
	  { { "P1", NULL, NULL, NULL } },
	  { { NULL, NULL, 0, 0, 0, 0, 0, 0, NULL } },
	  { { "P1", 80000 } },
	  { { NULL, 0 } },
	  { { "P1", 0, 0, 0, 1, 1, 1, 0, 0, 0, 240000 } } },
};

static size_t
count_partners(const struct plan_case *c)
{
	size_t n = 0;

	while (n < MAXP && c->partners[n].id)
		n++;
	return n;
}

static void
test_table(void)
{
	size_t k, i;
	struct plan_period per = { "2026-Q4", "2026-10-01", "2026-12-31" };

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct plan_case *c = &cases[k];
		struct config *cfg = t_config(c->yaml);
		struct plan_input in;
		struct plan_result r;

		t_current = c->name;
		memset(&in, 0, sizeof(in));
		in.partners = (struct plan_partner *)c->partners;
		in.npartners = count_partners(c);
		in.opportunities = (struct plan_opportunity *)c->opps;
		while (in.nopportunities < MAXO && c->opps[in.nopportunities].partner_id)
			in.nopportunities++;
		in.targets = (struct plan_target *)c->targets;
		while (in.ntargets < MAXP && c->targets[in.ntargets].partner_id)
			in.ntargets++;
		in.stages = (struct plan_stage *)c->stages;
		while (in.nstages < MAXP && c->stages[in.nstages].name)
			in.nstages++;
		plan_compute(cfg, &in, &per, &r);
		CHECK_INT(r.n, in.npartners);
		CHECK_STR(r.period.name, "2026-Q4");
		for (i = 0; i < MAXP && c->want[i].id; i++) {
			const struct want *w = &c->want[i];
			const struct plan_row *p = plan_find(&r, w->id);

			CHECK(p != NULL);
			if (p == NULL)
				continue;
			CHECK(fabs(p->closed_won - w->closed_won) < 1e-6);
			CHECK(fabs(p->pipeline - w->pipeline) < 1e-6);
			CHECK(fabs(p->risk_adjusted - w->risk_adjusted) < 1e-6);
			CHECK_INT(p->has_plan, w->has_plan);
			CHECK_INT(p->has_coverage, w->has_coverage);
			CHECK_INT(p->has_attainment, w->has_attainment);
			CHECK(fabs(p->coverage - w->coverage) < 1e-9);
			CHECK(fabs(p->risk_coverage - w->risk_coverage) < 1e-9);
			CHECK(fabs(p->attainment - w->attainment) < 1e-9);
			CHECK(fabs(p->total_target - w->total_target) < 1e-6);
		}
		CHECK(plan_find(&r, "P9") == NULL);
		plan_result_free(&r);
		config_free(cfg);
	}
}

/* The result keeps its own copies: the input may go first. */
static void
test_result_owns_its_strings(void)
{
	struct config *cfg = t_config("rules: { pipeline: { basis: plan } }\n");
	struct plan_period per = { "2026-Q4", "2026-10-01", "2026-12-31" };
	struct plan_input in;
	struct plan_result r;
	struct plan_partner *p;

	memset(&in, 0, sizeof(in));
	p = arena_alloc(&in.arena, 2 * sizeof(*p));
	memset(p, 0, 2 * sizeof(*p));
	p[0].id = arena_strdup(&in.arena, "B2");
	p[0].name = arena_strdup(&in.arena, "Bravo");
	p[1].id = arena_strdup(&in.arena, "A1");
	in.partners = p;
	in.npartners = 2;
	plan_compute(cfg, &in, &per, &r);
	in.partners = NULL;	/* arena memory, not the array's own */
	plan_input_free(&in);
	CHECK_INT(r.n, 2);
	CHECK_STR(r.rows[0].partner_id, "A1");	/* sorted for plan_find */
	CHECK_STR(r.rows[1].name, "Bravo");
	CHECK(plan_find(&r, "B2") == &r.rows[1]);
	plan_result_free(&r);
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
	T_RUN(test_result_owns_its_strings);
	normalize_shutdown();
	return t_done("plan");
}
