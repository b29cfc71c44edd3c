/* test_score.c - scorecards on structs, no database: KPIs from the plan's
 * figures and the evidence counts, ranks without caps, weights shifting
 * for missing data, engagement percentiles, peers, registration-to-win
 * conversion, certifications, MDF and its ROI, tiers as rules at each
 * edge, the previous score and tier. */
#include "rules/score.h"
#include "t.h"
#include "t_cfg.h"

#include <math.h>

#define NEAR(a, b) (fabs((a) - (b)) < 1e-3)

/* A plan row with attainment and risk coverage as given (< 0: none). */
static void
row(struct plan_row *r, const char *id, const char *tier, double attain,
    double riskcov)
{
	memset(r, 0, sizeof(*r));
	r->partner_id = (char *)id;
	r->name = (char *)id;
	r->tier = (char *)tier;
	r->has_plan = attain >= 0;
	r->has_attainment = attain >= 0;
	r->attainment = attain;
	r->has_risk_coverage = riskcov >= 0;
	r->risk_coverage = riskcov;
}

static void
test_kpis_weights_and_tiers(void)
{
	/* the five weights of older files; tiers as older files map them */
	struct config *cfg = t_config("scoring:\n  peer_group: all\n"
	    "  weights: { plan_attainment: 30, pipeline_coverage: 20, "
	    "win_rate: 15, registration_quality: 10, engagement: 25 }\n"
	    "  tiers: { bronze: 0, gold: 70, platinum: 85, silver: 50 }\n");
	struct plan_row rows[3];
	struct plan_result plan = { { "2026-Q4", "2026-10-01", "2026-12-31" },
		rows, 3, 0 };
	struct score_wins wins[] = { { "A", 3, 7 }, { "B", 0, 2 }, { "X", 9, 0 } };
	struct score_outcome outs[] = { { "A", "approved", 2 }, { "A", "won", 1 },
		{ "A", "rejected", 1 }, { "A", "pending", 5 } };
	struct score_activity acts[] = { { "A", "certification", 2 },
		{ "C", "meeting", 1 }, { "C", "certification", 1 },
		{ "C", "webinar", 4 } };	/* a kind nobody weighs */
	struct score_stored prev[] = { { "A", 1, 90, "platinum" },
		{ "C", 0, 0, NULL } };
	struct score_input in;
	struct score_result s;
	const struct score_row *a, *b, *c;

	row(&rows[0], "A", NULL, 0.5, 2.0);	/* 2x coverage: no cap */
	row(&rows[1], "B", NULL, 1.5, -1);	/* 150%: no cap */
	row(&rows[2], "C", NULL, -1, -1);	/* no plan */
	memset(&in, 0, sizeof(in));
	in.wins = wins;
	in.nwins = 3;
	in.outcomes = outs;
	in.noutcomes = 4;
	in.activities = acts;
	in.nactivities = 4;
	in.previous = prev;
	in.nprevious = 2;
	score_compute(cfg, &plan, &in, &s);
	CHECK_INT(s.n, 3);
	a = &s.rows[0];
	b = &s.rows[1];
	c = &s.rows[2];
	/* every KPI a percentile rank among the peers that have it, in its
	 * own units, uncapped: attainment A 0.5 < B 1.5 (0, 100); coverage A
	 * alone (100); win rate A 0.3 > B 0 (100, 0); quality A alone, 3 of 4
	 * decided (won counts as approved) (100); engagement by each kind's
	 * count percentile, weighted: A (100+100+66.7+100+100)/5 = 93.3,
	 * B (33.3+100+66.7+100+100)/5 = 80, C 93.3: A and C share the top
	 * two places (75 each), B the bottom (0) */
	CHECK(NEAR(a->kpi[0], 0) && NEAR(a->kpi[1], 100) && NEAR(a->kpi[2], 100));
	CHECK(NEAR(a->raw[0], 0.5) && NEAR(a->raw[1], 2.0));
	CHECK(NEAR(a->raw[2], 0.3) && NEAR(a->raw[3], 0.75) && NEAR(a->kpi[3], 100));
	CHECK(NEAR(a->kpi[K_ENGAGE], 75) && NEAR(a->raw[K_ENGAGE], 2));
	/* conversion: 1 won of 3 approved, won or lost; unweighted here */
	CHECK(a->has[K_CONVERT] && NEAR(a->raw[K_CONVERT], 1.0 / 3));
	CHECK(!b->has[K_CONVERT] && !a->has[K_CERTS] && !a->has[K_MDF_ROI]);
	CHECK(a->has_score && NEAR(a->score, (0 + 2000 + 1500 + 1000 + 25 * 75)
	    / 100.0));
	CHECK_STR(a->tier, "silver");	/* 63.75 */
	CHECK(a->has_previous && a->previous == 90);
	CHECK(a->flags == NULL);
	/* B: attainment 100, win rate 0, engagement 0; no coverage and no
	 * quality: their weight shifts to the rest, flagged */
	CHECK(NEAR(b->kpi[0], 100) && b->has[2] && b->kpi[2] == 0 &&
	    NEAR(b->raw[0], 1.5));
	CHECK(!b->has[1] && !b->has[3]);
	CHECK(NEAR(b->score, (3000 + 0 + 0) / 70.0));
	CHECK_STR(b->tier, "bronze");	/* 42.9 */
	CHECK(!b->has_previous);
	CHECK_STR(b->flags, "no pipeline_coverage data; no registration_quality "
	    "data");
	/* C: engagement alone; no plan, said so; a stored period without a
	 * score is no previous score */
	CHECK(NEAR(c->score, 75));
	CHECK_STR(c->tier, "gold");
	CHECK(!c->has_previous);
	CHECK_STR(c->flags, "no plan_attainment data; no pipeline_coverage data; "
	    "no win_rate data; no registration_quality data; no plan for 2026-Q4");
	/* peers: A's attainment against A and B (C has none), in its units */
	CHECK(NEAR(a->pct[0], 0) && NEAR(a->peer_avg[0], 1.0) &&
	    NEAR(a->peer_top[0], 1.5));
	/* the scorecard as stored */
	{
		char *j = score_card_json(&s, 1);

		CHECK(strstr(j, "\"pipeline_coverage\":{\"value\":null}") != NULL);
		CHECK(strstr(j, "\"tier\":\"bronze\"") != NULL);
		free(j);
	}
	score_result_free(&s);
	config_free(cfg);
}

