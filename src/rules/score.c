/*
 * score.c - partner scorecards (see score.h).
 */
#include "rules/score.h"
#include "lib/json.h"
#include "lib/mem.h"
#include "model/normalize.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const score_kpi_names[SCORE_KPIS] = { "plan_attainment",
	"pipeline_coverage", "win_rate", "registration_quality",
	"registration_conversion", "engagement", "certifications",
	"mdf_approval", "mdf_roi" };


struct ctx {
	const struct config *cfg;
	const struct plan_result *plan;
	struct score_result *out;
	double *won, *lost, *good, *rejected;	/* per partner */
	double *regwon;				/* registrations won */
	double *acts;				/* per partner x kind */
	double *certs;
	size_t nkinds;
	int any_activity, any_cert;
};

static int
listed(char **v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		if (strcasecmp(v[i], s) == 0)
			return 1;
	return 0;
}

static long
index_of(const struct ctx *c, const char *partner)
{
	const struct plan_row *p = plan_find(c->plan, partner);

	return p ? (long)(p - c->plan->rows) : -1;
}

/* Adds up the evidence of in by partner (parallel to the plan's rows). */
static void
gather(struct ctx *c, const struct score_input *in)
{
	size_t i, k;

	for (i = 0; i < in->nwins; i++) {
		long j = index_of(c, in->wins[i].partner_id);

		if (j >= 0) {
			c->won[j] = in->wins[i].won;
			c->lost[j] = in->wins[i].lost;
		}
	}
	for (i = 0; i < in->noutcomes; i++) {
		const struct score_outcome *o = &in->outcomes[i];
		long j = index_of(c, o->partner_id);

		if (j < 0 || o->status == NULL)
			continue;
		if (strcmp(o->status, "approved") == 0 || strcmp(o->status,
		    "won") == 0 || strcmp(o->status, "lost") == 0)
			c->good[j] += o->n;
		else if (strcmp(o->status, "rejected") == 0)
			c->rejected[j] += o->n;
		if (strcmp(o->status, "won") == 0)
			c->regwon[j] += o->n;
	}
	for (i = 0; i < in->ncerts; i++) {
		long j = index_of(c, in->certs[i].partner_id);

		c->any_cert = 1;
		if (j >= 0)
			c->certs[j] += in->certs[i].n;
	}
	for (i = 0; i < in->nactivities; i++) {
		const struct score_activity *a = &in->activities[i];
		long j = index_of(c, a->partner_id);

		if (j < 0 || a->kind == NULL)
			continue;
		for (k = 0; k < c->nkinds; k++)
			if (strcmp(c->cfg->scoring.engagement[k].key, a->kind) == 0) {
				c->acts[(size_t)j * c->nkinds + k] += a->n;
				c->any_activity = 1;
			}
	}
}

/* A campaign's revenue (0 when none was won). */
static double
campaign_revenue(const struct score_input *in, const char *id)
{
	size_t i;

	for (i = 0; i < in->ncampaigns; i++)
		if (strcmp(in->campaigns[i].campaign_id, id) == 0)
			return in->campaigns[i].revenue;
	return 0;
}

/*
 * MDF by partner: amounts claimed (everything but drafts), approved,
 * rejected and paid; the campaigns its paid claims funded, each counted
 * once, give the revenue the ROI sets against what was paid.
 */
