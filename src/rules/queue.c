/*
 * queue.c - the approval queue (see queue.h).
 */
#include "rules/queue.h"
#include "rules/alerts.h"
#include "lib/mem.h"
#include "model/normalize.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
queue_bucket_name(int b)
{
	static const char *const names[QB_COUNT] = { "0-2", "2-4", "4-10",
		">10", "stale" };

	return b >= 0 && b < QB_COUNT ? names[b] : "?";
}

static int
bucket_of(double days)
{
	if (days < 2)
		return QB_0_2;
	if (days < 4)
		return QB_2_4;
	if (days < 10)
		return QB_4_10;
	return QB_OVER_10;
}

/* Oldest first; the key breaks ties, so the order never depends on the
 * order read. */
static int
by_age(const void *a, const void *b)
{
	const struct queue_row *x = a, *y = b;

	if (x->age != y->age)
		return x->age < y->age ? 1 : -1;
	return strcmp(x->claim->key, y->claim->key);
}

static int
by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The nearest-rank percentile q (0..1) of n sorted values. */
static double
percentile(const double *v, size_t n, double q)
{
	size_t rank = (size_t)ceil(q * (double)n);

	if (rank < 1)
		rank = 1;
	return v[rank - 1];
}

/* Median and p90 of one source's decisions since the window began. */
static void
turnaround_of(const struct config *cfg, const char *source, int64_t since,
    const struct queue_decided *d, size_t nd, struct queue_turnaround *t)
{
	double *v = xcalloc(nd + 1, sizeof(*v));
	size_t i, n = 0;

	memset(t, 0, sizeof(*t));
	snprintf(t->source, sizeof(t->source), "%s", source);
	for (i = 0; i < nd; i++) {
		int64_t r, x, b;

		if (strcmp(d[i].source, source) != 0 || d[i].registered_at == NULL ||
		    d[i].decided_at == NULL ||
		    norm_time(d[i].registered_at, TIME_ISO8601, &r) < 0 ||
		    norm_time(d[i].decided_at, TIME_ISO8601, &x) < 0 || x < since)
			continue;
		b = alerts_business_seconds(cfg, r, x);
		v[n++] = b > 0 ? (double)b / 86400.0 : 0;
	}
	t->decided = (int)n;
	if (n) {
		qsort(v, n, sizeof(*v), by_double);
		t->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
		t->p90 = percentile(v, n, 0.9);
	}
	free(v);
}

void
queue_compute(const struct config *cfg, int64_t now,
    const struct queue_claim *claims, size_t nclaims,
    const struct queue_decided *decided, size_t ndecided,
    struct queue_result *out)
{
	int64_t since = now - (int64_t)QUEUE_TURNAROUND_DAYS * 86400;
	size_t i, j, cap = 0;

	memset(out, 0, sizeof(*out));
	out->rows = xcalloc(nclaims + 1, sizeof(*out->rows));
	for (i = 0; i < nclaims; i++) {
		struct queue_row *r;
		int64_t t, b;

		if (claims[i].registered_at == NULL || claims[i].key == NULL ||
		    norm_time(claims[i].registered_at, TIME_ISO8601, &t) < 0)
			continue;
		r = &out->rows[out->n++];
		r->claim = &claims[i];
		b = alerts_business_seconds(cfg, t, now);
		r->age = b > 0 ? (double)b / 86400.0 : 0;
		r->bucket = now - t >= cfg->registrations.pending_max_age ?
		    QB_STALE : bucket_of(r->age);
		out->count[r->bucket]++;
		if (claims[i].has_amount)
			out->value[r->bucket] += claims[i].amount;
	}
	if (out->n > 1)
		qsort(out->rows, out->n, sizeof(*out->rows), by_age);
	/* the sources that decided anything, in name order */
	for (i = 0; i < ndecided; i++) {
		if (decided[i].source == NULL)
			continue;
		for (j = 0; j < out->nta; j++)
			if (strcmp(out->ta[j].source, decided[i].source) == 0)
				break;
		if (j < out->nta)
			continue;
		xgrow(&out->ta, &cap, out->nta + 1, sizeof(*out->ta));
		turnaround_of(cfg, decided[i].source, since, decided, ndecided,
		    &out->ta[out->nta]);
		if (out->ta[out->nta].decided > 0)
			out->nta++;
	}
	for (i = 1; i < out->nta; i++)
		for (j = i; j > 0 && strcmp(out->ta[j - 1].source,
		    out->ta[j].source) > 0; j--) {
			struct queue_turnaround x = out->ta[j];

			out->ta[j] = out->ta[j - 1];
			out->ta[j - 1] = x;
		}
}

void
queue_result_free(struct queue_result *r)
{
	free(r->rows);
	free(r->ta);
	memset(r, 0, sizeof(*r));
}