/* Above plan is no ceiling: 150% and 421% rank apart; equal figures share
 * the middle of their places; everyone equal is 50 each. */
static void
test_ranks_without_caps(void)
{
	struct config *cfg = t_config("scoring: { peer_group: all }\n");
	struct plan_row rows[4];
	struct plan_result plan = { { "2026-Q4", "2026-10-01", "2026-12-31" },
		rows, 4, 0 };
	struct score_input in;
	struct score_result s;
	size_t i;

	row(&rows[0], "A", NULL, 1.5, 0.9);
	row(&rows[1], "B", NULL, 4.21, 0.9);
	row(&rows[2], "C", NULL, 1.0, 0.9);
	row(&rows[3], "D", NULL, 1.0, 0.9);
	memset(&in, 0, sizeof(in));
	score_compute(cfg, &plan, &in, &s);
	CHECK(NEAR(s.rows[1].kpi[0], 100));
	CHECK(NEAR(s.rows[0].kpi[0], 200.0 / 3));
	CHECK(NEAR(s.rows[2].kpi[0], 50.0 / 3) && NEAR(s.rows[3].kpi[0], 50.0 / 3));
	for (i = 0; i < 4; i++)
		CHECK(NEAR(s.rows[i].kpi[1], 50));	/* all equal coverage */
	/* the scores rank: 421% above 150% */
	CHECK(s.rows[1].score > s.rows[0].score && s.rows[0].score >
	    s.rows[2].score);
	score_result_free(&s);
	config_free(cfg);
}

