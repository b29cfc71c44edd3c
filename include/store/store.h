/*
 * store.h - the SQLite cache: the only module that talks to SQLite.
 *
 * One database, state_dir/chansync.db, in WAL mode with synchronous=FULL,
 * foreign keys on, a busy timeout, the defensive flag, and a schema
 * migrated forward through PRAGMA user_version. Every write runs inside
 * store_begin()/store_commit() (BEGIN IMMEDIATE), so a source's unit of
 * work - its records, quarantine rows, ledger row and audit rows - lands
 * whole or not at all.
 *
 * Errors: functions return -1 (or NULL) and leave a message and a class
 * in the handle (store_errmsg/store_errclass); they never log.
 */
#ifndef CHANSYNC_STORE_H
#define CHANSYNC_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "model/entity.h"
#include "rules/alerts.h"
#include "rules/conflicts.h"
#include "rules/plan.h"
#include "rules/score.h"

#define STORE_DB_NAME "chansync.db"
#define STORE_SCHEMA_VERSION 11

struct store;

enum store_errclass {
	STORE_EOK,
	STORE_EBUSY,		/* locked by another writer past the timeout */
	STORE_EFULL,		/* disk full */
	STORE_EIO,		/* I/O error, read-only file system */
	STORE_ECORRUPT,		/* not a database, malformed */
	STORE_ECONSTRAINT,	/* a constraint or trigger refused the write */
	STORE_ESCHEMA,		/* schema version newer than this program */
	STORE_EOTHER,
};

enum store_mode {
	STORE_RW,		/* create and migrate */
	STORE_RDONLY,		/* chansyncctl: read only, never migrate */
};

/*
 * Opens (creating and migrating when STORE_RW) the database at path.
 * Returns a new handle, or NULL with a message in err.
 */
struct store *store_open(const char *path, enum store_mode mode,
    char *err, size_t errlen);
void store_close(struct store *st);
const char *store_errmsg(const struct store *st);
enum store_errclass store_errclass(const struct store *st);

/*
 * PRAGMA quick_check: 0 when the database's pages are sound, 1 with the
 * first problems in out when it is damaged (or cannot be read).
 */
int store_quick_check(struct store *st, char *out, size_t outlen);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
int store_begin(struct store *st);
int store_commit(struct store *st);
void store_rollback(struct store *st);
int store_in_transaction(const struct store *st);

/* meta key/value. get: 1 found (*ret new string), 0 absent, -1 error. */
int store_meta_get(struct store *st, const char *key, char **ret);
int store_meta_set(struct store *st, const char *key, const char *value);

/*
 * Upserts a canonical record by its key. A record older (updated_at)
 * than the stored one is skipped. Returns 1 written, 0 skipped, -1 error.
 */
int store_upsert(struct store *st, const struct record *r, const char *now);
/* The same for n records in this order, many to a statement; 0 or -1. */
int store_upsert_many(struct store *st, const struct record *const *r, size_t n,
    const char *now);

/* Quarantine row; fields may be NULL. */
struct store_quarantine {
	int64_t cycle_id;	/* 0: none */
	const char *source;
	const char *position;	/* "file.csv:12" */
	const char *record_id;
	const char *field;
	const char *reason;
	const char *raw;	/* capped by the caller */
};
int store_quarantine_add(struct store *st, const struct store_quarantine *q,
    const char *now);

/* The file-drop ledger: which spool files have been ingested. */
struct store_file {
	const char *source;
	const char *name;
	uint64_t dev, ino;
	int64_t mtime_ns;
	int64_t size;
	const char *sha256;	/* hex */
	const char *status;	/* "done" | "failed" */
	const char *moved_to;
	int64_t cycle_id;
	int64_t records, quarantined;
	const char *reason;	/* why a failed file failed */
};
/*
 * Looks this exact file (name, device, inode, mtime, hash) up in the
 * ledger. Returns 1 with new strings in *ret_status, *ret_moved_to and
 * *ret_reason (may be NULL), 0 when not ingested yet, -1 on error.
 */
