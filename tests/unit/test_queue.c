/* test_queue.c - the approval queue on structs: business age buckets
 * over weekends and holidays, stale claims, the order, and the approval
 * turnaround per source (median, p90) over the trailing window. */
#include "rules/queue.h"
#include "t.h"
#include "t_cfg.h"

#include <math.h>

/*
 * Now: Monday 2026-12-07 12:00 in Berlin (11:00Z). Business days are
 * Monday to Friday; Friday 2026-12-04 is a holiday.
 */
static const struct {
	struct queue_claim c;
	int bucket;
	double age;			/* business days, -1: do not check */
} claims[] = {
	/* this morning, 09:00 Berlin: 3 hours */
	{ { "p:1", "p", "P1", "Alpha", "Acme", "SIEM", "005A", "Ana",
	    "2026-12-07T08:00:00Z", 1, 1000 }, QB_0_2, 0.125 },
	/* Thursday 12:00: Thursday's half, the holiday Friday and the weekend
	 * count nothing, Monday's half: one business day */
	{ { "p:2", "p", "P1", "Alpha", "Initech", NULL, "005A", "Ana",
	    "2026-12-03T11:00:00Z", 1, 2000 }, QB_0_2, 1.0 },
	/* Wednesday 12:00: 2 business days exactly, the next bucket */
	{ { "p:3", "p", "P2", "Beta", "Hooli", NULL, "005B", "Ben",
	    "2026-12-02T11:00:00Z", 1, 3000 }, QB_2_4, 2.0 },
	/* a week ago Monday 12:00: its half, Tue-Thu, the half of today: 4
	 * (Friday the holiday), the 4-10 bucket */
	{ { "q:4", "q", "P2", "Beta", "Umbrella", NULL, "005B", "Ben",
	    "2026-11-30T11:00:00Z", 0, 0 }, QB_4_10, 4.0 },
	/* three weeks ago: 15 business days less the holiday */
	{ { "q:5", "q", NULL, NULL, "Stark", NULL, NULL, NULL,
	    "2026-11-16T11:00:00Z", 1, 500 }, QB_OVER_10, 14.0 },
	/* 61 calendar days: stale, whatever its business age */
	{ { "q:6", "q", "P1", "Alpha", "Wayne", NULL, "005A", "Ana",
	    "2026-10-07T11:00:00Z", 1, 7000 }, QB_STALE, -1 },
	/* no registration time: left out */
	{ { "q:7", "q", "P1", "Alpha", "Nobody", NULL, "005A", "Ana",
	    NULL, 1, 9 }, -1, -1 },
};
#define NCLAIMS (sizeof(claims) / sizeof(claims[0]))

static void
test_buckets(void)
{
	struct config *cfg = t_config("daemon: { timezone: Europe/Berlin, "
	    "holidays: [2026-12-04] }\nregistrations: { pending_max_age: 60d }\n");
	struct queue_claim in[NCLAIMS];
	struct queue_result q;
	size_t i, j;

	for (i = 0; i < NCLAIMS; i++)
		in[i] = claims[i].c;
	queue_compute(cfg, t_time("2026-12-07T11:00:00Z"), in, NCLAIMS, NULL, 0,
	    &q);
	CHECK_INT(q.n, NCLAIMS - 1);
	for (i = 0; i < NCLAIMS; i++) {
		const struct queue_row *r = NULL;

		for (j = 0; j < q.n; j++)
			if (strcmp(q.rows[j].claim->key, claims[i].c.key) == 0)
				r = &q.rows[j];
		if (claims[i].bucket < 0) {
			CHECK(r == NULL);
			continue;
		}
		CHECK(r != NULL);
		if (r == NULL)
			continue;
		CHECK_STR(queue_bucket_name(r->bucket),
		    queue_bucket_name(claims[i].bucket));
		if (claims[i].age >= 0 && fabs(r->age - claims[i].age) > 1e-9) {
			fprintf(stderr, "%s: age %.4f, want %.4f\n", claims[i].c.key,
			    r->age, claims[i].age);
			CHECK(0);
		}
	}
	/* oldest first */
	CHECK_STR(q.rows[0].claim->key, "q:6");
	CHECK_STR(q.rows[q.n - 1].claim->key, "p:1");
	CHECK_INT(q.count[QB_0_2], 2);
	CHECK(q.value[QB_0_2] == 3000);
	CHECK_INT(q.count[QB_4_10], 1);
	CHECK(q.value[QB_4_10] == 0);		/* no amount: nothing added */
	CHECK_INT(q.count[QB_STALE], 1);
	queue_result_free(&q);
	config_free(cfg);
}

static void
test_turnaround(void)
{
	struct config *cfg = t_config("daemon: { timezone: UTC }\n");
	/* five decisions at 1, 2, 3, 4 and 10 business days; one outside the
	 * 90 days; one decided before it was registered counts as 0 */
	static const struct queue_decided d[] = {
		{ "hub", "2026-11-02T09:00:00Z", "2026-11-03T09:00:00Z" },
		{ "hub", "2026-11-02T09:00:00Z", "2026-11-04T09:00:00Z" },
		{ "hub", "2026-11-02T09:00:00Z", "2026-11-05T09:00:00Z" },
		{ "hub", "2026-11-02T09:00:00Z", "2026-11-06T09:00:00Z" },
		{ "hub", "2026-11-02T09:00:00Z", "2026-11-16T09:00:00Z" },
		{ "hub", "2026-01-05T09:00:00Z", "2026-01-20T09:00:00Z" },
		{ "crm", "2026-11-10T09:00:00Z", "2026-11-09T09:00:00Z" },
		{ "crm", "2026-11-10T09:00:00Z", NULL },
	};
	struct queue_result q;

	queue_compute(cfg, t_time("2026-12-01T00:00:00Z"), NULL, 0, d,
	    sizeof(d) / sizeof(d[0]), &q);
	CHECK_INT(q.nta, 2);
	if (q.nta == 2) {
		CHECK_STR(q.ta[0].source, "crm");
		CHECK_INT(q.ta[0].decided, 1);
		CHECK(q.ta[0].median == 0);
		CHECK_STR(q.ta[1].source, "hub");
		CHECK_INT(q.ta[1].decided, 5);
		CHECK(fabs(q.ta[1].median - 3) < 1e-9);
		CHECK(fabs(q.ta[1].p90 - 10) < 1e-9);	/* nearest rank: 5th of 5 */
	}
	queue_result_free(&q);
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
	T_RUN(test_buckets);
	T_RUN(test_turnaround);
	normalize_shutdown();
	return t_done("queue");
}