/* Peer group tier: a partner is ranked among its own tier only. */
static void
test_peers_by_tier(void)
{
	struct config *cfg = t_config("scoring: { peer_group: tier }\n");
	struct plan_row rows[3];
	struct plan_result plan = { { "2026-Q4", "2026-10-01", "2026-12-31" },
		rows, 3, 0 };
	struct score_input in;
	struct score_result s;

	row(&rows[0], "G1", "gold", 0.2, -1);
	row(&rows[1], "G2", "Gold", 0.8, -1);	/* tiers compare without case */
	row(&rows[2], "P1", "platinum", 0.1, -1);
	memset(&in, 0, sizeof(in));
	score_compute(cfg, &plan, &in, &s);
	CHECK(NEAR(s.rows[0].pct[0], 0));	/* the lower of two golds */
	CHECK(NEAR(s.rows[1].pct[0], 100));
	CHECK(NEAR(s.rows[2].pct[0], 100));	/* alone: the top of its group */
	CHECK(NEAR(s.rows[2].peer_avg[0], 0.1));
	CHECK(NEAR(s.rows[0].peer_avg[0], 0.5));
	/* no evidence at all: attainment is the only KPI */
	CHECK(NEAR(s.rows[1].score, 100) && !s.rows[1].has[K_ENGAGE]);
	score_result_free(&s);
	config_free(cfg);
}

static void
test_windows(void)
{
	struct score_windows w;

	score_windows_of(t_time("2026-11-27T10:00:00Z"), "2026-10-01",
	    730 * 86400, &w);
	CHECK_STR(w.year_from, "2025-11-27");
	CHECK_STR(w.today, "2026-11-27");
	CHECK_STR(w.year_from_time, "2025-11-27T10:00:00Z");
	CHECK_STR(w.now_time, "2026-11-27T10:00:00Z");
	CHECK_STR(w.period_from_time, "2026-10-01T00:00:00Z");
	CHECK_STR(w.certs_from_time, "2024-11-27T10:00:00Z");
	CHECK(score_shown(80.8333) == 80.8);
}

/*
 * MDF: drafts are not claimed; approved, rejected and paid by the
 * configured statuses; the ROI sets the closed-won revenue of the
 * campaigns the paid claims funded (each once) against what was paid.
 * Nothing paid: no ROI (flagged, weight shifted), never a zero; paid but
 * nothing won: an ROI of 0.
 */
static void
test_mdf(void)
{
	struct config *cfg = t_config("scoring: { peer_group: all, weights: { "
	    "plan_attainment: 50, mdf_roi: 50 } }\n");
	struct plan_row rows[4];
	struct plan_result plan = { { "2026-Q4", "2026-10-01", "2026-12-31" },
		rows, 4, 0 };
	struct score_claim claims[] = {
		{ "A", "Paid", "C1", 1000 }, { "A", "Paid", "C1", 1000 },
		{ "A", "Approved", "C2", 500 }, { "A", "Rejected", NULL, 300 },
		{ "A", "Draft", "C3", 9999 },
		{ "B", "Approved", "C4", 800 }, { "B", "Rejected", NULL, 200 },
		{ "C", "paid", "C9", 400 },	/* statuses without case */
		{ "D", "Paid", NULL, 100 },
	};
	struct score_campaign camps[] = { { "C1", 10000 }, { "C2", 5000 },
		{ "C4", 7000 } };
	struct score_input in;
	struct score_result s;
	const struct score_row *a, *b, *c, *d;

	row(&rows[0], "A", NULL, 1.0, -1);
	row(&rows[1], "B", NULL, 1.0, -1);
	row(&rows[2], "C", NULL, 1.0, -1);
	row(&rows[3], "D", NULL, 1.0, -1);
	memset(&in, 0, sizeof(in));
	in.claims = claims;
	in.nclaims = sizeof(claims) / sizeof(claims[0]);
	in.campaigns = camps;
	in.ncampaigns = 3;
	score_compute(cfg, &plan, &in, &s);
	a = &s.rows[0];
	b = &s.rows[1];
	c = &s.rows[2];
	d = &s.rows[3];
	CHECK(NEAR(a->mdf.claimed, 2800) && NEAR(a->mdf.approved, 2500) &&
	    NEAR(a->mdf.rejected, 300) && NEAR(a->mdf.paid, 2000));
	CHECK(NEAR(a->mdf.claims, 4) && NEAR(a->mdf.decided, 4));
	/* C1 funded twice, counted once; C2's claim is approved, not paid */
	CHECK(NEAR(a->mdf.revenue, 10000) && NEAR(a->raw[K_MDF_ROI], 5.0));
	CHECK(NEAR(a->raw[K_MDF_APPROVAL], 0.75));
	/* B: approved, never paid: an approval ratio, no ROI */
	CHECK(b->has[K_MDF_APPROVAL] && NEAR(b->raw[K_MDF_APPROVAL], 0.5));
	CHECK(!b->has[K_MDF_ROI] && NEAR(b->mdf.paid, 0));
	CHECK_STR(b->flags, "no mdf_roi data");
	CHECK(NEAR(b->score, 50));	/* attainment alone: all four equal */
	/* C: paid, the campaign won nothing: ROI 0, ranked last of three */
	CHECK(c->has[K_MDF_ROI] && NEAR(c->raw[K_MDF_ROI], 0));
	CHECK(NEAR(c->kpi[K_MDF_ROI], 25) && NEAR(d->kpi[K_MDF_ROI], 25));
	CHECK(NEAR(a->kpi[K_MDF_ROI], 100));
	CHECK(NEAR(a->peer_top[K_MDF_ROI], 5.0) &&
	    NEAR(a->peer_avg[K_MDF_ROI], 5.0 / 3));
	{
		char *j = score_card_json(&s, 0);

		CHECK(strstr(j, "\"paid\":2000") != NULL);
		CHECK(strstr(j, "\"attributed_revenue\":10000") != NULL);
		free(j);
	}
	score_result_free(&s);
	config_free(cfg);
}

