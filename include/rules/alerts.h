/*
 * alerts.h - alerts with a lifecycle (contract §8).
 *
 * Each cycle works out which alerts hold: partner_conflict,
 * double_approval, direct_conflict and duplicate_registration (one per
 * open conflict), approval_sla_warning and approval_sla_breach (a
 * pending registration older than rules.approval_sla.warn / breach in
 * business time: daemon.business_days, minus daemon.holidays, in
 * daemon.timezone; the age in whole business days in the text),
 * stale_registrations (pending beyond registrations.pending_max_age:
 * one per source and owner instead), registration_expiring (approved,
 * not won, expiring within rules.expiry_warning), pipeline_below_plan
 * and, when the total is covered, risk_adjusted_below_plan (per period
 * of the horizon; coverage under 1.0 a warning, under critical_below
 * critical; none for the current period once its plan is met),
 * pipeline_past_due (open opportunities past their close date),
 * score_drop (rules.score_drop points or more since the previous
 * period), unknown_partner and source_page_skipped (a page a source
 * could not read for page_retries cycles and gave up on). An alert has
 * a stable key (type:subject[:period]) and the owner of its partner
 * (partners.owner_field; a direct conflict's also the deal owner); it
 * is raised once, updated when its severity, message, evidence or owner
 * change, and resolved when its condition clears.
 *
 * A pure computation: what holds is worked out from arrays of plain
 * structs (the store's alert read fills them) and compared with the
 * alerts as stored; the result lists the changes, which the rules pass
 * stores and audits.
 */
#ifndef CHANSYNC_ALERTS_H
#define CHANSYNC_ALERTS_H

#include <stdint.h>

#include "config/config.h"
#include "lib/mem.h"
#include "lib/strmap.h"
#include "rules/plan.h"
#include "rules/score.h"

/* An open conflict (borrowed strings). */
struct alerts_conflict {
	const char *key, *type, *customer, *winner;
	int64_t members, partners;	/* claims; distinct partners */
	const char *partner_id;		/* the winner's partner, else the first */
	const char *account_owner_id;	/* direct: the opportunity's owner */
};

/* A pending or approved registration. */
struct alerts_registration {
	const char *key, *status, *partner_id, *customer_name;
	const char *registered_at, *expires_at;	/* UTC ISO times, or NULL */
};

/* A page a source gave up on (store_page_skip), not cleared since. */
struct alerts_skipped_page {
	const char *source, *url_sha256, *position, *reason, *skipped_at;
	int64_t bytes, attempts;
};

/* A partner id a source uses that no CRM partner could be found for. */
struct alerts_unknown_partner {
	const char *source, *id, *name;		/* name: the source's, or NULL */
	int64_t claims;
	const char *proposed_id, *proposed_name;	/* NULL: none */
	double similarity;
};

/* An alert as stored. */
struct alert_state {
	const char *key, *status, *severity, *message, *evidence;
	const char *owner_id, *account_owner_id, *partner_id;
};

/* What the computation reads; its strings live in arena. */
struct alerts_input {
	struct alerts_conflict *conflicts;
	size_t nconflicts;
	struct alerts_registration *registrations;
	size_t nregistrations;
	struct alerts_skipped_page *skipped;
	size_t nskipped;
	const struct alerts_unknown_partner *unknown;	/* the caller's */
	size_t nunknown;
	struct alert_state *states;	/* every alert stored */
	size_t nstates;
	const struct plan_result *later;	/* the periods after the current
						 * one (rules.pipeline.horizon);
						 * the caller's */
	size_t nlater;
	struct arena arena;
};

void alerts_input_free(struct alerts_input *in);

/* An alert that holds now. */
struct alert {
	char *key;			/* type:subject[:period] */
	char *type, *partner_id, *subject, *period;	/* may be NULL */
	char *owner_id;			/* the partner's owner, or NULL */
	char *account_owner_id;		/* direct conflict: the deal's owner */
	char *severity;			/* info | warning | critical */
	char *message;			/* what it is and what to do */
	char *evidence;			/* canonical JSON */
};

enum alert_change_kind { ALERT_RAISED, ALERT_UPDATED, ALERT_RESOLVED };

/* One alert to store: raised or updated (alert), or resolved (was). */
struct alert_change {
	enum alert_change_kind kind;
	const struct alert *alert;	/* raised, updated: in the result */
	const struct alert_state *was;	/* updated, resolved: in the input */
};

struct alerts_result {
	struct alert *holds;
	size_t nholds, capholds;
	struct alert_change *changes;
	size_t nchanges, capchanges;
	int64_t raised, updated, resolved, open;
	struct strmap index;		/* key -> index in holds */
};

/*
 * Works out the alerts that hold at time now and how they differ from
 * the stored ones in in. The result borrows from in (keep it until the
 * result is freed). Never fails.
 */
void alerts_compute(const struct config *cfg, int64_t now,
    const struct plan_result *plan, const struct score_result *scores,
    const struct alerts_input *in, struct alerts_result *out);
void alerts_result_free(struct alerts_result *r);

/*
 * Business time between from and to (seconds since the epoch): the parts
 * of the days in between that are business days and not holidays, in
 * the configured time zone. -1 when the zone is unknown.
 */
int64_t alerts_business_seconds(const struct config *cfg, int64_t from,
    int64_t to);

#endif
