/*
 * score.c - partner scorecards (see score.h).
 */
#include "rules/score.h"
#include "store/audit.h"
#include "lib/json.h"
#include "lib/mem.h"
#include "model/normalize.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { K_ATTAIN, K_COVERAGE, K_WINRATE, K_QUALITY, K_ENGAGE };

const char *const score_kpi_names[SCORE_KPIS] = { "plan_attainment",
	"pipeline_coverage", "win_rate", "registration_quality", "engagement" };


static double
cap100(double v)
{
	return v < 0 ? 0 : v > 100 ? 100 : v;
}

struct ctx {
	const struct config *cfg;
	const struct plan_result *plan;
	struct score_result *out;
	double *won, *lost, *good, *rejected;	/* per partner */
	double *acts;				/* per partner x kind */
	size_t nkinds;
	int any_activity;
};

static long
index_of(const struct ctx *c, const char *partner)
{
	const struct plan_row *p = plan_find(c->plan, partner);

	return p ? (long)(p - c->plan->rows) : -1;
}

static int
win_row(void *arg, const struct store_row *r)
{
	struct ctx *c = arg;
	long i = index_of(c, store_col(r, "partner_id"));
	const char *w = store_col(r, "won"), *l = store_col(r, "lost");

	if (i >= 0) {
		c->won[i] = w ? strtod(w, NULL) : 0;
		c->lost[i] = l ? strtod(l, NULL) : 0;
	}
	return 0;
}

static int
outcome_row(void *arg, const struct store_row *r)
{
	struct ctx *c = arg;
	long i = index_of(c, store_col(r, "partner_id"));
	const char *st = store_col(r, "status"), *n = store_col(r, "n");
	double k = n ? strtod(n, NULL) : 0;

	if (i < 0 || st == NULL)
		return 0;
	if (strcmp(st, "approved") == 0 || strcmp(st, "won") == 0 ||
	    strcmp(st, "lost") == 0)
		c->good[i] += k;
	else if (strcmp(st, "rejected") == 0)
		c->rejected[i] += k;
	return 0;
}

static int
activity_row(void *arg, const struct store_row *r)
{
	struct ctx *c = arg;
	long i = index_of(c, store_col(r, "partner_id"));
	const char *kind = store_col(r, "kind"), *n = store_col(r, "n");
	size_t k;

	if (i < 0 || kind == NULL)
		return 0;
	for (k = 0; k < c->nkinds; k++)
		if (strcmp(c->cfg->scoring.engagement[k].key, kind) == 0) {
			c->acts[(size_t)i * c->nkinds + k] += n ? strtod(n, NULL) : 0;
			c->any_activity = 1;
		}
	return 0;
}

/* Does partner j belong to partner i's peer group? */
static int
peers(const struct ctx *c, size_t i, size_t j)
{
	const char *a = c->plan->rows[i].tier, *b = c->plan->rows[j].tier;

	if (c->cfg->scoring.peer_group != PEER_TIER)
		return 1;
	return (a == NULL && b == NULL) || (a && b && strcasecmp(a, b) == 0);
}

