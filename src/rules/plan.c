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
	/* back < 0 moves later */
	switch (kind) {
	case PERIOD_MONTH:
		m -= back;
		while (m < 1) {
			m += 12;
			y--;
		}
		while (m > 12) {
			m -= 12;
			y++;
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
		while (q > 4) {
			q -= 4;
			y++;
		}
		snprintf(out->name, sizeof(out->name), "%04d-Q%d", y, q);
		snprintf(out->from, sizeof(out->from), "%04d-%02d-01", y, 3 * q - 2);
		snprintf(out->to, sizeof(out->to), "%04d-%02d-%02d", y, 3 * q,
		    clock_days_in_month(y, 3 * q));
	}
	return 0;
}


int
plan_period_named(const char *name, struct plan_period *out)
{
	int y, q, m, n = 0;

	memset(out, 0, sizeof(*out));
	if (sscanf(name, "%4d-Q%1d%n", &y, &q, &n) == 2 && name[n] == '\0' &&
	    q >= 1 && q <= 4) {
		snprintf(out->name, sizeof(out->name), "%04d-Q%d", y, q);
		snprintf(out->from, sizeof(out->from), "%04d-%02d-01", y, 3 * q - 2);
		snprintf(out->to, sizeof(out->to), "%04d-%02d-%02d", y, 3 * q,
		    clock_days_in_month(y, 3 * q));
		return 0;
	}
	if (sscanf(name, "%4d-%2d%n", &y, &m, &n) == 2 && name[n] == '\0' &&
	    m >= 1 && m <= 12 && n == 7) {
		snprintf(out->name, sizeof(out->name), "%04d-%02d", y, m);
		snprintf(out->from, sizeof(out->from), "%04d-%02d-01", y, m);
		snprintf(out->to, sizeof(out->to), "%04d-%02d-%02d", y, m,
		    clock_days_in_month(y, m));
		return 0;
	}
	if (sscanf(name, "%4d%n", &y, &n) == 1 && name[n] == '\0' && n == 4) {
		snprintf(out->name, sizeof(out->name), "%04d", y);
		snprintf(out->from, sizeof(out->from), "%04d-01-01", y);
		snprintf(out->to, sizeof(out->to), "%04d-12-31", y);
		return 0;
	}
	return -1;
}

/* A stage's probability (percent): configured, else the CRM's; -1: none. */
static double
stage_probability(const struct config *cfg, const struct plan_input *in,
    const char *stage)
{
	size_t i;

	if (stage == NULL)
		return -1;
	for (i = 0; i < cfg->normalize.nstages; i++)
		if (strcasecmp(cfg->normalize.stages[i].key, stage) == 0)
			return cfg->normalize.stages[i].value;
	for (i = 0; i < in->nstages; i++)
		if (strcasecmp(in->stages[i].name, stage) == 0)
			return in->stages[i].probability;
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

static void
add_opportunity(const struct config *cfg, const struct plan_input *in,
    struct plan_result *out, const struct plan_opportunity *o)
{
	struct plan_row *p = (struct plan_row *)plan_find(out, o->partner_id);
	double pr;
	int in_period;

	if (p == NULL || !o->has_amount)
		return;		/* a partner not in the cache, or no amount */
	in_period = o->close_date == NULL ||
	    (strcmp(o->close_date, out->period.from) >= 0 &&
	    strcmp(o->close_date, out->period.to) <= 0);
	p->opportunities += in_period;
	if (!o->is_closed && in->today && o->close_date &&
	    strcmp(o->close_date, in->today) < 0) {
		/* past due: apart, never pipeline (in this period or before) */
		p->past_due += o->amount;
		if (p->past_due_n++ == 0 ||
		    strcmp(o->close_date, p->past_due_oldest) < 0)
			snprintf(p->past_due_oldest, sizeof(p->past_due_oldest),
			    "%.10s", o->close_date);
		return;
	}
	if (!in_period)
		return;		/* not this period's */
	if (o->is_closed) {
		if (o->is_won)
			p->closed_won += o->amount;
		return;
	}
	p->pipeline += o->amount;
	pr = o->has_probability ? o->probability :
	    stage_probability(cfg, in, o->stage);
	if (pr > 0)
		p->risk_adjusted += o->amount * pr / 100.0;
}

/* Targets and ratios of a partner whose figures are added up. */
static void
ratios(const struct config *cfg, struct plan_row *p, int later)
{
	if (!p->has_plan)
		return;
	/* what is still to close: this period's remainder, a later one's plan */
	p->basis = cfg->rules.pipeline.basis == BASIS_REMAINING && !later ?
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

void
plan_compute(const struct config *cfg, const struct plan_input *in,
    const struct plan_period *per, struct plan_result *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	out->period = *per;
	out->later = in->later;
	out->rows = xcalloc(in->npartners + 1, sizeof(*out->rows));
	for (i = 0; i < in->npartners; i++) {
		struct plan_row *p = &out->rows[out->n++];
		const struct plan_partner *pp = &in->partners[i];

		p->partner_id = xstrdup(pp->id);
		p->name = pp->name ? xstrdup(pp->name) : NULL;
		p->tier = pp->tier ? xstrdup(pp->tier) : NULL;
		p->owner_id = pp->owner_id ? xstrdup(pp->owner_id) : NULL;
	}
	if (out->n > 1)
		qsort(out->rows, out->n, sizeof(*out->rows), by_id);
	for (i = 0; i < in->nopportunities; i++)
		add_opportunity(cfg, in, out, &in->opportunities[i]);
	for (i = 0; i < in->ntargets; i++) {
		struct plan_row *p = (struct plan_row *)plan_find(out,
		    in->targets[i].partner_id);

		if (p) {
			p->plan += in->targets[i].target;
			p->has_plan = 1;
		}
	}
	for (i = 0; i < out->n; i++)
		ratios(cfg, &out->rows[i], in->later);
}

void
plan_input_free(struct plan_input *in)
{
	free(in->partners);
	free(in->opportunities);
	free(in->targets);
	free(in->stages);
	arena_free(&in->arena);
	memset(in, 0, sizeof(*in));
}

void
plan_result_free(struct plan_result *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->rows[i].partner_id);
		free(r->rows[i].name);
		free(r->rows[i].tier);
		free(r->rows[i].owner_id);
	}
	free(r->rows);
	memset(r, 0, sizeof(*r));
}