int store_file_find(struct store *st, const struct store_file *f,
    char **ret_status, char **ret_moved_to, char **ret_reason);
int store_file_add(struct store *st, const struct store_file *f, const char *now);

/* Cycles. */
int store_cycle_begin(struct store *st, const char *trigger, const char *now,
    int64_t *ret_id);
int store_cycle_end(struct store *st, int64_t id, const char *status,
    const char *detail_json, const char *now);
/* Marks cycles left 'running' by a crash as 'interrupted'; returns count. */
int store_cycles_interrupted(struct store *st, const char *now);
struct store_cycle_source {
	int64_t cycle_id;
	const char *source;
	const char *status;	/* ok | failed | skipped */
	const char *started_at, *ended_at;
	int64_t records, quarantined, files, failed_files;
	const char *error;
};
int store_cycle_source(struct store *st, const struct store_cycle_source *cs);

/* Marks the record with this key deleted; returns rows changed or -1. */
int store_mark_deleted(struct store *st, enum entity_kind kind, const char *key,
    const char *now);

/* An opportunity stage from the CRM (OpportunityStage). */
struct store_stage {
	const char *name, *label, *forecast_category;
	double probability;	/* percent */
	int has_probability, is_closed, is_won;
};
int store_stage_upsert(struct store *st, const struct store_stage *sg,
    const char *now);

/* Watermarks per source/object: get 1 found, 0 absent, -1 error. */
int store_watermark_get(struct store *st, const char *source,
    const char *object, char **ret);
int store_watermark_set(struct store *st, const char *source,
    const char *object, const char *value, const char *now);
/* Forgets a watermark: the next read of that object is a full one. */
int store_watermark_delete(struct store *st, const char *source,
    const char *object);

/*
 * A page a source could not read, known by the URL it asked for (a hash)
 * and by its bytes (another hash). store_page_failed counts one more
 * cycle that failed at it and returns the attempts so far (1 the first
 * time, or again after it was cleared), or -1; when a page with the same
 * bytes was skipped before and is not cleared, it counts nothing,
 * returns 0 and sets *skipped (the page is skipped again at once). store_page_skip marks it skipped: its records
 * are given up and the source moves on. store_pages_read_ok: the source
 * read to its end; attempts at pages it did not skip are forgotten, and
 * when the read was a full one (from no watermark), skipped pages are
 * cleared too: their alert resolves.
 */
struct store_bad_page {
	const char *source, *url_sha256, *body_sha256, *position, *reason;
	int64_t bytes;
};
int64_t store_page_failed(struct store *st, const struct store_bad_page *p,
    const char *now, int *skipped);
int store_page_skip(struct store *st, const char *source,
    const char *url_sha256, const char *now);
int store_pages_read_ok(struct store *st, const char *source, int full,
    const char *now);

/* Forgets (value NULL) or sets to value every watermark of source.
 * Returns how many there were, or -1. */
int64_t store_watermarks_reset(struct store *st, const char *source,
    const char *value, const char *now);

/* The audit table (append-only; audit.c computes the chain). */
struct store_audit_row {
	int64_t seq;
	const char *ts;
	int64_t cycle_id;	/* 0: none */
	const char *actor, *action, *entity, *entity_id, *detail, *alg;
	unsigned char prev_hash[32], hash[32];
};
/* Last row: 1 found, 0 empty log, -1 error. */
int store_audit_head(struct store *st, int64_t *ret_seq,
    unsigned char ret_hash[32]);
int store_audit_insert(struct store *st, const struct store_audit_row *row);
/* Calls fn for each row with seq >= from, in order; fn returns non-zero to stop. */
int store_audit_scan(struct store *st, int64_t from,
    int (*fn)(void *ctx, const struct store_audit_row *row), void *ctx);
int64_t store_audit_count(struct store *st);

