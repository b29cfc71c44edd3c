/*
 * ctl_queue.c - chansyncctl queue [--owner O] [--source S]: the pending
 * registrations by business age, with approver and value, and the
 * approval turnaround per source (contract §15).
 */
#include "ctl_internal.h"
#include "lib/clock.h"
#include "lib/humanfmt.h"
#include "lib/json.h"
#include "lib/mem.h"
#include "lib/text_table.h"
#include "rules/queue.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

static struct jval *
json_of(const struct config *cfg, const struct queue_result *q)
{
	struct jval *o = jv_object(), *b = jv_array(), *p = jv_array();
	struct jval *t = jv_array();
	size_t i;

	for (i = 0; i < QB_COUNT; i++) {
		struct jval *x = jv_object();

		jv_set_str(x, "age", queue_bucket_name((int)i));
		jv_set_int(x, "claims", q->count[i]);
		jv_set(x, "value", jv_real(q->value[i]));
		jv_append(b, x);
	}
	for (i = 0; i < q->n; i++) {
		const struct queue_row *r = &q->rows[i];
		const struct queue_claim *c = r->claim;
		struct jval *x = jv_object();
		char age[16];

		snprintf(age, sizeof(age), "%.1f", r->age);
		jv_set_str(x, "key", c->key);
		jv_set_str(x, "source", c->source);
		jv_set_str(x, "age_bucket", queue_bucket_name(r->bucket));
		jv_set(x, "age_business_days", jv_real(strtod(age, NULL)));
		jv_set_str(x, "partner_id", c->partner_id);
		jv_set_str(x, "partner", c->partner);
		jv_set_str(x, "customer", c->customer);
		jv_set_str(x, "product", c->product);
		jv_set(x, "value", c->has_amount ? jv_real(c->amount) : jv_null());
		jv_set_str(x, "approver_id", c->owner_id);
		jv_set_str(x, "approver", c->owner);
		jv_set_str(x, "registered_at", c->registered_at);
		jv_append(p, x);
	}
	for (i = 0; i < q->nta; i++) {
		struct jval *x = jv_object();
		char v[16];

		jv_set_str(x, "source", q->ta[i].source);
		jv_set_int(x, "decided", q->ta[i].decided);
		snprintf(v, sizeof(v), "%.1f", q->ta[i].median);
		jv_set(x, "median_business_days", jv_real(strtod(v, NULL)));
		snprintf(v, sizeof(v), "%.1f", q->ta[i].p90);
		jv_set(x, "p90_business_days", jv_real(strtod(v, NULL)));
		jv_append(t, x);
	}
	jv_set_str(o, "currency", cfg->normalize.base_currency ?
	    cfg->normalize.base_currency : "USD");
	jv_set(o, "buckets", b);
	jv_set(o, "pending", p);
	jv_set_int(o, "turnaround_window_days", QUEUE_TURNAROUND_DAYS);
	jv_set(o, "turnaround", t);
	return o;
}

static void
print_queue(const struct config *cfg, const struct queue_result *q,
    const char *owner, const char *source)
{
	const char *cur = cfg->normalize.base_currency ?
	    cfg->normalize.base_currency : "USD";
	char v[48];
	size_t i;

	printf("approval queue%s%s%s%s: %zu pending\n", owner ? " of " : "",
	    owner ? owner : "", source ? ", source " : "", source ? source : "",
	    q->n);
	printf("%-16s %7s %16s\n", "business days", "claims", "value");
	for (i = 0; i < QB_COUNT; i++) {
		human_thousands(q->value[i], 0, v, sizeof(v));
		printf("%-16s %7lld %12s %s\n", queue_bucket_name((int)i),
		    (long long)q->count[i], v, cur);
	}
	if (q->n) {
		static const char *const head[] = { "age", "key", "partner",
			"customer", "product", "value", "approver" };
		struct table *t = table_new(7, head);

		for (i = 0; i < q->n; i++) {
			const struct queue_row *r = &q->rows[i];
			const struct queue_claim *c = r->claim;
			const char *cells[7];
			char age[16];

			if (r->bucket == QB_STALE)
				snprintf(age, sizeof(age), "stale");
			else
				snprintf(age, sizeof(age), "%.1f", r->age);
			if (c->has_amount)
				human_thousands(c->amount, 0, v, sizeof(v));
			else
				snprintf(v, sizeof(v), "-");
			cells[0] = age;
			cells[1] = c->key;
			cells[2] = c->partner ? c->partner : c->partner_id;
			cells[3] = c->customer;
			cells[4] = c->product;
			cells[5] = v;
			cells[6] = c->owner ? c->owner : c->owner_id ? c->owner_id :
			    "(no owner)";
			table_add(t, cells);
		}
		printf("\n");
		table_print(t, stdout, 28);
		table_free(t);
	}
	printf("\napproval turnaround, decided in the last %d days (business "
	    "days):\n", QUEUE_TURNAROUND_DAYS);
	if (q->nta == 0)
		printf("  no registration decided in that time\n");
	for (i = 0; i < q->nta; i++)
		printf("  %-24s %4d decided  median %.1f  p90 %.1f\n",
		    q->ta[i].source, q->ta[i].decided, q->ta[i].median,
		    q->ta[i].p90);
}

