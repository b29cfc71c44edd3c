/*
 * pass.h - the passes of a cycle and the context they share.
 *
 * cycle.c runs a list of passes in order: the CRM read and the sources
 * (pass_sync.c), conflict detection (pass_conflicts.c), pipeline to
 * plan, scores and alerts (pass_rules.c), the write-back
 * (pass_writeback.c) and notifications (pass_notify.c). Each pass reads the cycle's parts from one struct
 * pass, adds its counts to the result and its own object to the cycle's
 * detail, and says when the store failed or the daemon must stop, which
 * the passes after it respect.
 */
#ifndef CHANSYNC_PASS_H
#define CHANSYNC_PASS_H

#include "cycle.h"
#include "lib/json.h"

struct partner_map;

struct pass {
	const struct cycle_env *env;	/* the daemon's parts */
	struct cycle_result *res;	/* counts, status, the summary */
	struct jval *detail;		/* the cycle's per-pass objects */
	int force;			/* every source, due or not */
	int stopped;			/* the daemon asked to stop */
	struct partner_map *partners;	/* partner ids resolved, read once
					 * for the passes after the sync */
};

/* The cycle's partner map, read on first use (pass_partners.c); NULL
 * when it cannot be read (the store's error says why). */
const struct partner_map *pass_partner_map(struct pass *p);
void pass_partner_map_free(struct pass *p);

/* 1 when the daemon asked to stop (the watchdog is fed on the way). */
int pass_tick(struct pass *p);

void pass_crm(struct pass *p);		/* pass_sync.c */
void pass_sources(struct pass *p);	/* pass_sync.c */
void pass_conflicts(struct pass *p);	/* pass_conflicts.c */
void pass_rules(struct pass *p);	/* pass_rules.c */
void pass_writeback(struct pass *p);	/* pass_writeback.c */
void pass_notify(struct pass *p);	/* pass_notify.c */

#endif