static void
gather_mdf(struct ctx *c, const struct score_input *in)
{
	const struct config *cfg = c->cfg;
	size_t i, k;

	for (i = 0; i < in->nclaims; i++) {
		const struct score_claim *cl = &in->claims[i];
		long j = index_of(c, cl->partner_id);
		struct score_mdf_figures *m;
		int approved, rejected, paid, seen = 0;

		if (j < 0)
			continue;
		m = &c->out->rows[j].mdf;
		approved = listed(cfg->mdf.approved_statuses,
		    cfg->mdf.napproved_statuses, cl->status);
		rejected = listed(cfg->mdf.rejected_statuses,
		    cfg->mdf.nrejected_statuses, cl->status);
		paid = listed(cfg->mdf.paid_statuses, cfg->mdf.npaid_statuses,
		    cl->status);
		if (cl->status && strcasecmp(cl->status, "Draft") == 0)
			continue;	/* not claimed yet */
		m->claims++;
		m->claimed += cl->amount;
		if (approved) {
			m->approved += cl->amount;
			m->approved_n++;
		}
		if (rejected)
			m->rejected += cl->amount;
		if (approved || rejected)
			m->decided++;
		if (!paid)
			continue;
		m->paid += cl->amount;
		if (cl->campaign_id == NULL)
			continue;
		/* a campaign funded twice counts once */
		for (k = 0; k < i && !seen; k++)
			seen = in->claims[k].campaign_id && strcmp(
			    in->claims[k].partner_id, cl->partner_id) == 0 &&
			    strcmp(in->claims[k].campaign_id, cl->campaign_id) == 0 &&
			    listed(cfg->mdf.paid_statuses, cfg->mdf.npaid_statuses,
			    in->claims[k].status);
		if (!seen)
			m->revenue += campaign_revenue(in, cl->campaign_id);
	}
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

/*
 * Partner i's rank in its peer group on KPI k (in its own units), as a
 * percentile: 0 the lowest, 100 the highest, ties at the middle of the
 * places they share (everyone equal: 50 each). Alone in its group: 100.
 * Nothing is capped, so the best of several is told from the rest.
 */
/* What KPI k is ranked by: its figure; engagement by the weighted
 * percentile of its counts by kind (its figure is the total). */
static double
rank_value(const struct score_row *r, int k)
{
	return k == K_ENGAGE ? r->eng : r->raw[k];
}

static double
rank_percentile(const struct ctx *c, size_t i, int k)
{
	double x = rank_value(&c->out->rows[i], k);
	size_t j, n = 0, below = 0, equal = 0;

	for (j = 0; j < c->plan->n; j++) {
		double y;

		if (!peers(c, i, j) || !c->out->rows[j].has[k])
			continue;
		n++;
		y = rank_value(&c->out->rows[j], k);
		if (y < x)
			below++;
		else if (y == x)
			equal++;
	}
	if (n <= 1)
		return 100;
	return 100.0 * ((double)below + (double)(equal - 1) / 2.0) /
	    (double)(n - 1);
}

/* The peers' average and top decile of KPI k, in its own units. */
static void
peer_stats(const struct ctx *c, size_t i, int k, double *avg, double *top)
{
	double *v = xcalloc(c->plan->n + 1, sizeof(double)), sum = 0;
	size_t j, n = 0;

	for (j = 0; j < c->plan->n; j++)
		if (peers(c, i, j) && c->out->rows[j].has[k]) {
			v[n++] = c->out->rows[j].raw[k];
			sum += c->out->rows[j].raw[k];
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

/* What requirement name measures on row (0: it has no data). */
static int
required_value(const struct score_row *r, const char *name, double *v)
{
	static const struct {
		const char *name;
		int kpi;
	} map[] = { { "attainment", K_ATTAIN }, { "coverage", K_COVERAGE },
		{ "win_rate", K_WINRATE }, { "registration_quality", K_QUALITY },
		{ "registration_conversion", K_CONVERT },
		{ "certifications", K_CERTS }, { "engagement", K_ENGAGE },
		{ "mdf_roi", K_MDF_ROI } };
	size_t i;

	if (strcmp(name, "closed_won") == 0) {
		*v = r->plan->closed_won;
		return 1;
	}
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].name, name) == 0) {
			if (map[i].kpi == K_CERTS && !r->has[K_CERTS]) {
				*v = 0;		/* nobody certified: none */
				return 1;
			}
			*v = r->raw[map[i].kpi];
			return r->has[map[i].kpi];
		}
	return 0;
}