/* The queue of everyone, computed now; 0 or -1 (the store's error). */
int
ctl_queue_now(struct ctl *c, const char *source, const char *owner,
    struct arena *a, struct queue_claim **claims, struct queue_decided **d,
    struct queue_result *q)
{
	size_t nc = 0, nd = 0;
	int64_t now = clock_now();

	if (store_queue_input(c->st, source, owner, now -
	    (int64_t)QUEUE_TURNAROUND_DAYS * 86400, a, claims, &nc, d, &nd) < 0)
		return -1;
	queue_compute(c->cfg, now, *claims, nc, *d, nd, q);
	return 0;
}

int
ctl_queue_status(struct ctl *c, struct jval *status)
{
	struct queue_claim *claims = NULL;
	struct queue_decided *d = NULL;
	struct queue_result q;
	struct arena a;
	size_t i;

	memset(&a, 0, sizeof(a));
	if (ctl_queue_now(c, NULL, NULL, &a, &claims, &d, &q) < 0) {
		arena_free(&a);
		return -1;
	}
	if (status)
		jv_set(status, "approvals", json_of(c->cfg, &q));
	else {
		printf("approvals:   %zu pending (%lld over 4 business days, %lld "
		    "stale); see chansyncctl queue\n", q.n,
		    (long long)(q.count[QB_4_10] + q.count[QB_OVER_10]),
		    (long long)q.count[QB_STALE]);
		for (i = 0; i < q.nta; i++)
			printf("  turnaround %-20s median %.1f, p90 %.1f business "
			    "days (%d decided in %d days)\n", q.ta[i].source,
			    q.ta[i].median, q.ta[i].p90, q.ta[i].decided,
			    QUEUE_TURNAROUND_DAYS);
	}
	queue_result_free(&q);
	free(claims);
	free(d);
	arena_free(&a);
	return 0;
}

int
ctl_cmd_queue(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "owner", required_argument, NULL, 'o' },
		{ "source", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char *owner = NULL, *source = NULL;
	struct queue_claim *claims = NULL;
	struct queue_decided *decided = NULL;
	struct queue_result q;
	struct arena a;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (ch == 'o')
			owner = optarg;
		else if (ch == 's')
			source = optarg;
		else {
			ctl_usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc) {
		ctl_usage(stderr);
		return EX_USAGE;
	}
	if ((rc = ctl_open_store(c)) != 0)
		return rc;
	memset(&a, 0, sizeof(a));
	if (ctl_queue_now(c, source, owner, &a, &claims, &decided, &q) < 0) {
		fprintf(stderr, "chansyncctl: %s\n", store_errmsg(c->st));
		arena_free(&a);
		return EX_IOERR;
	}
	if (c->json) {
		struct jval *o = json_of(c->cfg, &q);
		char *s = jv_dump_pretty(o);

		printf("%s\n", s);
		free(s);
		jv_free(o);
	} else
		print_queue(c->cfg, &q, owner, source);
	queue_result_free(&q);
	free(claims);
	free(decided);
	arena_free(&a);
	return EX_OK;
}
