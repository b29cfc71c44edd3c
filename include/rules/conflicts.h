/*
 * conflicts.h - who else claims this end customer (contract §7).
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
 *
 * The engine never sees the store. A pass (pass_conflicts.c) feeds it
 * typed rows and receives each change through a sink:
 *
 *   conflicts_since(c)                 what to read: rows synced since
 *   conflicts_apply(c, row, now)       for each row read
 *   conflicts_prepare(c, cfg, now)     expiries, clustering
 *   conflicts_set_scores(c, ...)       highest_score: the partners' scores
 *   conflicts_derive(c, cfg, known, sink)  the changes, one by one
 *   conflicts_done(c, now)             once the changes are kept, or
 *   conflicts_failed(c)                when they are not (derive all again)
 *
 * The files: conflicts_index.c (claims, nodes, blocking, clustering),
 * conflicts_rule.c (the ruling over one group of claims: members,
 * winner, evidence), conflicts.c (the pass over the groups that changed,
 * and the difference to the conflicts known).
 */
#ifndef CHANSYNC_CONFLICTS_H
#define CHANSYNC_CONFLICTS_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "lib/json.h"

struct conflicts;

/* A registration, or (is_opportunity) a CRM opportunity, as read. The
 * strings are borrowed for the call. */
struct conflict_claim_row {
	int is_opportunity;
	const char *key;		/* "source:id", "opportunity:Id" */
	const char *partner_id;		/* NULL: none (direct) */
	const char *partner_name;	/* the CRM partner's, NULL: unknown */
	const char *customer_name, *customer_domain, *customer_country;
	const char *product;
	const char *status;		/* a registration's, an opportunity's stage */
	/* an opportunity's registered_at is its CreatedDate, its expires_at
	 * its close date */
	int64_t registered_at, decided_at, expires_at;	/* 0: unknown */
	int partner_unresolved;		/* partner_id is no CRM partner's and
					 * none was found for it: kept out of
					 * partner conflicts */
	double amount;			/* in the base currency; 0: unknown */
	double probability;		/* 0-100: the opportunity's, or the
					 * linked one's; -1: unknown */
	int deleted, is_closed;
};

/* A conflict as stored (borrowed strings). Its evidence is known by its
 * SHA-256 (hex) only: a pass compares, and a million claims' evidence
 * held in memory for that would cost tens of megabytes. */
struct conflict_state {
	const char *key, *type, *status;	/* open | resolved | closed |
						 * decided */
	const char *crm_status, *winner, *evidence_sha;	/* may be NULL */
	const char *customer, *customer_domain, *customer_country, *reason;
};

/* A present member of a stored conflict. */
struct conflict_member_row {
	const char *conflict_key, *member;
};

struct conflicts_known {
	const struct conflict_state *states;
	size_t nstates;
	const struct conflict_member_row *members;
	size_t nmembers;
};

/* A conflict to store. */
struct conflict_record {
	const char *key, *type, *status;	/* open | resolved | closed */
	const char *customer, *customer_domain, *customer_country;
	const char *policy, *winner, *reason;
	const char *evidence;			/* JSON; NULL: as stored */
	const char *opened_at, *updated_at, *resolved_at, *resolution;
	int clear_crm_status;			/* reopened: the CRM's word is old */
};

/* A member added (again) to a conflict, or (!present) removed. */
struct conflict_member_change {
	const char *member, *kind, *partner_id;
	int present;
};

enum conflict_action {
	CONFLICT_OPENED, CONFLICT_UPDATED, CONFLICT_REOPENED,
	CONFLICT_RESOLVED, CONFLICT_CLOSED,
};

/* One change, handed to the sink; everything in it is borrowed for the
 * call except audit, which the sink takes. */
struct conflict_change {
	enum conflict_action action;
	const char *action_name;	/* "conflict.opened", ... */
	struct conflict_record rec;
	const struct conflict_member_change *members;
	size_t nmembers;
	size_t size;			/* members after the change */
	struct jval *audit;		/* the audit row's detail */
};

/* Keeps one change; 0, or -1 to stop (the pass is then undone). */
typedef int (*conflicts_sink_fn)(void *ctx, struct conflict_change *ch);

/* A partner's current score (highest_score), or its win rate on a
 * product line over the trailing year (likelihood_to_close: product set,
 * score 0-1). */
struct conflict_score {
	const char *partner_id;
	double score;
	const char *product;
};