/* Percent of the peers with data whose value is at most v. */
static double
percentile(const struct ctx *c, size_t i, const double *v, const int *has,
    size_t stride, double x)
{
	size_t j, n = 0, le = 0;

	for (j = 0; j < c->plan->n; j++) {
		if (!peers(c, i, j) || (has && !has[j * stride]))
			continue;
		n++;
		if (v[j * stride] <= x)
			le++;
	}
	return n ? 100.0 * (double)le / (double)n : 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The peers' average and top decile of KPI k. */
static void
peer_stats(const struct ctx *c, size_t i, int k, double *avg, double *top)
{
	double *v = xcalloc(c->plan->n + 1, sizeof(double)), sum = 0;
	size_t j, n = 0;

	for (j = 0; j < c->plan->n; j++)
		if (peers(c, i, j) && c->out->rows[j].has[k]) {
			v[n++] = c->out->rows[j].kpi[k];
			sum += c->out->rows[j].kpi[k];
		}
	*avg = n ? sum / (double)n : 0;
	if (n) {
		qsort(v, n, sizeof(double), cmp_double);
		/* the value 90% of the peers are at or below */
		*top = v[(size_t)ceil(0.9 * (double)n) - 1];
	} else
		*top = 0;
	free(v);
}

static double
weight(const struct config *cfg, const char *kpi)
{
	size_t i;

	for (i = 0; i < cfg->scoring.nweights; i++)
		if (strcmp(cfg->scoring.weights[i].key, kpi) == 0)
			return cfg->scoring.weights[i].value;
	return 0;
}

static const char *
tier_of(const struct config *cfg, double score)
{
	const char *best = NULL;
	double bt = -1;
	size_t i;

	for (i = 0; i < cfg->scoring.ntiers; i++)
		if (cfg->scoring.tiers[i].value <= score + 1e-9 &&
		    cfg->scoring.tiers[i].value > bt) {
			bt = cfg->scoring.tiers[i].value;
			best = cfg->scoring.tiers[i].key;
		}
	return best;
}

static int
previous_row(void *arg, const struct store_row *r)
{
	struct score_row *row = arg;
	const char *s = store_col(r, "score");

	if (s) {
		row->has_previous = 1;
		row->previous = strtod(s, NULL);
	}
	return 0;
}

static double
round2(double v)
{
	return round(v * 100.0) / 100.0;
}

/* What is stored for a partner and period before this cycle's figures. */
struct stored {
	int found, has_score;
	double score;
	char tier[32];
};

static int
stored_row(void *arg, const struct store_row *r)
{
	struct stored *sd = arg;
	const char *s = store_col(r, "score"), *t = store_col(r, "tier");

	sd->found = 1;
	sd->has_score = s != NULL;
	sd->score = s ? strtod(s, NULL) : 0;
	snprintf(sd->tier, sizeof(sd->tier), "%s", t ? t : "");
	return 0;
}

/* A score as the scorecard shows it: one decimal. */
static double
round1(double v)
{
	return round(v * 10.0) / 10.0;
}

/*
 * Audits a partner's score or tier changing (SPEC §11), as shown: a change
 * below the shown precision is not one. Returns 0 or -1.
 */
static int
audit_change(struct audit *au, int64_t cycle_id, struct store *st,
    const char *period, const struct score_row *r)
{
	struct stored sd;
	struct jval *d, *o, *n;
	const char *tier = r->tier ? r->tier : "";

	memset(&sd, 0, sizeof(sd));
	if (store_partner_periods(st, r->plan->partner_id, period, stored_row,
	    &sd) < 0)
		return -1;
	if (sd.found && sd.has_score == r->has_score && strcmp(sd.tier, tier) == 0 &&
	    (!r->has_score || round1(sd.score) == round1(r->score)))
		return 0;
	d = jv_object();
	jv_set_str(d, "partner_id", r->plan->partner_id);
	jv_set_str(d, "period", period);
	o = jv_object();
	jv_set(o, "score", sd.found && sd.has_score ? jv_real(round1(sd.score)) :
	    jv_null());
	jv_set_str(o, "tier", sd.found && sd.tier[0] ? sd.tier : NULL);
	n = jv_object();
	jv_set(n, "score", r->has_score ? jv_real(round1(r->score)) : jv_null());
	jv_set_str(n, "tier", r->tier);
	jv_set(d, "old", o);
	jv_set(d, "new", n);
	return audit_log(au, cycle_id, "score.changed", "partner",
	    r->plan->partner_id, d);
}

/* The scorecard as stored (partner_periods.kpis). */
static char *
scorecard_json(const struct score_result *r, size_t i)
{
	const struct score_row *row = &r->rows[i];
	struct jval *o = jv_object(), *k = jv_object();
	char *out;
	int j;

	for (j = 0; j < SCORE_KPIS; j++) {
		struct jval *x = jv_object();

		if (row->has[j]) {
			jv_set(x, "value", jv_real(round2(row->kpi[j])));
			jv_set(x, "raw", jv_real(round2(row->raw[j])));
			jv_set(x, "peer_average", jv_real(round2(row->peer_avg[j])));
			jv_set(x, "peer_top_decile", jv_real(round2(row->peer_top[j])));
			jv_set(x, "percentile", jv_real(round2(row->pct[j])));
		} else
			jv_set(x, "value", jv_null());
		jv_set(k, score_kpi_names[j], x);
	}
	jv_set(o, "kpis", k);
	if (row->has_score)
		jv_set(o, "score", jv_real(round2(row->score)));
	if (row->has_previous)
		jv_set(o, "previous", jv_real(round2(row->previous)));
	jv_set_str(o, "tier", row->tier);
	jv_set_str(o, "flags", row->flags);
	jv_set_int(o, "opportunities", row->plan->opportunities);
	out = jv_dump_canonical(o);
	jv_free(o);
	return out;
}

int
score_compute(const struct config *cfg, struct store *st, struct audit *au,
    int64_t cycle_id, const struct plan_result *plan,
    const struct plan_period *previous, int64_t now, struct score_result *out,
    char *err, size_t errlen)
{
	struct ctx c;
	char yago[21], yfull[21], day[21], d90[21], nowiso[21];
	size_t i, n = plan->n, k;
	int rc = 0, j;
	int *has_eng = NULL;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.cfg = cfg;
	c.plan = plan;
	c.out = out;
	out->n = n;
	out->rows = xcalloc(n + 1, sizeof(*out->rows));
	c.won = xcalloc(n + 1, sizeof(double));
	c.lost = xcalloc(n + 1, sizeof(double));
	c.good = xcalloc(n + 1, sizeof(double));
	c.rejected = xcalloc(n + 1, sizeof(double));
	c.nkinds = cfg->scoring.nengagement;
	c.acts = xcalloc(n * (c.nkinds ? c.nkinds : 1) + 1, sizeof(double));
	norm_time_format(now - 365 * 86400, yago);
	norm_time_format(now - 365 * 86400, yfull);
	norm_time_format(now, day);
	norm_time_format(now - 90 * 86400, d90);
	norm_time_format(now, nowiso);
	yago[10] = '\0';	/* close dates are dates */
	day[10] = '\0';
	if (n && (store_win_counts(st, yago, day, win_row, &c) < 0 ||
	    store_registration_outcomes(st, yfull, outcome_row, &c) < 0 ||
	    store_activity_counts(st, d90, activity_row, &c) < 0)) {
		snprintf(err, errlen, "reading scores: %s", store_errmsg(st));
		rc = -1;
		goto out;
	}
	/* the KPIs each partner has data for */
	for (i = 0; i < n; i++) {
		struct score_row *r = &out->rows[i];
		const struct plan_row *p = &plan->rows[i];

		r->plan = p;
		if (p->has_attainment) {
			r->has[K_ATTAIN] = 1;
			r->raw[K_ATTAIN] = p->attainment;
			r->kpi[K_ATTAIN] = cap100(p->attainment * 100);
		}
		if (p->has_risk_coverage) {
			r->has[K_COVERAGE] = 1;
			r->raw[K_COVERAGE] = p->risk_coverage;
			r->kpi[K_COVERAGE] = cap100(p->risk_coverage * 100);
		}
		if (c.won[i] + c.lost[i] > 0) {
			double rate = c.won[i] / (c.won[i] + c.lost[i]);

			r->has[K_WINRATE] = 1;
			r->raw[K_WINRATE] = rate;
			r->kpi[K_WINRATE] = cap100(rate / cfg->scoring.win_rate_target * 100);
		}
		if (c.good[i] + c.rejected[i] > 0) {
			double q = c.good[i] / (c.good[i] + c.rejected[i]);

			r->has[K_QUALITY] = 1;
			r->raw[K_QUALITY] = q;
			r->kpi[K_QUALITY] = q * 100;
		}
	}
	/* engagement: per kind, the percentile of the count among peers */
	has_eng = xcalloc(n + 1, sizeof(int));
	for (i = 0; i < n && c.any_activity && c.nkinds; i++) {
		double wsum = 0, acc = 0, total = 0;

		for (k = 0; k < c.nkinds; k++) {
			double w = cfg->scoring.engagement[k].value;

			acc += w * percentile(&c, i, c.acts + k, NULL, c.nkinds,
			    c.acts[i * c.nkinds + k]);
			wsum += w;
			total += c.acts[i * c.nkinds + k];
		}
		if (wsum > 0) {
			out->rows[i].has[K_ENGAGE] = 1;
			out->rows[i].raw[K_ENGAGE] = total;
			out->rows[i].kpi[K_ENGAGE] = acc / wsum;
		}
	}
	/* peers, score, tier, history */
	for (i = 0; i < n; i++) {
		struct score_row *r = &out->rows[i];
		double wsum = 0, acc = 0;
		struct buf flags;

		buf_init(&flags, 0);
		for (j = 0; j < SCORE_KPIS; j++) {
			double w = weight(cfg, score_kpi_names[j]);
			size_t m;

			if (!r->has[j]) {
				buf_addf(&flags, "%sno %s data", flags.len ? "; " : "",
				    score_kpi_names[j]);
				continue;
			}
			peer_stats(&c, i, j, &r->peer_avg[j], &r->peer_top[j]);
			{
				double *v = xcalloc(n + 1, sizeof(double));
				int *h = xcalloc(n + 1, sizeof(int));

				for (m = 0; m < n; m++) {
					v[m] = out->rows[m].kpi[j];
					h[m] = out->rows[m].has[j];
				}
				r->pct[j] = percentile(&c, i, v, h, 1, r->kpi[j]);
				free(v);
				free(h);
			}
			acc += w * r->kpi[j];
			wsum += w;
		}
		if (!r->plan->has_plan) {
			buf_addf(&flags, "%sno plan for %s", flags.len ? "; " : "",
			    plan->period.name);
		}
		if (wsum > 0) {
			r->has_score = 1;
			r->score = acc / wsum;
			r->tier = tier_of(cfg, r->score);
		}
		r->flags = flags.len ? buf_steal(&flags) : NULL;
		buf_free(&flags);
		if (previous && store_partner_periods(st, r->plan->partner_id,
		    previous->name, previous_row, r) < 0) {
			snprintf(err, errlen, "reading history: %s", store_errmsg(st));
			rc = -1;
			goto out;
		}
	}
	/* the history */
	if (store_begin(st) < 0) {
		snprintf(err, errlen, "database: %s", store_errmsg(st));
		rc = -1;
		goto out;
	}
	for (i = 0; i < n && rc == 0; i++) {
		struct score_row *r = &out->rows[i];
		const struct plan_row *p = r->plan;
		struct store_partner_period pp;
		char *kpis = scorecard_json(out, i);

		memset(&pp, 0, sizeof(pp));
		pp.partner_id = p->partner_id;
		pp.period = plan->period.name;
		pp.closed_won = p->closed_won;
		pp.pipeline = p->pipeline;
		pp.risk_adjusted = p->risk_adjusted;
		pp.plan_target = p->has_plan ? &p->plan : NULL;
		pp.total_target = p->has_plan ? &p->total_target : NULL;
		pp.risk_target = p->has_plan ? &p->risk_target : NULL;
		pp.coverage = p->has_coverage ? &p->coverage : NULL;
		pp.risk_coverage = p->has_risk_coverage ? &p->risk_coverage : NULL;
		pp.attainment = p->has_attainment ? &p->attainment : NULL;
		pp.score = r->has_score ? &r->score : NULL;
		pp.tier = r->tier;
		pp.kpis = kpis;
		if (au)
			rc = audit_change(au, cycle_id, st, plan->period.name, r);
		if (rc == 0)
			rc = store_partner_period_put(st, &pp, nowiso);
		free(kpis);
	}
	if (rc < 0) {
		snprintf(err, errlen, "database: %s", store_errmsg(st));
		store_rollback(st);
	} else if (store_commit(st) < 0) {
		snprintf(err, errlen, "database: %s", store_errmsg(st));
		rc = -1;
	}
out:
	free(has_eng);
	free(c.won);
	free(c.lost);
	free(c.good);
	free(c.rejected);
	free(c.acts);
	return rc;
}

void
score_result_free(struct score_result *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->rows[i].flags);
	free(r->rows);
	memset(r, 0, sizeof(*r));
}
