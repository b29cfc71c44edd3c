/* test_score.c - scorecards on structs, no database: KPIs from the plan's
 * figures and the evidence counts, caps, weights shifting for missing
 * data, engagement percentiles, peers, tiers, the previous score. */
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
	struct config *cfg = t_config("scoring: { peer_group: all }\n");
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
	CHECK(NEAR(a->kpi[4], 75) && NEAR(a->raw[4], 2));
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
	CHECK(NEAR(s.rows[1].score, 100) && !s.rows[1].has[4]);
	score_result_free(&s);
	config_free(cfg);
}

static void
test_windows(void)
{
	struct score_windows w;

	score_windows_of(t_time("2026-11-27T10:00:00Z"), &w);
	CHECK_STR(w.year_from, "2025-11-27");
	CHECK_STR(w.today, "2026-11-27");
	CHECK_STR(w.year_from_time, "2025-11-27T10:00:00Z");
	CHECK_STR(w.days90_from_time, "2026-08-29T10:00:00Z");
	CHECK(score_shown(80.8333) == 80.8);
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
	normalize_shutdown();
	return t_done("score");
}