/* A requirement's figure as people read it. */
static void
figure(struct buf *b, const char *name, double v)
{
	if (strcmp(name, "certifications") == 0 || strcmp(name, "engagement") == 0)
		buf_addf(b, "%.0f", v);
	else if (strcmp(name, "closed_won") == 0)
		buf_addf(b, "%.0f", v);
	else if (strcmp(name, "mdf_roi") == 0 || strcmp(name, "coverage") == 0)
		buf_addf(b, "%.2fx", v);
	else
		buf_addf(b, "%.0f%%", v * 100.0);
}

/*
 * Whether row meets tier t; lacks (when not NULL) gets each unmet
 * condition with what the row has.
 */
static int
meets(const struct config_tier *t, const struct score_row *r, struct buf *lacks)
{
	int ok = 1;
	size_t i;

	if (t->min_score > 0 && (!r->has_score || r->score + 1e-9 <
	    t->min_score)) {
		ok = 0;
		if (lacks)
			buf_addf(lacks, "%sscore %.0f (has %.1f)", lacks->len ? "; " :
			    "", t->min_score, r->has_score ? r->score : 0);
	}
	for (i = 0; i < t->nrequires; i++) {
		const struct config_num *q = &t->requires[i];
		double v = 0;
		int has = required_value(r, q->key, &v);

		if (has && v + 1e-9 >= q->value)
			continue;
		ok = 0;
		if (lacks == NULL)
			continue;
		buf_addf(lacks, "%s%s ", lacks->len ? "; " : "", q->key);
		figure(lacks, q->key, q->value);
		buf_addstr(lacks, has ? " (has " : " (no data");
		if (has) {
			figure(lacks, q->key, v);
		}
		buf_addstr(lacks, ")");
	}
	return ok;
}

int
score_tier_of(const struct config *cfg, const struct score_row *row,
    char **why)
{
	size_t i;

	if (why)
		*why = NULL;
	for (i = 0; i < cfg->scoring.ntiers; i++)
		if (meets(&cfg->scoring.tiers[i], row, NULL))
			break;
	if (i == cfg->scoring.ntiers)
		return -1;
	if (why && i > 0) {
		struct buf b;

		buf_init(&b, 0);
		meets(&cfg->scoring.tiers[i - 1], row, &b);
		*why = buf_steal(&b);
		buf_free(&b);
	}
	return (int)i;
}

/* A tier's rule in words: "platinum: score >= 80, attainment >= 100%". */
static char *
tier_rule(const struct config_tier *t)
{
	struct buf b;
	size_t i;
	char *s;

	buf_init(&b, 0);
	buf_addf(&b, "%s: score >= %.0f", t->name, t->min_score);
	for (i = 0; i < t->nrequires; i++) {
		buf_addf(&b, ", %s >= ", t->requires[i].key);
		figure(&b, t->requires[i].key, t->requires[i].value);
	}
	s = buf_steal(&b);
	buf_free(&b);
	return s;
}

/* The tier of row, the rule that placed it, what the one above needs. */
static void
place(const struct config *cfg, struct score_row *r)
{
	int t = score_tier_of(cfg, r, &r->next_needs);

	if (t < 0)
		return;
	r->tier = cfg->scoring.tiers[t].name;
	r->tier_rule = tier_rule(&cfg->scoring.tiers[t]);
	if (t > 0)
		r->next_tier = cfg->scoring.tiers[t - 1].name;
}

static double
round2(double v)
{
	return round(v * 100.0) / 100.0;
}

double
score_shown(double v)
{
	return round(v * 10.0) / 10.0;
}

