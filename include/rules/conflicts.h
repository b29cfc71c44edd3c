/*
 * conflicts.h - who else claims this end customer (SPEC §7).
 *
 * The engine keeps an index of the active claims (registrations pending
 * or approved and not past expires_at; with rules.conflicts.direct, open
 * CRM opportunities with no partner) for the daemon's life. Claims that
 * name one customer the same way share a node: the same registrable
 * domain, or, without one, the same name key and country. Nodes are
 * linked when their names match (match.h) at match_threshold and their
 * countries agree where both are known; candidates come from postings of
 * rare tokens, the first letters of the distinctive part and acronyms,
 * capped per key, so the cost grows about linearly.
 *
 * A connected group of nodes is one customer. From its claims come at
 * most three conflicts, one per type: partner_conflict, direct_conflict,
 * duplicate. A conflict's key is stable: a group that shares a member
 * with a known conflict of its type keeps that conflict's key.
 *
 * Each pass reads only the rows synced since the previous one (all of
 * them the first time) plus the claims whose expiry has come, and
 * re-derives the conflicts of the groups they touch.
 */
#ifndef CHANSYNC_CONFLICTS_H
#define CHANSYNC_CONFLICTS_H

#include <stdint.h>

#include "store/audit.h"
#include "config/config.h"
#include "store/store.h"

struct conflicts;

struct conflicts_result {
	int64_t rows;			/* rows read */
	int64_t claims, nodes;		/* active, in the index */
	int64_t compared;		/* name comparisons made */
	int64_t groups;			/* customer groups re-derived */
	int64_t largest_group;		/* claims in the largest of them */
	int64_t opened, updated, resolved, closed, reopened;
	char error[256];
};

struct conflicts *conflicts_new(void);
void conflicts_free(struct conflicts *c);
/*
 * One pass at time now. Writes and audits in one transaction. Returns 0,
 * or -1 with res->error (the database refused; the next pass starts over
 * from the same rows).
 */
int conflicts_run(struct conflicts *c, const struct config *cfg,
    struct store *st, struct audit *au, int64_t cycle_id, int64_t now,
    struct conflicts_result *res);

#endif
