/*
 * conflicts_index.h - the conflict engine's index (conflicts_index.c),
 * as its other files see it: the claims, the nodes and their
 * clusters, and the engine's state between passes. Private to
 * src/rules/conflicts*.c; the engine's interface is rules/conflicts.h.
 */
#ifndef CHANSYNC_CONFLICTS_INDEX_H
#define CHANSYNC_CONFLICTS_INDEX_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"
#include "lib/strmap.h"
#include "rules/conflicts.h"
#include "rules/match.h"

enum claim_kind { CLAIM_REG, CLAIM_OPP };

#define CLAIM_BLOCK 4096	/* claims per block of the claim store */

/* An active claim; inactive ones are not kept. */
struct claim {
	const char *key;	/* the claim_of map's copy */
	char *name;		/* as the source wrote it (interned for
				 * opportunities: many name one account) */
	/* interned (shared, kept for the engine's life): */
	const char *domain;
	const char *partner;	/* NULL: none (direct) */
	const char *product;
	const char *partner_name;	/* the CRM partner's; NULL: unknown */
	char country[3];
	uint8_t kind;		/* enum claim_kind */
	uint8_t unresolved;	/* its partner id is no CRM partner's */
	const char *status;	/* interned: a status or a stage, never NULL */
	int node;		/* -1: not in the index */
	float probability;	/* 0-100, -1: unknown */
	double amount;		/* base currency, 0: unknown */
	/* an opportunity's registered_at is its creation, its expires_at
	 * its close date */
	int64_t registered_at, decided_at, expires_at;	/* 0: unknown */
	int64_t ends_at;	/* when it stops being active (0: never):
				 * stale, past protection, past the grace */
};

static inline int
cx_is_approved(const struct claim *a)
{
	return a->kind == CLAIM_REG && strcmp(a->status, "approved") == 0;
}

/* An approved claim is protected until then (0: for ever). */
int64_t cx_protected_until(const struct claim *cl, const struct config *cfg);
/* The time a claim's protection window starts (0: unknown). */
int64_t cx_anchor(const struct claim *cl);

#define NO_CENTER UINT32_MAX

/*
 * A node: the claims that name a customer one way. Nodes are clustered
 * around centers: a node joins the cluster whose center's name matches
 * its own best, so a cluster is a customer and matches never chain from
 * one company to the next (A ~ B ~ C would make A and C one).
 */
struct node {
	int alive;
	uint32_t via;		/* the member whose other name it matched, when
				 * not the center's ("Sega" through "Marvell
				 * DBA Sega"); NO_CENTER: none */
	const char *ident;	/* "d:domain" or "k:key|cc" (node_of's copy) */
	char *name_key;		/* what its names are compared by */
	const char *domain;	/* interned */
	char country[3];
	char form_initial;	/* its first name's legal form's first letter */
	uint32_t form;		/* a hash of its first name's legal form (0: none) */
	uint32_t *claims;
	uint32_t *members;	/* a center's cluster, itself included */
	const char *cluster_domain;	/* a center's: its cluster's domain */
	char cluster_country[3];	/* a center's: the first country a
					 * member of its cluster names */
	uint32_t nclaims, capclaims, nmembers, capmembers;
	uint32_t center;	/* its cluster's center (itself for a center) */
	float score;		/* its match with the center */
	uint32_t seen;		/* pass stamp */
	uint8_t measure;
	uint8_t dirty;		/* a center: derive its cluster again */
	uint8_t posted;		/* its blocking keys are in the postings */
	uint8_t alias;		/* its name carries a second one ("A DBA B") */
};

struct posting {
	uint32_t *v;
	size_t n, cap;
};