/* Rows for chansyncctl: names and values as text (NULL for SQL NULL). */
enum store_type { STORE_NULL, STORE_INT, STORE_REAL, STORE_TEXT };
struct store_row {
	int ncol;
	const char *const *names;
	const char *const *vals;
	const enum store_type *types;
};
typedef int (*store_row_fn)(void *ctx, const struct store_row *row);
/* The value of the column called name, NULL when it is NULL or absent. */
const char *store_col(const struct store_row *r, const char *name);

struct store_audit_filter {
	const char *since, *until;	/* UTC ISO times, inclusive/exclusive */
	const char *action;		/* exact, or prefix ending in '.' */
	const char *entity_id;
	int64_t limit;			/* 0: no limit; newest rows kept */
};
int store_list_audit(struct store *st, const struct store_audit_filter *f,
    store_row_fn fn, void *ctx);
int store_list_cycles(struct store *st, int64_t limit, store_row_fn fn, void *ctx);
/* source NULL: every source's watermarks. */
int store_list_watermarks(struct store *st, const char *source, store_row_fn fn,
    void *ctx);
int store_list_sources(struct store *st, store_row_fn fn, void *ctx);
int store_list_quarantine(struct store *st, const char *source, int64_t limit,
    store_row_fn fn, void *ctx);
int store_list_registrations(struct store *st, const char *source,
    int64_t limit, store_row_fn fn, void *ctx);
/* Row count of one of the canonical tables or "quarantine"; -1 on error. */
int64_t store_count(struct store *st, const char *table);

/* ---- conflicts (the conflict pass) ---- */

/* Called with each claim row read; non-zero stops the reading. */
typedef int (*store_claim_fn)(void *ctx, const struct conflict_claim_row *row);
/*
 * Registrations and, with direct, opportunities synced at or after since,
 * as claim rows; since "" (the first read): only the rows that can be
 * active claims (pending or approved registrations, open opportunities
 * without a partner).
 */
int store_conflict_claims(struct store *st, const char *since, int direct,
    store_claim_fn fn, void *ctx);
/* Every stored conflict and its present members, strings in a (the
 * arrays the caller frees). Returns 0 or -1. */
int store_conflicts_known(struct store *st, struct arena *a,
    struct conflicts_known *out);
/* Each partner's score of the latest period it has one for (the array
 * the caller frees, strings in a). Returns 0 or -1. */
int store_latest_scores(struct store *st, struct arena *a,
    struct conflict_score **ret, size_t *ret_n);
/* The CRM's partners (id, name), and the partner ids registrations name
 * that are no CRM partner's, per source (partner identity). */
struct partner_entry;
struct partner_ref;
int store_partner_directory(struct store *st, struct arena *a,
    struct partner_entry **ret, size_t *ret_n);
int store_partner_refs(struct store *st, struct arena *a,
    struct partner_ref **ret, size_t *ret_n);
/* Each partner's win rate per product line over registrations decided
 * since (likelihood_to_close). Returns 0 or -1. */
int store_win_rates(struct store *st, int64_t since, struct arena *a,
    struct conflict_score **ret, size_t *ret_n);
int store_conflict_put(struct store *st, const struct conflict_record *c);
/* Adds a member (again), or with !present marks it removed. */
int store_conflict_member(struct store *st, const char *key, const char *member,
    const char *kind, const char *partner_id, const char *now, int present);
/* store_decisions.c: operators' decisions (contract §7) */
/* The conflict key as a decision sees it: one row (key, type, status,
 * winner, decided_winner, decision, updated_at, members: its present
 * members, space-separated and sorted), or none. */
int store_conflict_brief(struct store *st, const char *key, store_row_fn fn,
    void *ctx);
/* A decision kept; its id, or -1. */
int64_t store_decision_put(struct store *st, const char *key,
    const char *winner, const char *reason, const char *operator,
    const char *members, const char *now);
