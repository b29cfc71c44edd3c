/*
 * plan.c - pipeline to plan (see plan.h).
 */
#include "rules/plan.h"
#include "lib/clock.h"
#include "lib/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

int
plan_period_of(int64_t t, const char *tz, int kind, int back,
    struct plan_period *out)
{
	struct tm tm;
	int y, m, q;

	if (clock_local(t, tz, &tm) < 0)
		return -1;
	y = tm.tm_year + 1900;
	m = tm.tm_mon + 1;
	switch (kind) {
	case PERIOD_MONTH:
		m -= back;
		while (m < 1) {
			m += 12;
			y--;
		}
		snprintf(out->name, sizeof(out->name), "%04d-%02d", y, m);
		snprintf(out->from, sizeof(out->from), "%04d-%02d-01", y, m);
		snprintf(out->to, sizeof(out->to), "%04d-%02d-%02d", y, m,
		    clock_days_in_month(y, m));
		break;
	case PERIOD_YEAR:
		y -= back;
		snprintf(out->name, sizeof(out->name), "%04d", y);
		snprintf(out->from, sizeof(out->from), "%04d-01-01", y);
		snprintf(out->to, sizeof(out->to), "%04d-12-31", y);
		break;
	default:
		q = (m - 1) / 3 + 1 - back;
		while (q < 1) {
			q += 4;
			y--;
		}
		snprintf(out->name, sizeof(out->name), "%04d-Q%d", y, q);
		snprintf(out->from, sizeof(out->from), "%04d-%02d-01", y, 3 * q - 2);
		snprintf(out->to, sizeof(out->to), "%04d-%02d-%02d", y, 3 * q,
		    clock_days_in_month(y, 3 * q));
	}
	return 0;
}


struct ctx {
	const struct config *cfg;
	struct config_num *stages;	/* the CRM's, name -> probability */
	size_t nstages, capstages;
};

static int
stage_row(void *arg, const struct store_row *r)
{
	struct ctx *c = arg;
	const char *name = store_col(r, "name");
	const char *p = store_col(r, "probability");

	if (name == NULL || p == NULL)
		return 0;
	xgrow(&c->stages, &c->capstages, c->nstages + 1, sizeof(*c->stages));
	c->stages[c->nstages].key = xstrdup(name);
	c->stages[c->nstages].value = strtod(p, NULL);
	c->nstages++;
	return 0;
}

/* A stage's probability (percent): configured, else the CRM's; -1: none. */
static double
stage_probability(const struct ctx *c, const char *stage)
{
	size_t i;

	if (stage == NULL)
		return -1;
	for (i = 0; i < c->cfg->normalize.nstages; i++)
		if (strcasecmp(c->cfg->normalize.stages[i].key, stage) == 0)
			return c->cfg->normalize.stages[i].value;
	for (i = 0; i < c->nstages; i++)
		if (strcasecmp(c->stages[i].key, stage) == 0)
			return c->stages[i].value;
	return -1;
}

static int
by_id(const void *a, const void *b)
{
	return strcmp(((const struct plan_row *)a)->partner_id,
	    ((const struct plan_row *)b)->partner_id);
}

const struct plan_row *
plan_find(const struct plan_result *r, const char *id)
{
	struct plan_row key;

	if (id == NULL || r->n == 0)
		return NULL;
	key.partner_id = (char *)id;
	return bsearch(&key, r->rows, r->n, sizeof(key), by_id);
}

struct rows {
	struct plan_row *v;
	size_t n, cap;
};

static int
partner_collect(void *arg, const struct store_row *r)
{
	struct rows *rs = arg;
	struct plan_row *p;
	const char *id = store_col(r, "id"), *v;

	if (id == NULL)
		return 0;
	xgrow(&rs->v, &rs->cap, rs->n + 1, sizeof(*rs->v));
	p = &rs->v[rs->n++];
	memset(p, 0, sizeof(*p));
	p->partner_id = xstrdup(id);
	p->name = (v = store_col(r, "name")) ? xstrdup(v) : NULL;
	p->tier = (v = store_col(r, "tier")) ? xstrdup(v) : NULL;
	return 0;
}