/* Certifications: once anyone holds one, none is a count of 0. */
static void
test_certifications(void)
{
	struct config *cfg = t_config("scoring: { peer_group: all }\n");
	struct plan_row rows[3];
	struct plan_result plan = { { "2026-Q4", "2026-10-01", "2026-12-31" },
		rows, 3, 0 };
	struct score_certs certs[] = { { "A", 3 }, { "B", 1 } };
	struct score_input in;
	struct score_result s;

	row(&rows[0], "A", NULL, 1.0, -1);
	row(&rows[1], "B", NULL, 1.0, -1);
	row(&rows[2], "C", NULL, 1.0, -1);
	memset(&in, 0, sizeof(in));
	in.certs = certs;
	in.ncerts = 2;
	score_compute(cfg, &plan, &in, &s);
	CHECK(s.rows[2].has[K_CERTS] && s.rows[2].raw[K_CERTS] == 0);
	CHECK(NEAR(s.rows[0].kpi[K_CERTS], 100) && NEAR(s.rows[1].kpi[K_CERTS],
	    50) && NEAR(s.rows[2].kpi[K_CERTS], 0));
	score_result_free(&s);
	memset(&in, 0, sizeof(in));	/* nobody certified: no data at all */
	score_compute(cfg, &plan, &in, &s);
	CHECK(!s.rows[0].has[K_CERTS]);
	score_result_free(&s);
	config_free(cfg);
}

/* A score row with a score and the figures tiers require. */
static void
tier_row(struct score_row *r, struct plan_row *p, double score,
    double attain, double certs, double won)
{
	memset(r, 0, sizeof(*r));
	memset(p, 0, sizeof(*p));
	r->plan = p;
	p->closed_won = won;
	r->has_score = 1;
	r->score = score;
	r->has[K_ATTAIN] = attain >= 0;
	r->raw[K_ATTAIN] = attain;
	r->has[K_CERTS] = certs >= 0;
	r->raw[K_CERTS] = certs;
}

