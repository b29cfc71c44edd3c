/*
 * score.h - partner scorecards against peers (contract §9).
 *
 * Per partner and period, KPIs in their own units: plan attainment,
 * risk-adjusted pipeline coverage, win rate over the trailing year,
 * registration quality (approved ÷ decided over the trailing year; won
 * and lost count as approved), registration-to-win conversion (won ÷
 * approved, won and lost), engagement (activities in the period, ranked
 * by each kind's count as a percentile among the peers, weighted by
 * scoring.engagement), active certifications, the MDF approval ratio
 * (approved ÷ decided claims over the trailing year) and the MDF ROI
 * (closed-won revenue of the campaigns the partner's paid claims funded
 * ÷ MDF paid). Each KPI becomes a percentile rank in the peer group,
 * without caps (0 the lowest, 100 the highest, ties sharing the middle
 * of their places, a group of one at 100). The score is the weighted
 * mean of the ranks of the KPIs that have data: a KPI without data
 * shifts its weight to the others and is flagged, never counted as
 * zero. Each KPI comes with the peer group's average and top decile and
 * the partner's percentile. The tier is the first rule of scoring.tiers
 * the scorecard meets, top down; the card says which rule placed it and
 * what the tier above still needs. The change is against the previous
 * period's stored score and tier.
 *
 * A pure computation over arrays of plain structs (the store's score read
 * fills them); storing the scorecards and auditing changes is the rules
 * pass's.
 */
#ifndef CHANSYNC_SCORE_H
#define CHANSYNC_SCORE_H

#include <stdint.h>

#include "config/config.h"
#include "lib/mem.h"
#include "rules/plan.h"

enum score_kpi { K_ATTAIN, K_COVERAGE, K_WINRATE, K_QUALITY, K_CONVERT,
	K_ENGAGE, K_CERTS, K_MDF_APPROVAL, K_MDF_ROI, SCORE_KPIS };

extern const char *const score_kpi_names[SCORE_KPIS];

struct score_row {
	const struct plan_row *plan;	/* borrowed from the plan result */
	int has[SCORE_KPIS];
	double kpi[SCORE_KPIS];		/* 0-100 */
	double raw[SCORE_KPIS];		/* attainment, coverage, win rate, ... */
	double kinds_n[16];		/* activities in the period, by kind of
					 * scoring.engagement (the first 16) */
	double peer_avg[SCORE_KPIS], peer_top[SCORE_KPIS], pct[SCORE_KPIS];
	double eng;			/* engagement's weighted percentile of
					 * counts by kind: what it is ranked by */
	int has_score;
	double score;
	const char *tier;		/* from scoring.tiers */
	char *tier_rule;		/* the rule that placed it, in words */
	const char *next_tier;		/* the tier above, NULL at the top */
	char *next_needs;		/* what next_tier still needs, in words */
	int has_previous;
	double previous;		/* the previous period's score */
	char *previous_tier;		/* the previous period's tier */
	struct score_mdf_figures {	/* trailing year, in the base currency */
		double claimed, approved, rejected, paid;
		double claims, approved_n, decided;	/* counts */
		double revenue;		/* closed-won of the funded campaigns */
	} mdf;
	char *flags;			/* what had no data, in words */
};

struct score_result {
	struct score_row *rows;		/* parallel to the plan result's */
	size_t n;
	const char **kinds;		/* engagement's kinds (the config's) */
	size_t nkinds;
};

/* A partner's closed opportunities over the trailing year. */
struct score_wins {
	const char *partner_id;
	double won, lost;
};

/* How many of a partner's registrations of the trailing year have status. */
struct score_outcome {
	const char *partner_id, *status;
	double n;
};

/* How many activities of kind a partner had in the period. */
struct score_activity {
	const char *partner_id, *kind;
	double n;
};

/* How many certifications of a partner were active at the period's end. */
struct score_certs {
	const char *partner_id;
	double n;
};

/* One MDF claim of the trailing year, with the campaign its request funds. */
struct score_claim {
	const char *partner_id, *status, *campaign_id;	/* campaign: NULL none */
	double amount;
};

/* A campaign's closed-won revenue over the trailing year. */
struct score_campaign {
	const char *campaign_id;
	double revenue;
};

/* A partner's stored score of some period. */
struct score_stored {
	const char *partner_id;
	int has_score;
	double score;
	const char *tier;		/* NULL: none */
};

/* The windows score_compute looks back over, from time now. */
struct score_windows {
	char year_from[11], today[11];	/* close dates: the trailing year */
	char year_from_time[21];	/* registrations since (UTC time) */
	char now_time[21];		/* and until */
	char period_from_time[21];	/* activities in the period: since */
	char certs_from_time[21];	/* certifications completed since */
};
/* The windows as of now for period (its first day starts the activity
 * window); certifications count for valid seconds. */
void score_windows_of(int64_t now, const char *period_from, int64_t valid,
    struct score_windows *w);

/* What the computation reads; its strings live in arena. */
struct score_input {
	struct score_wins *wins;
	size_t nwins;
	struct score_outcome *outcomes;
	size_t noutcomes;
	struct score_activity *activities;
	size_t nactivities;
	struct score_certs *certs;
	size_t ncerts;
	struct score_claim *claims;
	size_t nclaims;
	struct score_campaign *campaigns;
	size_t ncampaigns;
	struct score_stored *previous;	/* the previous period's scores */
	size_t nprevious;
	struct arena arena;
};

void score_input_free(struct score_input *in);

/*
 * Scores every partner of plan (the current period's figures) from in.
 * The result's rows are parallel to plan's and borrow from it. Never
 * fails.
 */
void score_compute(const struct config *cfg, const struct plan_result *plan,
    const struct score_input *in, struct score_result *out);

/* The scorecard of row i as stored (partner_periods.kpis): a new string. */
char *score_card_json(const struct score_result *r, size_t i);

/*
 * The tier of a scorecard: the first of scoring.tiers whose min_score and
 * requires row meets (index, or -1). why, when not NULL, gets what the
 * tier above the one met still lacks (a new string, or NULL).
 */
int score_tier_of(const struct config *cfg, const struct score_row *row,
    char **why);

/* A score as the scorecard shows it: one decimal. */
double score_shown(double v);

void score_result_free(struct score_result *r);

#endif