struct opp_ctx {
	struct ctx *c;
	struct plan_result *out;
};

static int
opp_row(void *arg, const struct store_row *r)
{
	struct opp_ctx *o = arg;
	struct plan_row *p = (struct plan_row *)plan_find(o->out,
	    store_col(r, "partner_id"));
	const char *amount = store_col(r, "amount_base");
	const char *prob = store_col(r, "probability");
	const char *closed = store_col(r, "is_closed");
	const char *won = store_col(r, "is_won");
	double a, pr;

	if (p == NULL || amount == NULL)
		return 0;	/* a partner not in the cache, or no amount */
	a = strtod(amount, NULL);
	p->opportunities++;
	if (closed && strcmp(closed, "0") != 0) {
		if (won && strcmp(won, "0") != 0)
			p->closed_won += a;
		return 0;
	}
	p->pipeline += a;
	pr = prob ? strtod(prob, NULL) :
	    stage_probability(o->c, store_col(r, "stage"));
	if (pr > 0)
		p->risk_adjusted += a * pr / 100.0;
	return 0;
}

static int
target_row(void *arg, const struct store_row *r)
{
	struct opp_ctx *o = arg;
	struct plan_row *p = (struct plan_row *)plan_find(o->out,
	    store_col(r, "partner_id"));
	const char *t = store_col(r, "target_base");

	if (p == NULL || t == NULL)
		return 0;
	p->plan += strtod(t, NULL);
	p->has_plan = 1;
	return 0;
}

int
plan_compute(const struct config *cfg, struct store *st,
    const struct plan_period *per, struct plan_result *out, char *err,
    size_t errlen)
{
	struct ctx c;
	struct rows rs = { NULL, 0, 0 };
	struct opp_ctx o;
	size_t i;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	out->period = *per;
	c.cfg = cfg;
	if (store_list_partners(st, partner_collect, &rs) < 0 ||
	    store_stage_probabilities(st, stage_row, &c) < 0) {
		snprintf(err, errlen, "reading partners: %s", store_errmsg(st));
		rc = -1;
		goto out;
	}
	if (rs.n > 1)
		qsort(rs.v, rs.n, sizeof(*rs.v), by_id);
	out->rows = rs.v;
	out->n = rs.n;
	o.c = &c;
	o.out = out;
	/* no partner, nothing to add up: no scan of every opportunity */
	if (out->n && (store_plan_opportunities(st, per->from, per->to, opp_row,
	    &o) < 0 || store_plan_targets(st, per->name, target_row, &o) < 0)) {
		snprintf(err, errlen, "reading pipeline: %s", store_errmsg(st));
		rc = -1;
		goto out;
	}
	for (i = 0; i < out->n; i++) {
		struct plan_row *p = &out->rows[i];

		if (!p->has_plan)
			continue;
		p->basis = cfg->rules.pipeline.basis == BASIS_REMAINING ?
		    p->plan - p->closed_won : p->plan;
		if (p->basis < 0)
			p->basis = 0;
		p->total_target = cfg->rules.pipeline.total_index * p->basis;
		p->risk_target = cfg->rules.pipeline.risk_adjusted_index * p->basis;
		if (p->total_target > 0) {
			p->coverage = p->pipeline / p->total_target;
			p->has_coverage = 1;
		}
		if (p->risk_target > 0) {
			p->risk_coverage = p->risk_adjusted / p->risk_target;
			p->has_risk_coverage = 1;
		}
		if (p->plan > 0) {
			p->attainment = p->closed_won / p->plan;
			p->has_attainment = 1;
		}
	}
out:
	for (i = 0; i < c.nstages; i++)
		free(c.stages[i].key);
	free(c.stages);
	return rc;
}

void
plan_result_free(struct plan_result *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->rows[i].partner_id);
		free(r->rows[i].name);
		free(r->rows[i].tier);
	}
	free(r->rows);
	memset(r, 0, sizeof(*r));
}