/* The standing decision of key withdrawn; how many (0 or 1), or -1. */
int store_decision_withdraw(struct store *st, const char *key, const char *by,
    const char *why, const char *now);
/* The conflict's status set: "decided" with the decided winner and the
 * decision's words, or "open" again (NULL, NULL); the engine's own
 * recommendation is kept beside them. */
int store_conflict_settle(struct store *st, const char *key,
    const char *status, const char *winner, const char *reason,
    const char *now);
/* Every decision on key, oldest first (id, winner, reason, operator,
 * members, decided_at, withdrawn_at, withdrawn_by, withdrawn_why). */
int store_conflict_decisions(struct store *st, const char *key,
    store_row_fn fn, void *ctx);
/* Every decision, oldest first (id, conflict_key, winner, reason,
 * operator, members, decided_at): what the write-back sends. */
int store_decisions_all(struct store *st, store_row_fn fn, void *ctx);
/* The (decision_id, member) lines already exported to source's file. */
int store_decision_exported(struct store *st, const char *source,
    store_row_fn fn, void *ctx);
int store_decision_export_put(struct store *st, int64_t decision_id,
    const char *member, const char *source, const char *now);
/* The status read back from the CRM's sobject; returns rows changed (0: an
 * unknown key, or the status chansync itself last wrote there). */
int store_conflict_set_crm_status(struct store *st, const char *key,
    const char *status, const char *sobject);
/* Open conflicts (all: every one), with member and partner counts, of a
 * type, a partner among the members, a product line (NULL: any). */
struct store_conflict_filter {
	int all;
	const char *type, *partner_id, *product;
};
int store_list_conflicts(struct store *st, const struct store_conflict_filter *f,
    store_row_fn fn, void *ctx);
/* The partners a text names: its Account Id, else its name (any case). */
int store_partner_named(struct store *st, const char *text, store_row_fn fn,
    void *ctx);
/* One CRM user: id, name, email, is_active. */
int store_user_get(struct store *st, const char *id, store_row_fn fn,
    void *ctx);
int store_conflict_get(struct store *st, const char *key, store_row_fn fn,
    void *ctx);
/* Members of one conflict (key NULL: of every conflict). */
int store_conflict_members(struct store *st, const char *key, store_row_fn fn,
    void *ctx);

/* ---- possible matches (contract §7; store_possible.c) ---- */

struct store_possible {
	const char *key;		/* "PM-" and 12 hex digits of pair */
	const char *pair;		/* the two name keys, '\x1f' between */
	const char *name_key_a, *name_key_b, *name_a, *name_b;
	const char *claim_a, *claim_b;
	double score;
	const char *measure, *why;
};
/* Keeps a possible match met now (a decided one keeps its decision). */
int store_possible_put(struct store *st, const struct store_possible *p,
    const char *now);
/* The pairs with status (confirmed | rejected), strings in a. */
struct arena;
int store_possible_pairs(struct store *st, const char *status, struct arena *a,
    char ***ret, size_t *n);
/* Open possible matches (all: every one; key: that one): key, status,
 * score, measure, name_a, name_b, claim_a, claim_b, why, first_seen,
 * last_seen, decided_by, decided_at, reason. */
int store_possible_list(struct store *st, int all, const char *key,
    store_row_fn fn, void *ctx);
/* An operator's word on a pair: rows changed (0: unknown, or said). */
int store_possible_decide(struct store *st, const char *key, const char *status,
    const char *who, const char *reason, const char *now);

/* ---- notifications (contract §15) ---- */

struct store_notification {
	const char *key;		/* the idempotency key */
	const char *kind;		/* digest | alert */
	const char *channel;		/* email | webhook */
	const char *owner_id, *recipient;	/* recipient: an address */
	const char *subject, *body, *message_id;
	const char *created_at;
};
/* Queues n. Returns 1, 0 when its key is queued already, -1 on error. */
int store_notify_put(struct store *st, const struct store_notification *n);
/* Those waiting whose next attempt is due at now: id, key, kind, channel,
 * owner_id, recipient, subject, body, message_id, created_at, attempts. */
