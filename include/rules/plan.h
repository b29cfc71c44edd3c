/*
 * plan.h - pipeline to plan, per partner and period (contract §8).
 *
 * closed-won = Σ amount of won opportunities closing in the period;
 * pipeline = Σ amount of open ones not past due (closing today or
 * later); risk-adjusted = Σ amount x probability (the opportunity's,
 * else normalize.stages, else the CRM's OpportunityStage); past-due =
 * open opportunities whose close date has passed, apart and never
 * pipeline. Targets: total = total_index x basis, risk-adjusted =
 * risk_adjusted_index x basis, basis = the plan, or (remaining, the
 * current period only) the plan minus closed-won. Coverage = pipeline / total target, risk
 * coverage = risk-adjusted / risk target, attainment = closed-won / plan.
 * Everything in the base currency. A partner without a plan for the
 * period has no targets and no ratios, and says so.
 *
 * A pure computation: the figures it reads come in as arrays of plain
 * structs (the store's plan read fills them), the result goes out as one.
 */
#ifndef CHANSYNC_PLAN_H
#define CHANSYNC_PLAN_H

#include <stdint.h>

#include "config/config.h"
#include "lib/mem.h"

struct plan_period {
	char name[24];		/* "2026-Q4", "2026-11", "2026" */
	char from[40], to[40];	/* its first and last day */
};

/*
 * The period of kind (enum pipeline_period) that holds time t in the
 * time zone tz (an IANA name; NULL or "" for UTC). back moves that many
 * periods earlier. Returns 0, or -1 for an unknown zone.
 */
int plan_period_of(int64_t t, const char *tz, int kind, int back,
    struct plan_period *out);

/*
 * The period a name gives ("2026-Q4", "2026-11", "2026"): 0 with its
 * first and last day, -1 when it is none of those.
 */
int plan_period_named(const char *name, struct plan_period *out);

struct plan_row {
	char *partner_id, *name, *tier, *owner_id;
	double closed_won, pipeline, risk_adjusted;
	int opportunities;		/* closing in the period */
	int has_plan;
	double plan, basis, total_target, risk_target;
	int has_coverage, has_risk_coverage, has_attainment;
	double coverage, risk_coverage, attainment;
	double past_due;		/* open, close date passed: not pipeline */
	int past_due_n;
	char past_due_oldest[11];	/* the earliest such close date */
};

struct plan_result {
	struct plan_period period;
	struct plan_row *rows;		/* one per partner, by partner id */
	size_t n;
	int later;			/* a period after the current one */
};

/* A partner the CRM knows (borrowed strings). */
struct plan_partner {
	const char *id, *name, *tier;	/* name, tier: NULL when unknown */
	const char *owner_id;		/* partners.owner_field, or NULL */
};

/* An opportunity of a partner, closing in the period. */
struct plan_opportunity {
	const char *partner_id;
	const char *stage;		/* NULL: none */
	int has_amount;
	double amount;			/* in the base currency */
	int has_probability;
	double probability;		/* percent, the opportunity's own */
	int is_closed, is_won;
	const char *close_date;		/* "YYYY-MM-DD", or NULL */
};

/* A partner's plan for the period (several add up). */
struct plan_target {
	const char *partner_id;
	double target;			/* in the base currency */
};

/* A stage's default probability as the CRM has it (OpportunityStage). */
struct plan_stage {
	const char *name;
	double probability;		/* percent */
};

/* What the computation reads; its strings live in arena. */
struct plan_input {
	struct plan_partner *partners;
	size_t npartners;
	struct plan_opportunity *opportunities;
	size_t nopportunities;
	struct plan_target *targets;
	size_t ntargets;
	struct plan_stage *stages;
	size_t nstages;
	const char *today;		/* "YYYY-MM-DD" in the daemon's zone: an
					 * open opportunity closing before it is
					 * past due; NULL: none is */
	int later;			/* a period after the current one: the
					 * basis is its plan, nothing is closed */
	struct arena arena;
};

void plan_input_free(struct plan_input *in);

/*
 * Computes every partner's figures for period p from in. The result owns
 * its strings (in may be freed). Never fails.
 */
void plan_compute(const struct config *cfg, const struct plan_input *in,
    const struct plan_period *p, struct plan_result *out);
void plan_result_free(struct plan_result *r);
/* The row of one partner, or NULL. */
const struct plan_row *plan_find(const struct plan_result *r, const char *id);

#endif
