/*
 * queue.h - the approval queue (contract §8, §15): every pending
 * registration by its business age (0-2, 2-4, 4-10, over 10 business
 * days, and stale beyond registrations.pending_max_age), with its
 * approver (the partner's owner) and value, and the approval turnaround
 * per source: the median and 90th percentile, in business days, from
 * registration to decision, of the registrations decided in the
 * trailing 90 days.
 *
 * A pure computation on plain structs; chansyncctl queue and the digest
 * read the store into them.
 */
#ifndef CHANSYNC_QUEUE_H
#define CHANSYNC_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

#define QUEUE_TURNAROUND_DAYS 90

/* A pending registration (borrowed strings). */
struct queue_claim {
	const char *key, *source, *partner_id, *partner, *customer, *product;
	const char *owner_id, *owner;	/* the approver, or NULL */
	const char *registered_at;	/* UTC ISO time */
	int has_amount;
	double amount;			/* in the base currency */
};

/* A decided registration (borrowed). */
struct queue_decided {
	const char *source, *registered_at, *decided_at;
};

enum queue_bucket { QB_0_2, QB_2_4, QB_4_10, QB_OVER_10, QB_STALE,
	QB_COUNT };

/* "0-2", "2-4", "4-10", ">10", "stale" */
const char *queue_bucket_name(int b);

struct queue_row {
	const struct queue_claim *claim;
	double age;			/* business days */
	int bucket;			/* enum queue_bucket */
};

struct queue_turnaround {
	char source[128];
	int decided;			/* in the trailing window */
	double median, p90;		/* business days */
};

struct queue_result {
	struct queue_row *rows;		/* oldest first */
	size_t n;
	int64_t count[QB_COUNT];
	double value[QB_COUNT];
	struct queue_turnaround *ta;	/* by source */
	size_t nta;
};

/*
 * The queue at time now. A claim without a readable registered_at is
 * left out; a decision before its registration counts as no time.
 */
void queue_compute(const struct config *cfg, int64_t now,
    const struct queue_claim *claims, size_t nclaims,
    const struct queue_decided *decided, size_t ndecided,
    struct queue_result *out);
void queue_result_free(struct queue_result *r);

#endif