int store_notify_due(struct store *st, const char *now, store_row_fn fn,
    void *ctx);
/* After an attempt: sent (error NULL), or failed, next at next_at, or
 * given up on. */
int store_notify_done(struct store *st, int64_t id, const char *now,
    const char *error, const char *next_at, int give_up);
/* When the last notification of kind for owner was queued (*ret NULL:
 * never). Returns 1, 0 or -1. */
int store_notify_last(struct store *st, const char *owner_id, const char *kind,
    char **ret);
/* Per channel: sent, waiting, gave_up, last_error, last_sent. */
int store_notify_status(struct store *st, store_row_fn fn, void *ctx);
/* The owners a digest may go to: id, name, email, is_active. */
int store_digest_owners(struct store *st, store_row_fn fn, void *ctx);
/* An owner's open alerts and those resolved after since, worst first:
 * key, type, severity, message, status, first_seen, resolved_at,
 * escalated_at, subject. */
int store_digest_alerts(struct store *st, const char *owner_id,
    const char *since, store_row_fn fn, void *ctx);
/* Every open alert: key, type, severity, message, first_seen, owner_id,
 * account_owner_id. */
int store_immediate_alerts(struct store *st, store_row_fn fn, void *ctx);
/*
 * Owner owner_id's digest at time now (owner_name, or the id, names
 * them): the alerts since their last digest and their approval queue.
 * Returns 1 with out filled, 0 when there is nothing to say, -1 on error.
 */
struct digest;
int store_digest_compose(struct store *st, const struct config *cfg,
    const char *owner_id, const char *owner_name, int64_t now,
    struct digest *out);

/* ---- plans, scores, alerts (the rules' pass) ---- */

/*
 * The approval queue's input: pending registrations (of source, and of
 * partners whose owner is owner: a User id, name or e-mail; NULL: any)
 * and those decided since then. Strings in a; arrays to free. Returns 0
 * or -1.
 */
struct queue_claim;
struct queue_decided;
int store_queue_input(struct store *st, const char *source, const char *owner,
    int64_t since, struct arena *a, struct queue_claim **claims,
    size_t *nclaims, struct queue_decided **decided, size_t *ndecided);
/* The periods plans exist for, oldest first: period. */
int store_plan_periods(struct store *st, store_row_fn fn, void *ctx);
/* 1 when any partner has a scorecard for period, 0 when none, -1. */
int store_period_scored(struct store *st, const char *period);
/* The figures of period p, for plan_compute, and with past_due_before
 * ("YYYY-MM-DD", or NULL) every open opportunity closing before it.
 * Returns 0 or -1 (in freed). */
int store_plan_input(struct store *st, const struct plan_period *p,
    const char *past_due_before, struct plan_input *in);
/* The evidence over the windows w, and the scores of previous_period
 * (NULL: none), for score_compute. Returns 0 or -1 (in freed). */
int store_score_input(struct store *st, const struct score_windows *w,
    const char *previous_period, struct score_input *in);
/* The stored scores of period, by partner, strings in a: *ret (an array
 * the caller frees) of *ret_n. Returns 0 or -1. */
int store_period_scores(struct store *st, const char *period, struct arena *a,
    struct score_stored **ret, size_t *ret_n);
/* Open conflicts, pending and approved registrations, and every stored
 * alert, for alerts_compute. Returns 0 or -1 (in freed). */
int store_alerts_input(struct store *st, struct alerts_input *in);


struct store_partner_period {
	const char *partner_id, *period;
	double closed_won, pipeline, risk_adjusted;
	const double *plan_target, *total_target, *risk_target;	/* NULL: none */
	const double *coverage, *risk_coverage, *attainment, *score;
	const char *tier;
	const char *kpis;		/* JSON: the scorecard */
};
int store_partner_period_put(struct store *st,
    const struct store_partner_period *p, const char *now);
