/*
 * digest.h - one owner's daily digest as text (contract §15): what needs
 * them today first (the open critical alerts), then what is new and what
 * escalated since the last digest, the conflicts waiting for their
 * decision, their approval queue by business age, and what resolved;
 * each line with the figure that matters (the alert's own message).
 *
 * Pure: plain structs in, text out; the same input gives the same text.
 */
#ifndef CHANSYNC_RULES_DIGEST_H
#define CHANSYNC_RULES_DIGEST_H

#include <stddef.h>

#include "rules/queue.h"

/* Lines per section; the rest is counted, with the command that lists it. */
#define DIGEST_MAX_LINES 12

/* An alert of the owner (borrowed strings; times UTC ISO or NULL). */
struct digest_alert {
	const char *key, *type, *severity, *message, *status;
	const char *first_seen, *resolved_at, *escalated_at;
	const char *subject;		/* a conflict's key for its alerts */
};

struct digest_input {
	const char *owner;		/* the owner's name (or id) */
	const char *day;		/* "2026-12-07", in daemon.timezone */
	const char *since;		/* the last digest (UTC ISO) */
	const struct digest_alert *alerts;	/* worst first */
	size_t nalerts;
	const struct queue_result *queue;	/* the owner's; or NULL */
	const char *currency;
};

struct digest {
	char *subject;
	char *body;
	int critical, fresh, escalated, resolved, waiting;	/* counts */
};

/* Composes the digest. Returns 1, or 0 when there is nothing to say (out
 * empty). */
int digest_compose(const struct digest_input *in, struct digest *out);
void digest_free(struct digest *d);

#endif
