/*
 * score.h - partner scorecards against peers (SPEC §9).
 *
 * Per partner and period, five KPIs scaled to 0-100: plan attainment (vs
 * 100%), risk-adjusted pipeline coverage (vs 1.0), win rate over the
 * trailing year (vs scoring.win_rate_target), registration quality
 * (approved ÷ decided over the trailing year; won and lost count as
 * approved) and engagement (each activity kind's count over the trailing
 * 90 days as a percentile among the peer group, weighted by
 * scoring.engagement). The score is the weighted mean of the KPIs that
 * have data: a KPI without data shifts its weight to the others and is
 * flagged, never counted as zero. Each KPI comes with the peer group's
 * average and top decile and the partner's percentile; the tier follows
 * scoring.tiers; the change is against the previous period's stored
 * score. Results are stored per partner and period (the history).
 */
#ifndef CHANSYNC_SCORE_H
#define CHANSYNC_SCORE_H

#include <stdint.h>

#include "config/config.h"
#include "rules/plan.h"
#include "store/store.h"

#define SCORE_KPIS 5

extern const char *const score_kpi_names[SCORE_KPIS];

struct score_row {
	const struct plan_row *plan;	/* borrowed from the plan result */
	int has[SCORE_KPIS];
	double kpi[SCORE_KPIS];		/* 0-100 */
	double raw[SCORE_KPIS];		/* attainment, coverage, win rate, ... */
	double peer_avg[SCORE_KPIS], peer_top[SCORE_KPIS], pct[SCORE_KPIS];
	int has_score;
	double score;
	const char *tier;		/* from scoring.tiers */
	int has_previous;
	double previous;		/* the previous period's score */
	char *flags;			/* what had no data, in words */
};

struct score_result {
	struct score_row *rows;		/* parallel to the plan result's */
	size_t n;
};

/*
 * Scores every partner of plan (the current period's figures) at time
 * now and stores the scorecards; with au, a score or tier that changed is
 * audited (score.changed, old -> new). Returns 0, or -1 with err.
 */
struct audit;
int score_compute(const struct config *cfg, struct store *st, struct audit *au,
    int64_t cycle_id, const struct plan_result *plan,
    const struct plan_period *previous, int64_t now, struct score_result *out,
    char *err, size_t errlen);
void score_result_free(struct score_result *r);

#endif