char *
score_card_json(const struct score_result *r, size_t i)
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
	{
		struct jval *m = jv_object();

		jv_set(m, "claimed", jv_real(round2(row->mdf.claimed)));
		jv_set(m, "approved", jv_real(round2(row->mdf.approved)));
		jv_set(m, "rejected", jv_real(round2(row->mdf.rejected)));
		jv_set(m, "paid", jv_real(round2(row->mdf.paid)));
		jv_set_int(m, "claims", (int64_t)row->mdf.claims);
		jv_set(m, "attributed_revenue", jv_real(round2(row->mdf.revenue)));
		jv_set(o, "mdf", m);
	}
	if (r->kinds) {
		struct jval *e = jv_object();

		for (j = 0; j < (int)r->nkinds && j < 16; j++)
			jv_set_int(e, r->kinds[j], (int64_t)row->kinds_n[j]);
		jv_set(o, "engagement_by_kind", e);
	}
	jv_set_str(o, "tier_rule", row->tier_rule);
	jv_set_str(o, "next_tier", row->next_tier);
	jv_set_str(o, "next_tier_needs", row->next_needs);
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

void
score_windows_of(int64_t now, const char *period_from, int64_t valid,
    struct score_windows *w)
{
	norm_time_format(now - 365 * 86400, w->year_from_time);
	memcpy(w->year_from, w->year_from_time, 10);	/* close dates are dates */
	w->year_from[10] = '\0';
	norm_time_format(now, w->now_time);
	memcpy(w->today, w->now_time, 10);
	w->today[10] = '\0';
	norm_time_format(now - valid, w->certs_from_time);
	/* the period's first day, at midnight UTC */
	snprintf(w->period_from_time, sizeof(w->period_from_time),
	    "%.10sT00:00:00Z", period_from ? period_from : w->today);
}

/* The KPIs a partner has data for, in their own units (ranked later). */
static void
own_kpis(const struct ctx *c, size_t i, struct score_row *r)
{
	const struct plan_row *p = r->plan;

	if (p->has_attainment) {
		r->has[K_ATTAIN] = 1;
		r->raw[K_ATTAIN] = p->attainment;
	}
	if (p->has_risk_coverage) {
		r->has[K_COVERAGE] = 1;
		r->raw[K_COVERAGE] = p->risk_coverage;
	}
	if (c->won[i] + c->lost[i] > 0) {
		r->has[K_WINRATE] = 1;
		r->raw[K_WINRATE] = c->won[i] / (c->won[i] + c->lost[i]);
	}
	if (c->good[i] + c->rejected[i] > 0) {
		r->has[K_QUALITY] = 1;
		r->raw[K_QUALITY] = c->good[i] / (c->good[i] + c->rejected[i]);
	}
	if (c->good[i] > 0) {
		r->has[K_CONVERT] = 1;
		r->raw[K_CONVERT] = c->regwon[i] / c->good[i];
	}
	if (c->any_cert) {	/* none is a count of 0, once anyone has one */
		r->has[K_CERTS] = 1;
		r->raw[K_CERTS] = c->certs[i];
	}
	if (r->mdf.decided > 0) {
		r->has[K_MDF_APPROVAL] = 1;
		r->raw[K_MDF_APPROVAL] = r->mdf.approved_n / r->mdf.decided;
	}
	if (r->mdf.paid > 0) {	/* nothing paid: no return to measure */
		r->has[K_MDF_ROI] = 1;
		r->raw[K_MDF_ROI] = r->mdf.revenue / r->mdf.paid;
	}
}

/* Engagement: per kind, the percentile of the count among peers. */
static void
engagement(const struct ctx *c, size_t i, struct score_row *r)
{
	double wsum = 0, acc = 0, total = 0;
	size_t k;

	for (k = 0; k < c->nkinds; k++) {
		double w = c->cfg->scoring.engagement[k].value;

		acc += w * percentile(c, i, c->acts + k, NULL, c->nkinds,
		    c->acts[i * c->nkinds + k]);
		wsum += w;
		total += c->acts[i * c->nkinds + k];
		if (k < sizeof(r->kinds_n) / sizeof(r->kinds_n[0]))
			r->kinds_n[k] = c->acts[i * c->nkinds + k];
	}
	if (wsum > 0) {
		r->has[K_ENGAGE] = 1;
		r->raw[K_ENGAGE] = total;
		/* the weighted percentile of the counts by kind: what is ranked */
		r->eng = acc / wsum;
	}
}