/* Tiers as rules, top down, at each rule's edge. */
static void
test_tiers(void)
{
	struct config *cfg = t_config("scoring:\n  tiers:\n"
	    "    - { name: platinum, min_score: 80, requires: { attainment: 1.0, "
	    "certifications: 3, closed_won: 500000 } }\n"
	    "    - { name: gold, min_score: 60, requires: { certifications: 1 } }\n"
	    "    - { name: silver, min_score: 40 }\n"
	    "    - { name: bronze }\n");
	struct config *def = t_config("scoring: { peer_group: all }\n");
	struct score_row r;
	struct plan_row p;
	char *why;

	/* exactly at every edge: platinum, nothing above */
	tier_row(&r, &p, 80, 1.0, 3, 500000);
	CHECK(score_tier_of(cfg, &r, &why) == 0 && why == NULL);
	/* a hair under the score: gold, and platinum says what it lacks */
	tier_row(&r, &p, 79.99, 1.0, 3, 500000);
	CHECK(score_tier_of(cfg, &r, &why) == 1);
	CHECK_STR(why, "score 80 (has 80.0)");
	free(why);
	/* the score but one requirement short, one without data */
	tier_row(&r, &p, 95, -1, 2, 600000);
	CHECK(score_tier_of(cfg, &r, &why) == 1);
	CHECK_STR(why, "attainment 100% (no data); certifications 3 (has 2)");
	free(why);
	/* gold's score without its certification: silver */
	tier_row(&r, &p, 70, 1.2, 0, 0);
	CHECK(score_tier_of(cfg, &r, &why) == 2);
	CHECK_STR(why, "certifications 1 (has 0)");
	free(why);
	/* nobody certified anywhere (no data) is none: not gold */
	tier_row(&r, &p, 70, 1.2, -1, 0);
	CHECK(score_tier_of(cfg, &r, NULL) == 2);
	tier_row(&r, &p, 39.9, 1.2, 5, 0);
	CHECK(score_tier_of(cfg, &r, &why) == 3);
	CHECK_STR(why, "score 40 (has 39.9)");
	free(why);
	/* no score at all: only a tier without min_score and requires */
	tier_row(&r, &p, 0, -1, -1, 0);
	r.has_score = 0;
	CHECK(score_tier_of(cfg, &r, NULL) == 3);
	/* the default tiers are the contract's */
	CHECK_INT(def->scoring.ntiers, 4);
	CHECK_STR(def->scoring.tiers[0].name, "platinum");
	CHECK(def->scoring.tiers[0].min_score == 80 &&
	    def->scoring.tiers[0].nrequires == 2);
	tier_row(&r, &p, 85, 1.0, 2, 0);
	CHECK(score_tier_of(def, &r, NULL) == 1);	/* gold: 2 of 3 certs */
	config_free(cfg);
	config_free(def);
}

/* The scorecard names its tier's rule, the next tier's needs, the
 * previous tier. */
static void
test_tier_on_card(void)
{
	struct config *cfg = t_config("scoring:\n  weights: { plan_attainment: 1 }\n"
	    "  tiers:\n    - { name: gold, min_score: 90, requires: "
	    "{ attainment: 1.5 } }\n    - { name: silver, min_score: 50 }\n"
	    "    - { name: bronze, min_score: 0 }\n");
	struct plan_row rows[2];
	struct plan_result plan = { { "2026-Q4", "2026-10-01", "2026-12-31" },
		rows, 2, 0 };
	struct score_stored prev[] = { { "A", 1, 40, "bronze" } };
	struct score_input in;
	struct score_result s;

	row(&rows[0], "A", NULL, 1.2, -1);
	row(&rows[1], "B", NULL, 0.4, -1);
	memset(&in, 0, sizeof(in));
	in.previous = prev;
	in.nprevious = 1;
	score_compute(cfg, &plan, &in, &s);
	CHECK_STR(s.rows[0].tier, "silver");
	CHECK_STR(s.rows[0].tier_rule, "silver: score >= 50");
	CHECK_STR(s.rows[0].next_tier, "gold");
	CHECK_STR(s.rows[0].next_needs, "attainment 150% (has 120%)");
	CHECK_STR(s.rows[0].previous_tier, "bronze");
	CHECK_STR(s.rows[1].tier, "bronze");
	score_result_free(&s);
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
	T_RUN(test_kpis_weights_and_tiers);
	T_RUN(test_ranks_without_caps);
	T_RUN(test_peers_by_tier);
	T_RUN(test_windows);
	T_RUN(test_mdf);
	T_RUN(test_certifications);
	T_RUN(test_tiers);
	T_RUN(test_tier_on_card);
	normalize_shutdown();
	return t_done("score");
}
