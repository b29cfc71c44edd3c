/*
 * alerts.h - alerts with a lifecycle (SPEC §8).
 *
 * Each cycle works out which alerts hold: partner_conflict,
 * direct_conflict and duplicate_registration (one per open conflict),
 * approval_sla_warning and approval_sla_breach (a pending registration
 * older than rules.approval_sla.warn / breach in business time:
 * daemon.business_days, minus daemon.holidays, in daemon.timezone),
 * registration_expiring (approved, not won, expiring within
 * rules.expiry_warning), pipeline_below_plan (pipeline coverage of the
 * total target under 1.0 a warning, under critical_below critical)
 * and score_drop (rules.score_drop points or more since the previous
 * period). An alert has a stable key (type:subject[:period]); it is raised
 * once, updated when its severity, message or evidence change, and
 * resolved when its condition clears. Every change is audited.
 */
#ifndef CHANSYNC_ALERTS_H
#define CHANSYNC_ALERTS_H

#include <stdint.h>

#include "store/audit.h"
#include "config/config.h"
#include "rules/plan.h"
#include "rules/score.h"
#include "store/store.h"

struct alerts_result {
	int64_t raised, updated, resolved, open;
	char error[256];
};

int alerts_run(const struct config *cfg, struct store *st, struct audit *au,
    int64_t cycle_id, int64_t now, const struct plan_result *plan,
    const struct score_result *scores, struct alerts_result *res);

/*
 * Business time between from and to (seconds since the epoch): the parts
 * of the days in between that are business days and not holidays, in
 * the configured time zone. -1 when the zone is unknown.
 */
int64_t alerts_business_seconds(const struct config *cfg, int64_t from,
    int64_t to);

#endif
