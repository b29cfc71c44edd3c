/*
 * pass_conflicts.h - the conflict pass of a cycle: the claims synced
 * since the previous pass read from the store into the conflict engine
 * (rules/conflicts.h), and every conflict it opens, updates, reopens,
 * resolves or closes stored, audited and logged, in one transaction.
 */
#ifndef CHANSYNC_PASS_CONFLICTS_H
#define CHANSYNC_PASS_CONFLICTS_H

#include <stdint.h>

#include "config/config.h"
#include "rules/conflicts.h"
#include "store/audit.h"
#include "store/store.h"

/*
 * One pass at time now. Returns 0, or -1 with res->error (the database
 * refused; nothing of the pass is kept, and the next pass starts over
 * from the same rows).
 */
int pass_conflicts_run(struct conflicts *c, const struct config *cfg,
    struct store *st, struct audit *au, int64_t cycle_id, int64_t now,
    struct conflicts_result *res);

#endif