/* Scorecards (partner_id, period: NULL for all), best score first. */
int store_partner_periods(struct store *st, const char *partner_id,
    const char *period, store_row_fn fn, void *ctx);
/* The ids of the partners the CRM has and has not deleted. */
int store_crm_partner_ids(struct store *st, store_row_fn fn, void *ctx);
/* The scorecards of period of partners the CRM has and has not deleted. */
int store_writeback_partners(struct store *st, const char *period,
    store_row_fn fn, void *ctx);
/*
 * A first full load of kind: when its table is empty, its partner index
 * is dropped (returns 1) until store_bulk_end builds it again in one
 * pass, and the load runs under a rollback journal (WAL again at
 * store_bulk_end; when another connection had the database open, WAL
 * throughout with checkpoints less often); 0 when the table has rows
 * (nothing changes), -1 on error.
 */
int store_bulk_begin(struct store *st, enum entity_kind kind);
int store_bulk_end(struct store *st, enum entity_kind kind);
/* 1: a small page cache for the passes after the sync; 0: the full one. */
int store_cache_small(struct store *st, int small);

struct store_alert {
	const char *key, *type, *partner_id, *subject, *period;
	const char *severity, *message, *evidence;	/* evidence: JSON */
	const char *first_seen, *last_seen, *status, *resolved_at;
	const char *owner_id;		/* the partner's owner (a CRM User) */
	const char *account_owner_id;	/* direct conflict: the deal's owner */
};
int store_alert_put(struct store *st, const struct store_alert *a);
/* Open alerts (all: every one), worst first. */
/* A partner's registrations since (UTC ISO), newest first: key, source,
 * customer_name, product, status, registered_at, decided_at, expires_at,
 * amount_base. */
int store_report_registrations(struct store *st, const char *partner_id,
    const char *since, store_row_fn fn, void *ctx);
/* A partner's activities of kind, newest first: external_id, kind,
 * occurred_at, value, status. */
int store_report_activities(struct store *st, const char *partner_id,
    const char *kind, store_row_fn fn, void *ctx);
/* Open conflicts with a claim of partner_id: key, type, customer, winner,
 * claims (that partner's members), others (the other partners' names),
 * opened_at. */
int store_partner_conflicts(struct store *st, const char *partner_id,
    store_row_fn fn, void *ctx);
struct store_alert_filter {
	int all;			/* resolved ones too */
	const char *type, *partner_id, *severity;
	const char *owner;		/* a User's id, name or e-mail */
};
int store_list_alerts(struct store *st, const struct store_alert_filter *f,
    store_row_fn fn, void *ctx);
/* Every alert with its evidence (the write-back's source). */
int store_list_alert_rows(struct store *st, store_row_fn fn, void *ctx);

/* ---- write-back (writeback.c) ---- */

/* What the CRM last acknowledged for one record: rows field, value. */
int store_ack_get(struct store *st, const char *object, const char *record,
    store_row_fn fn, void *ctx);
/* Every acknowledged field of an object: record, field, value. */
int store_acks(struct store *st, const char *object, store_row_fn fn, void *ctx);
int store_ack_put(struct store *st, const char *object, const char *record,
    const char *field, const char *value, const char *now);
/* Queues a write (one per object and record: a newer one replaces it). */
int store_outbox_put(struct store *st, const char *object, const char *record,
    const char *fields, const char *now);
/* Queued writes: id, object, record, fields, attempts, last_error. */
int store_outbox(struct store *st, store_row_fn fn, void *ctx);
/* Removes a sent write, or (error) counts a failed attempt. */
int store_outbox_done(struct store *st, int64_t id, const char *error);
/* Queued writes that failed at least once. */
int64_t store_outbox_failures(struct store *st);
/* Every conflict: key, type, status, customer, winner, reason, evidence. */
int store_conflict_rows(struct store *st, store_row_fn fn, void *ctx);

#endif