struct conflicts_result {
	int64_t rows;			/* rows read */
	int64_t claims, nodes;		/* active, in the index */
	int64_t compared;		/* name comparisons made */
	int64_t groups;			/* customer groups re-derived */
	int64_t largest_group;		/* claims in the largest of them */
	int64_t opened, updated, resolved, closed, reopened;
	int64_t possible;		/* possible matches met */
	char error[256];
};

struct conflicts *conflicts_new(void);
void conflicts_free(struct conflicts *c);

/*
 * tick(arg) is called now and then in the engine's long loops (a first
 * pass over a million claims, one customer claimed twenty thousand
 * times): it keeps the daemon's watchdog fed, and when it returns
 * non-zero the pass stops (conflicts_prepare and conflicts_derive return
 * -1). NULL: never.
 */
void conflicts_set_tick(struct conflicts *c, int (*tick)(void *arg),
    void *arg);
/* Calls the tick every CONFLICTS_TICK_EVERY steps; 1 when it said stop. */
int conflicts_tick(struct conflicts *c);
#define CONFLICTS_TICK_EVERY 4096

/*
 * The synced_at time to read rows from ("" on the first pass: every row
 * that can be a claim). Borrowed until conflicts_done.
 */
const char *conflicts_since(const struct conflicts *c);
/* 1 on the first pass: the rows read are only those that can be claims. */
int conflicts_first_pass(const struct conflicts *c);

/*
 * Takes one row read at time now into the index when it is an active
 * claim (contract §7): pending and not stale (registered within
 * registrations.pending_max_age), approved and still protected (until
 * expires_at, else the decision + registrations.default_validity), an
 * open opportunity with no partner whose close date is not more than
 * rules.conflicts.direct_grace past.
 */
void conflicts_apply(struct conflicts *c, const struct config *cfg,
    const struct conflict_claim_row *row, int64_t now,
    struct conflicts_result *res);
/* Drops the claims whose expiry has come and clusters the new nodes.
 * Returns 0, or -1 when the tick said stop. */
int conflicts_prepare(struct conflicts *c, const struct config *cfg,
    int64_t now, struct conflicts_result *res);
/*
 * The digest of how partner ids resolve this pass. When it differs from
 * the previous pass's, the index starts again from nothing (the claims
 * hold their partners as resolved when read) and 1 is returned.
 */
int conflicts_identity(struct conflicts *c, const unsigned char digest[32]);
/* highest_score: the partners' current scores; likelihood_to_close: their
 * win rates per product line (copied). A change from the previous pass's
 * derives every group again. */
void conflicts_set_scores(struct conflicts *c, const struct conflict_score *v,
    size_t n);
/*
 * Derives the conflicts of every group that changed and compares them
 * with known: each opened, updated, reopened, resolved or closed
 * conflict goes to sink, in order. now is the changes' time. Returns 0,
 * or -1 when the sink refused one (res->error says where).
 */
int conflicts_derive(struct conflicts *c, const struct config *cfg,
    const struct conflicts_known *known, const char *now,
    conflicts_sink_fn sink, void *ctx, struct conflicts_result *res);
/*
 * Possible matches (contract §7): two names alike below match_threshold
 * but at rules.conflicts.review_threshold or above open no conflict; each
 * pass lists those it met. An operator confirms a pair (the names are
 * one customer from then on) or rejects it (never listed again). Pairs
 * are the two name keys joined by '\x1f', in order.
 */
struct conflict_possible {
	const char *key_a, *key_b;	/* the name keys */
	const char *claim_a, *claim_b;	/* a claim of each */
	const char *name_a, *name_b;	/* as those claims write them */
	double score;
	int measure;			/* enum match_measure */
};
/* Why a possible match's names are alike (match_explain), into out. */
void conflicts_explain(const struct conflicts *c,
    const struct conflict_possible *p, char *out, size_t len);
/* The confirmed and the rejected pairs (copied). */
void conflicts_set_pairs(struct conflicts *c, const char *const *confirmed,
    size_t nconfirmed, const char *const *rejected, size_t nrejected);
/* The possible matches met this pass; borrowed until the next pass. */
const struct conflict_possible *conflicts_possible(const struct conflicts *c,
    size_t *n);
/* The pair key of two name keys ("a\x1fb", in order): a new string. */
char *conflicts_pair_key(const char *a, const char *b);

/* The changes are kept: the next pass reads from now on. */
void conflicts_done(struct conflicts *c, int64_t now, struct conflicts_result *res);
/* They were not: the next pass reads the same rows and derives all. */
void conflicts_failed(struct conflicts *c, struct conflicts_result *res);

#endif