struct conflicts {
	struct claim **claim_blocks;	/* CLAIM_BLOCK claims each: growing
					 * never copies, never doubles */
	size_t nclaims, capclaims;
	struct strmap claim_of;		/* key -> claim index + 1, active claims
					 * (0: just made, not a claim yet) */
	uint32_t *free_claims;		/* slots of claims gone inactive */
	size_t nfree_claims, capfree_claims;
	int passes;
	struct node *nodes;
	size_t nnodes, capnodes;
	struct strmap node_of;		/* ident -> node index + 1 (0: none) */
	struct strmap interned;		/* partners, products, domains */
	uint32_t *free_nodes;		/* dead nodes, for reuse */
	size_t nfree, capfree;
	struct posting *postings;
	size_t npostings, cappostings;
	struct strmap posting_of;	/* blocking key -> posting index */
	/* a name's words run together (a 32-bit hash of them) -> a node
	 * that writes them so, + 1: names joined or split meet here
	 * ("integrated technology express", "integratedtechnologyexpress")
	 * for 8 bytes a slot rather than a posting each */
	struct joined_slot {
		uint32_t hash;		/* 0: empty */
		uint32_t node1;
	} *joined;
	size_t capjoined, njoined;
	struct match_idf *idf;
	char *since;			/* synced_at of the previous pass */
	struct strmap score_of;		/* partner -> index + 1 in scores */
	double *scores;			/* highest_score: current partner scores */
	size_t nscores, capscores;
	unsigned char scores_digest[32];
	uint32_t stamp;
	/* this pass: the keys of the rows read (remembered after the first
	 * pass, which derives every group anyway) */
	char **changed;
	size_t nchanged, capchanged;
	int keep_changed;
	int (*tick)(void *);		/* the daemon's watchdog and stop */
	void *tick_arg;
	uint32_t steps;			/* since the last tick */
	int stopped;			/* the tick said stop */
	unsigned char identity[32];	/* digest of the partner resolutions */
	struct strmap confirmed, rejected;	/* pair keys an operator decided */
	struct conflict_possible *possible;	/* met this pass */
	size_t npossible, cappossible;
};

static inline struct claim *
claim_at(const struct conflicts *c, size_t i)
{
	return &c->claim_blocks[i / CLAIM_BLOCK][i % CLAIM_BLOCK];
}

/* Most vectors here hold one or two: they start at two. */
static inline void
u32_push(uint32_t **v, size_t *n, size_t *cap, uint32_t x)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 2;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	(*v)[(*n)++] = x;
}

/* Removes x from v[0..n) (order is not kept); returns the new count. */
static inline size_t
u32_remove(uint32_t *v, size_t n, uint32_t x)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == x) {
			v[i] = v[n - 1];
			return n - 1;
		}
	return n;
}

static inline int
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* The strings up to a NULL joined into out (len bytes), cut to fit. */
void cx_join_parts(char *out, size_t len, ...);
/* conflicts_tick for n steps at once. */
int conflicts_tick_n(struct conflicts *c, uint32_t n);
/* Lower-cases the ASCII letters of s (product lines compare so, as
 * strcasecmp does). */
void cx_fold_ascii(char *s);
/* The score_of key of a partner's score (product NULL) or its win rate
 * on a product line. */
void cx_score_key(char *out, size_t len, const char *partner,
    const char *product);
/* Marks every cluster to be derived again. */
void cx_dirty_all(struct conflicts *c);

/* ---- conflicts_blocking.c: which names are compared ---- */

/* A blocking key shared by more nodes than this says nothing. */
#define POSTING_CAP 200
/* Blocking keys of a node at most: its name's and its two parts'. */
#define BLOCKING_KEYS (3 * (MATCH_MAX_TOKENS + 5))
/* Names meet by their words run together from this length (the joined
 * measure's). */
#define JOINED_MIN 6

/* The posting of a key (made when create), or NULL. */
struct posting *cx_posting(struct conflicts *c, const char *key, int create);
/* The blocking keys of a prepared name (at most max, each once). */
size_t cx_blocking_keys(const struct match_name *m, char keys[][80],
    size_t max);
/* The node that writes these words run together, + 1 (0: none). */
uint32_t cx_joined_get(const struct conflicts *c, const char *joined);
/* Node ni's keys into the postings and its words run together into their
 * table (add), or out of them. */
void cx_post_node(struct conflicts *c, uint32_t ni, int add);

#endif
