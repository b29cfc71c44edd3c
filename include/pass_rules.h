/*
 * pass_rules.h - the rules' pass of a cycle: pipeline to plan, scores
 * and alerts read from the store, computed by the rule modules (which
 * never see the store), and their results stored and audited.
 *
 * Each step is one function so that a test can run it on a real SQLite
 * file; pass_rules (pass.h) runs them in order.
 */
#ifndef CHANSYNC_PASS_RULES_H
#define CHANSYNC_PASS_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "rules/alerts.h"
#include "rules/plan.h"
#include "rules/score.h"
#include "store/audit.h"
#include "store/store.h"

/* Reads period p's figures and computes them. Returns 0, or -1 with err. */
int pass_plan(const struct config *cfg, struct store *st,
    const struct plan_period *p, struct plan_result *out, char *err,
    size_t errlen);
/*
 * The same on day today ("YYYY-MM-DD" in the daemon's zone; NULL: no
 * opportunity is past due): later says p comes after the current period
 * (its basis is its plan); the current one also gathers every partner's
 * past-due opportunities.
 */
int pass_plan_on(const struct config *cfg, struct store *st,
    const struct plan_period *p, const char *today, int later,
    struct plan_result *out, char *err, size_t errlen);

/*
 * Scores plan's partners at time now against the previous period's
 * scores, stores the scorecards in one transaction and, with au, audits
 * each score or tier that changed as shown (score.changed, old -> new).
 * Returns 0, or -1 with err (nothing stored).
 */
int pass_scores(const struct config *cfg, struct store *st, struct audit *au,
    int64_t cycle_id, const struct plan_result *plan,
    const struct plan_period *previous, int64_t now, struct score_result *out,
    char *err, size_t errlen);
/* The same with the evidence windows (trailing year, 90 days) ending at
 * as_of: a past period is scored as it stood at its end. */
int pass_scores_as_of(const struct config *cfg, struct store *st,
    struct audit *au, int64_t cycle_id, const struct plan_result *plan,
    const struct plan_period *previous, int64_t now, int64_t as_of,
    struct score_result *out, char *err, size_t errlen);
/*
 * Scores every period before cur that has a plan: those never scored
 * (the history, on the first run) and the one just before cur, each as
 * it stood at its end. Returns how many periods it scored, or -1 with
 * err.
 */
int pass_score_history(const struct config *cfg, struct store *st,
    struct audit *au, int64_t cycle_id, const struct plan_period *cur,
    int64_t now, char *err, size_t errlen);

struct pass_alerts_result {
	int64_t raised, updated, resolved, open;
	char error[256];
};

/*
 * Works out which alerts hold at now, and stores and audits what changed
 * (alert.raised, alert.updated, alert.resolved) in one transaction,
 * calling tick (when not NULL) every so many changes: the daemon's
 * watchdog and stop. Returns 0; 1 when tick said stop (nothing stored);
 * or -1 with res->error (nothing stored).
 */
int pass_alerts(const struct config *cfg, struct store *st, struct audit *au,
    int64_t cycle_id, int64_t now, const struct plan_result *plan,
    const struct score_result *scores, int (*tick)(void *), void *tick_arg,
    struct pass_alerts_result *res);

#endif