/* Peers, the weighted score and the tier of row i. */
static void
weigh(const struct ctx *c, size_t i, struct score_row *r)
{
	const struct config *cfg = c->cfg;
	double wsum = 0, acc = 0;
	struct buf flags;
	int j;

	buf_init(&flags, 0);
	for (j = 0; j < SCORE_KPIS; j++) {
		double w = weight(cfg, score_kpi_names[j]);

		if (!r->has[j]) {
			if (w > 0)	/* its weight shifts: say so */
				buf_addf(&flags, "%sno %s data", flags.len ? "; " :
				    "", score_kpi_names[j]);
			continue;
		}
		peer_stats(c, i, j, &r->peer_avg[j], &r->peer_top[j]);
		r->pct[j] = r->kpi[j];
		acc += w * r->kpi[j];
		wsum += w;
	}
	if (!r->plan->has_plan)
		buf_addf(&flags, "%sno plan for %s", flags.len ? "; " : "",
		    c->plan->period.name);
	if (wsum > 0) {
		r->has_score = 1;
		r->score = acc / wsum;
		place(cfg, r);
	}
	r->flags = flags.len ? buf_steal(&flags) : NULL;
	buf_free(&flags);
}

void
score_compute(const struct config *cfg, const struct plan_result *plan,
    const struct score_input *in, struct score_result *out)
{
	struct ctx c;
	size_t i, k, n = plan->n;

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
	c.regwon = xcalloc(n + 1, sizeof(double));
	c.certs = xcalloc(n + 1, sizeof(double));
	c.nkinds = cfg->scoring.nengagement;
	c.acts = xcalloc(n * (c.nkinds ? c.nkinds : 1) + 1, sizeof(double));
	out->nkinds = c.nkinds;
	out->kinds = xcalloc(c.nkinds + 1, sizeof(char *));
	for (k = 0; k < c.nkinds; k++)
		out->kinds[k] = cfg->scoring.engagement[k].key;
	gather(&c, in);
	gather_mdf(&c, in);
	for (i = 0; i < n; i++) {
		out->rows[i].plan = &plan->rows[i];
		own_kpis(&c, i, &out->rows[i]);
	}
	for (i = 0; i < n && c.any_activity && c.nkinds; i++)
		engagement(&c, i, &out->rows[i]);
	/* each KPI a percentile rank among the peers */
	for (i = 0; i < n; i++)
		for (k = 0; k < SCORE_KPIS; k++)
			if (out->rows[i].has[k])
				out->rows[i].kpi[k] = rank_percentile(&c, i, (int)k);
	for (i = 0; i < n; i++) {
		struct score_row *r = &out->rows[i];

		weigh(&c, i, r);
		for (k = 0; k < in->nprevious; k++)
			if (in->previous[k].has_score && strcmp(in->previous[k].partner_id,
			    r->plan->partner_id) == 0) {
				r->has_previous = 1;
				r->previous = in->previous[k].score;
				free(r->previous_tier);	/* the input's arena goes */
				r->previous_tier = in->previous[k].tier ?
				    xstrdup(in->previous[k].tier) : NULL;
			}
	}
	free(c.regwon);
	free(c.certs);
	free(c.won);
	free(c.lost);
	free(c.good);
	free(c.rejected);
	free(c.acts);
}

void
score_input_free(struct score_input *in)
{
	free(in->wins);
	free(in->outcomes);
	free(in->activities);
	free(in->certs);
	free(in->claims);
	free(in->campaigns);
	free(in->previous);
	arena_free(&in->arena);
	memset(in, 0, sizeof(*in));
}

void
score_result_free(struct score_result *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->rows[i].flags);
		free(r->rows[i].tier_rule);
		free(r->rows[i].previous_tier);
		free(r->rows[i].next_needs);
	}
	free(r->rows);
	free(r->kinds);
	memset(r, 0, sizeof(*r));
}
