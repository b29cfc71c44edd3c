/*
 * plan.h - pipeline to plan, per partner and period (SPEC §8).
 *
 * closed-won = Σ amount of won opportunities closing in the period;
 * pipeline = Σ amount of open ones; risk-adjusted = Σ amount x
 * probability (the opportunity's, else normalize.stages, else the CRM's
 * OpportunityStage). Targets: total = total_index x basis, risk-adjusted
 * = risk_adjusted_index x basis, basis = the plan, or (remaining) the
 * plan minus closed-won. Coverage = pipeline / total target, risk
 * coverage = risk-adjusted / risk target, attainment = closed-won / plan.
 * Everything in the base currency. A partner without a plan for the
 * period has no targets and no ratios, and says so.
 */
#ifndef CHANSYNC_PLAN_H
#define CHANSYNC_PLAN_H

#include <stdint.h>

#include "config/config.h"
#include "store/store.h"

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

struct plan_row {
	char *partner_id, *name, *tier;
	double closed_won, pipeline, risk_adjusted;
	int opportunities;		/* closing in the period */
	int has_plan;
	double plan, basis, total_target, risk_target;
	int has_coverage, has_risk_coverage, has_attainment;
	double coverage, risk_coverage, attainment;
};

struct plan_result {
	struct plan_period period;
	struct plan_row *rows;		/* one per partner, by partner id */
	size_t n;
};

/* Computes every partner's figures for period p. Returns 0 or -1. */
int plan_compute(const struct config *cfg, struct store *st,
    const struct plan_period *p, struct plan_result *out, char *err,
    size_t errlen);
void plan_result_free(struct plan_result *r);
/* The row of one partner, or NULL. */
const struct plan_row *plan_find(const struct plan_result *r, const char *id);

#endif
