/*
 * conflicts.c - conflict detection (see conflicts.h and SPEC §7).
 */
#include "rules/conflicts.h"
#include "lib/clock.h"
#include "lib/digest.h"
#include "lib/json.h"
#include "lib/log.h"
#include "rules/match.h"
#include "lib/mem.h"
#include "model/normalize.h"
#include "model/normalize_name.h"
#include "lib/strmap.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A blocking key shared by more nodes than this says nothing. */
#define POSTING_CAP 200
/* Letters of the distinctive part that make a prefix key. */
#define PREFIX_LEN 5

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
	char country[3];
	uint8_t kind;		/* enum claim_kind */
	const char *status;	/* interned: a status or a stage, never NULL */
	int node;		/* -1: not in the index */
	int64_t registered_at, decided_at, expires_at;	/* 0: unknown */
};

#define NO_CENTER UINT32_MAX

/*
 * A node: the claims that name a customer one way. Nodes are clustered
 * around centers: a node joins the cluster whose center's name matches
 * its own best, so a cluster is a customer and matches never chain from
 * one company to the next (A ~ B ~ C would make A and C one).
 */
struct node {
	int alive;
	const char *ident;	/* "d:domain" or "k:key|cc" (node_of's copy) */
	char *name_key;		/* what its names are compared by */
	const char *domain;	/* interned */
	char country[3];
	uint32_t *claims;
	uint32_t *members;	/* a center's cluster, itself included */
	const char *cluster_domain;	/* a center's: its cluster's domain */
	uint32_t nclaims, capclaims, nmembers, capmembers;
	uint32_t center;	/* its cluster's center (itself for a center) */
	float score;		/* its match with the center */
	uint32_t seen;		/* pass stamp */
	uint8_t measure;
	uint8_t dirty;		/* a center: derive its cluster again */
	uint8_t posted;		/* its blocking keys are in the postings */
};

struct posting {
	uint32_t *v;
	size_t n, cap;
};

/* A conflict as stored: what a new derivation is compared with. */
struct known {
	char *key, *type, *status, *crm_status, *winner, *evidence;
	char **members;
	size_t nmembers, capmembers;
	int touched, produced;
	const char *merged_into;
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
	struct match_idf *idf;
	char *since;			/* synced_at of the previous pass */
	struct strmap score_of;		/* partner -> index + 1 in scores */
	double *scores;			/* highest_score: current partner scores */
	size_t nscores, capscores;
	unsigned char scores_digest[32];
	uint32_t stamp;
	int loaded;
};

static struct claim *
claim_at(const struct conflicts *c, size_t i)
{
	return &c->claim_blocks[i / CLAIM_BLOCK][i % CLAIM_BLOCK];
}

struct conflicts *
conflicts_new(void)
{
	struct conflicts *c = xcalloc(1, sizeof(*c));

	c->idf = match_idf_new();
	return c;
}

static void
claim_free(struct claim *cl)
{
	if (cl->kind != CLAIM_OPP)	/* an opportunity's name is interned */
		free(cl->name);
}

/*
 * The name key of a claim, or NULL: norm_name_key's memoized copy,
 * borrowed until the next name key is asked for.
 */
static const char *
claim_key(const struct claim *cl)
{
	return cl->name ? norm_name_key_ref(cl->name) : NULL;
}

void
conflicts_free(struct conflicts *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nclaims; i++)
		if (claim_at(c, i)->key)
			claim_free(claim_at(c, i));
	for (i = 0; i < (c->capclaims + CLAIM_BLOCK - 1) / CLAIM_BLOCK; i++)
		free(c->claim_blocks[i]);
	free(c->claim_blocks);
	free(c->free_claims);
	for (i = 0; i < c->nnodes; i++) {
		free(c->nodes[i].name_key);
		free(c->nodes[i].claims);
		free(c->nodes[i].members);
	}
	free(c->nodes);
	free(c->free_nodes);
	for (i = 0; i < c->npostings; i++)
		free(c->postings[i].v);
	free(c->postings);
	strmap_free(&c->claim_of);
	strmap_free(&c->node_of);
	strmap_free(&c->interned);
	strmap_free(&c->posting_of);
	strmap_free(&c->score_of);
	free(c->scores);
	match_idf_free(c->idf);
	free(c->since);
	free(c);
}

/* ---- small vectors ---- */

/* Most vectors here hold one or two: they start at two. */
static void
u32_push(uint32_t **v, size_t *n, size_t *cap, uint32_t x)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 2;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	(*v)[(*n)++] = x;
}

/* The same for a node's (32-bit counted) vectors. */
static void
u32_push32(uint32_t **v, uint32_t *n, uint32_t *cap, uint32_t x)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 2;
		*v = xrealloc(*v, (size_t)*cap * sizeof(**v));
	}
	(*v)[(*n)++] = x;
}

/* Removes x from v[0..n) (order is not kept); returns the new count. */
static size_t
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

/* Room for one more element in a large array, growing by half. */
static void
grow_half(void *arr, size_t *cap, size_t n, size_t sz)
{
	void **a = arr;

	if (n < *cap)
		return;
	*cap = *cap < 64 ? 64 : *cap + *cap / 2;
	*a = xrealloc(*a, *cap * sz);
}

/* ---- the index ---- */

static struct posting *
posting(struct conflicts *c, const char *key, int create)
{
	uint32_t *ix;
	int created;

	if (!create)
		return (ix = strmap_get(&c->posting_of, key, strlen(key))) ?
		    &c->postings[*ix] : NULL;
	ix = strmap_put(&c->posting_of, key, strlen(key), &created);
	if (created) {
		xgrow(&c->postings, &c->cappostings, c->npostings + 1,
		    sizeof(*c->postings));
		memset(&c->postings[c->npostings], 0, sizeof(*c->postings));
		*ix = (uint32_t)c->npostings++;
	}
	return &c->postings[*ix];
}

/* The blocking keys of a node: rare tokens, a prefix, acronyms. */
static size_t
blocking_keys(const struct match_name *m, char keys[][80], size_t max)
{
	size_t n = 0, i;

	/* the words that tell companies apart (all of them, for a name of
	 * generic words only: match_prepare marks those distinct then) */
	for (i = 0; i < m->ntok && n < max; i++)
		if (m->tok[i].len >= 2 && m->tok[i].cls == MATCH_TOK_DISTINCT)
			snprintf(keys[n++], 80, "t:%.*s", (int)m->tok[i].len, m->tok[i].s);
	if (strlen(m->distinct) >= 4 && n < max)
		snprintf(keys[n++], 80, "p:%.*s", PREFIX_LEN, m->distinct);
	if (m->compact[0] && strlen(m->compact) >= 2 && n < max)
		snprintf(keys[n++], 80, "a:%s", m->compact);
	if (m->ntok >= 2 && n < max)
		snprintf(keys[n++], 80, "a:%s", m->initials);
	if (m->ntok >= 2 && strcmp(m->initials, m->initials_nostop) != 0 && n < max)
		snprintf(keys[n++], 80, "a:%s", m->initials_nostop);
	return n;
}

/* Do two nodes' countries allow a name match? */
static int
countries_agree(const struct node *a, const struct node *b)
{
	return !a->country[0] || !b->country[0] ||
	    strcmp(a->country, b->country) == 0;
}

static void
post_node(struct conflicts *c, uint32_t ni, int add)
{
	struct node *n = &c->nodes[ni];
	struct match_name mn;
	char keys[MATCH_MAX_TOKENS + 4][80];
	size_t nk, k;

	if (n->name_key == NULL || n->posted == add)
		return;
	match_prepare(NULL, n->name_key, &mn);
	nk = blocking_keys(&mn, keys, sizeof(keys) / sizeof(keys[0]));
	for (k = 0; k < nk; k++) {
		struct posting *p = posting(c, keys[k], add);

		if (p && !add)
			p->n = u32_remove(p->v, p->n, ni);
		else if (p && p->n <= POSTING_CAP)
			u32_push(&p->v, &p->n, &p->cap, ni);
	}
	n->posted = add;
}

static void
join(struct conflicts *c, uint32_t ni, uint32_t center, double score,
    enum match_measure how)
{
	struct node *n = &c->nodes[ni], *z = &c->nodes[center];

	n->center = center;
	n->score = (float)score;
	n->measure = (uint8_t)how;
	u32_push32(&z->members, &z->nmembers, &z->capmembers, ni);
	if (n->domain && z->cluster_domain == NULL)
		z->cluster_domain = n->domain;
	z->dirty = 1;
}

/*
 * Puts a node without a cluster into the cluster whose center matches
 * its name best (at threshold, countries agreeing, domains not
 * differing), or makes it a center. Candidates come from its blocking
 * keys; a key posted by more than POSTING_CAP nodes is skipped (a token
 * that common cannot decide).
 */
static void
link_node(struct conflicts *c, uint32_t ni, double threshold,
    struct conflicts_result *res)
{
	struct node *n = &c->nodes[ni];
	struct match_name mn;
	char keys[MATCH_MAX_TOKENS + 4][80];
	size_t nk, k, i;
	uint32_t best = NO_CENTER;
	double bests = 0;
	enum match_measure besthow = MATCH_NONE;

	if (n->name_key) {
		match_prepare(c->idf, n->name_key, &mn);
		nk = blocking_keys(&mn, keys, sizeof(keys) / sizeof(keys[0]));
		c->stamp++;
		n->seen = c->stamp;
		for (k = 0; k < nk; k++) {
			struct posting *p = posting(c, keys[k], 0);

			if (p == NULL || p->n > POSTING_CAP)
				continue;
			for (i = 0; i < p->n; i++) {
				struct node *o = &c->nodes[p->v[i]], *z;
				struct match_name mz;
				enum match_measure how;
				double sc;

				if (!o->alive || o->center == NO_CENTER)
					continue;
				z = &c->nodes[o->center];
				if (z->seen == c->stamp || z->name_key == NULL)
					continue;
				z->seen = c->stamp;
				/* two domains that differ decide: two customers */
				if (!countries_agree(n, z) || (n->domain &&
				    z->cluster_domain && strcmp(n->domain,
				    z->cluster_domain) != 0))
					continue;
				match_prepare(c->idf, z->name_key, &mz);
				sc = match_score(&mn, &mz, &how);
				res->compared++;
				if (sc + 1e-9 >= threshold && sc > bests) {
					bests = sc;
					best = o->center;
					besthow = how;
				}
			}
		}
	}
	if (best == NO_CENTER) {
		n->center = ni;
		n->nmembers = 0;
		u32_push32(&n->members, &n->nmembers, &n->capmembers, ni);
		n->cluster_domain = n->domain;
		n->dirty = 1;
	} else
		join(c, ni, best, bests, besthow);
	post_node(c, ni, 1);
}

/* A node leaves its cluster; a center's members must find another. */
static void
leave_cluster(struct conflicts *c, uint32_t ni)
{
	struct node *n = &c->nodes[ni];
	size_t i;

	if (n->center == NO_CENTER)
		return;
	if (n->center != ni) {
		struct node *z = &c->nodes[n->center];

		z->nmembers = (uint32_t)u32_remove(z->members, z->nmembers, ni);
		z->dirty = 1;
	} else {
		for (i = 0; i < n->nmembers; i++)
			if (n->members[i] != ni)
				c->nodes[n->members[i]].center = NO_CENTER;
		n->nmembers = 0;
		n->cluster_domain = NULL;
	}
	n->center = NO_CENTER;
}

static void
detach(struct conflicts *c, struct claim *cl, uint32_t ci)
{
	struct node *n;

	if (cl->node < 0)
		return;
	n = &c->nodes[cl->node];
	n->nclaims = (uint32_t)u32_remove(n->claims, n->nclaims, ci);
	if (n->center != NO_CENTER)
		c->nodes[n->center].dirty = 1;
	{
		const char *k = claim_key(cl);

		if (k)
			match_idf_remove(c->idf, k);
	}
	if (n->nclaims == 0) {
		leave_cluster(c, (uint32_t)cl->node);
		post_node(c, (uint32_t)cl->node, 0);
		n->alive = 0;
		*strmap_put(&c->node_of, n->ident, strlen(n->ident), NULL) = 0;
		u32_push(&c->free_nodes, &c->nfree, &c->capfree, (uint32_t)cl->node);
	}
	cl->node = -1;
}

/*
 * The strings up to a NULL joined into out (len bytes), cut to fit: what
 * snprintf("%s%s...") would make, without printf per claim.
 */
static void
join_parts(char *out, size_t len, ...)
{
	va_list ap;
	const char *part;
	size_t n = 0, k;

	va_start(ap, len);
	while ((part = va_arg(ap, const char *)) != NULL) {
		k = strlen(part);
		if (k > len - 1 - n)
			k = len - 1 - n;
		memcpy(out + n, part, k);
		n += k;
	}
	va_end(ap);
	out[n] = '\0';
}

/*
 * Puts claim ci in the node of its domain or of its name key and country.
 * dslot is its domain's slot in the interned map, or NULL: the slot's
 * value remembers the domain's node (index + 1), so that the claims of a
 * known domain find it without building and looking up its identity.
 */
static void
attach(struct conflicts *c, struct claim *cl, uint32_t ci, uint32_t *dslot)
{
	char ident[320];
	const char *name_key = claim_key(cl), *stored;
	uint32_t *ix, node;	/* node: its index + 1 */
	struct node *n;

	node = cl->domain && dslot ? *dslot : 0;
	if (node == 0 || node > c->nnodes || !c->nodes[node - 1].alive ||
	    c->nodes[node - 1].domain != cl->domain) {
		/* not remembered (or the node is gone): found by identity */
		if (cl->domain)
			join_parts(ident, sizeof(ident), "d:", cl->domain,
			    (char *)NULL);
		else if (name_key)
			join_parts(ident, sizeof(ident), "k:", name_key, "|",
			    cl->country, (char *)NULL);
		else
			return;		/* nothing to compare it by */
		stored = strmap_intern(&c->node_of, ident, strlen(ident), &ix);
		if (*ix == 0) {
			uint32_t ni;

			if (c->nfree) {
				/* a dead node's slot: nothing points at it any more */
				ni = c->free_nodes[--c->nfree];
				n = &c->nodes[ni];
				free(n->name_key);
				free(n->claims);
				free(n->members);
			} else {
				grow_half(&c->nodes, &c->capnodes, c->nnodes,
				    sizeof(*c->nodes));
				ni = (uint32_t)c->nnodes++;
				n = &c->nodes[ni];
			}
			memset(n, 0, sizeof(*n));
			n->alive = 1;
			n->center = NO_CENTER;
			n->ident = stored;
			n->name_key = name_key ? xstrdup(name_key) : NULL;
			n->domain = cl->domain;
			memcpy(n->country, cl->country, sizeof(n->country));
			*ix = ni + 1;
		}
		node = *ix;
		if (cl->domain && dslot)
			*dslot = node;
	}
	n = &c->nodes[node - 1];
	u32_push32(&n->claims, &n->nclaims, &n->capclaims, ci);
	if (n->center != NO_CENTER)
		c->nodes[n->center].dirty = 1;
	if (name_key)
		match_idf_add(c->idf, name_key);
	cl->node = (int)(node - 1);
}

/* ---- reading rows ---- */


/* The columns of store_conflict_claims, by position: a claim row is read
 * a million times on a big org's first pass. */
enum { CL_KIND, CL_KEY, CL_PARTNER, CL_NAME, CL_DOMAIN, CL_COUNTRY, CL_PRODUCT,
	CL_STATUS, CL_REGISTERED, CL_DECIDED, CL_EXPIRES, CL_DELETED, CL_CLOSED,
	CL_NCOLS };

static const char *
claim_col(const struct store_row *r, int i)
{
	return i < r->ncol && r->types[i] != STORE_NULL ? r->vals[i] : NULL;
}

static int64_t
claim_time(const struct store_row *r, int i)
{
	const char *v = claim_col(r, i);
	int64_t t;

	return v && norm_time(v, TIME_ISO8601, &t) == 0 ? t : 0;
}

struct load {
	struct conflicts *c;
	int64_t now;
	char **changed;			/* keys (kept after the first pass) */
	size_t nchanged, capchanged;
	int keep;
	int64_t rows;
};

static void
changed_add(struct load *ld, const char *key)
{
	if (!ld->keep)
		return;
	xgrow(&ld->changed, &ld->capchanged, ld->nchanged + 1, sizeof(char *));
	ld->changed[ld->nchanged++] = xstrdup(key);
}

/* Forgets claim ci (detached): its slot is reused. */
static void
drop_claim(struct conflicts *c, uint32_t ci)
{
	struct claim *cl = claim_at(c, ci);

	claim_free(cl);
	strmap_del(&c->claim_of, cl->key, strlen(cl->key));
	memset(cl, 0, sizeof(*cl));
	cl->node = -1;
	u32_push(&c->free_claims, &c->nfree_claims, &c->capfree_claims, ci);
}

static int
active(const struct claim *cl, int deleted, int closed, int64_t now)
{
	if (deleted)
		return 0;
	if (cl->kind == CLAIM_OPP)
		return !closed && cl->partner == NULL;
	if (strcmp(cl->status, "pending") != 0 && strcmp(cl->status, "approved") != 0)
		return 0;
	return cl->expires_at == 0 || cl->expires_at > now;
}

static char *
dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

/* One shared copy of a value many claims repeat (NULL for none). */
static const char *
intern(struct conflicts *c, const char *s)
{
	if (s == NULL || *s == '\0')
		return NULL;
	return strmap_intern(&c->interned, s, strlen(s), NULL);
}

static int
load_row(void *ctx, const struct store_row *r)
{
	struct load *ld = ctx;
	struct conflicts *c = ld->c;
	const char *key = claim_col(r, CL_KEY), *v;
	uint32_t *slot, ci;
	struct claim tmp, *cl;
	const char *kept;
	size_t klen;
	int deleted, closed;

	if (key == NULL || r->ncol != CL_NCOLS)
		return 0;
	ld->rows++;
	changed_add(ld, key);
	/* one probe finds the claim as it was, or makes the new one's entry */
	klen = strlen(key);
	kept = strmap_intern(&c->claim_of, key, klen, &slot);
	if (*slot) {
		/* the claim as it was goes (and its entry with it) */
		ci = *slot - 1;
		detach(c, claim_at(c, ci), ci);
		drop_claim(c, ci);
		kept = NULL;
	}
	memset(&tmp, 0, sizeof(tmp));
	tmp.node = -1;
	tmp.kind = (uint8_t)(claim_col(r, CL_KIND) &&
	    strcmp(claim_col(r, CL_KIND), "opportunity") == 0 ?
	    CLAIM_OPP : CLAIM_REG);
	tmp.partner = (char *)claim_col(r, CL_PARTNER);
	tmp.status = (v = claim_col(r, CL_STATUS)) ? v : "";	/* borrowed */
	tmp.expires_at = claim_time(r, CL_EXPIRES);
	deleted = (v = claim_col(r, CL_DELETED)) && strcmp(v, "0") != 0;
	closed = (v = claim_col(r, CL_CLOSED)) && strcmp(v, "0") != 0;
	if (!active(&tmp, deleted, closed, ld->now)) {
		/* the claim as it is now is not kept */
		if (kept)
			strmap_del(&c->claim_of, key, klen);
		return 0;
	}
	if (c->nfree_claims)
		ci = c->free_claims[--c->nfree_claims];
	else {
		if (c->nclaims == c->capclaims) {
			size_t nb = c->capclaims / CLAIM_BLOCK;

			c->claim_blocks = xrealloc(c->claim_blocks, (nb + 1) *
			    sizeof(*c->claim_blocks));
			c->claim_blocks[nb] = xcalloc(CLAIM_BLOCK, sizeof(struct claim));
			c->capclaims += CLAIM_BLOCK;
		}
		ci = (uint32_t)c->nclaims++;
	}
	cl = claim_at(c, ci);
	*cl = tmp;
	cl->status = *tmp.status ? intern(c, tmp.status) : "";
	if (kept == NULL)	/* its entry went with the claim as it was */
		kept = strmap_intern(&c->claim_of, key, klen, &slot);
	cl->key = kept;
	*slot = ci + 1;
	cl->name = cl->kind == CLAIM_OPP ? (char *)intern(c, claim_col(r, CL_NAME)) :
	    dup_or_null(claim_col(r, CL_NAME));
	v = claim_col(r, CL_COUNTRY);
	if (v && v[0] && v[1] && !v[2])
		memcpy(cl->country, v, 3);
	else
		cl->country[0] = '\0';
	cl->partner = intern(c, tmp.partner);
	cl->product = intern(c, claim_col(r, CL_PRODUCT));
	cl->registered_at = claim_time(r, CL_REGISTERED);
	cl->decided_at = claim_time(r, CL_DECIDED);
	/* a free-mail domain names a person's mailbox, not a company; the
	 * domain is interned last, so that its slot is still where it was
	 * when attach reads it */
	v = claim_col(r, CL_DOMAIN);
	slot = NULL;
	cl->domain = v && *v && !norm_is_free_mail(v) ?
	    strmap_intern(&c->interned, v, strlen(v), &slot) : NULL;
	attach(c, cl, ci, slot);
	return 0;
}

/* ---- what is known ---- */

struct known_set {
	struct known *v;
	size_t n, cap;
	struct strmap by_key;		/* key -> index */
	struct strmap by_member;	/* "type|member" -> index + 1 */
};

static void
known_free(struct known_set *ks)
{
	size_t i, j;

	for (i = 0; i < ks->n; i++) {
		struct known *k = &ks->v[i];

		free(k->key);
		free(k->type);
		free(k->status);
		free(k->crm_status);
		free(k->winner);
		free(k->evidence);
		for (j = 0; j < k->nmembers; j++)
			free(k->members[j]);
		free(k->members);
	}
	free(ks->v);
	strmap_free(&ks->by_key);
	strmap_free(&ks->by_member);
}

static int
known_row(void *ctx, const struct store_row *r)
{
	struct known_set *ks = ctx;
	struct known *k;

	xgrow(&ks->v, &ks->cap, ks->n + 1, sizeof(*ks->v));
	k = &ks->v[ks->n];
	memset(k, 0, sizeof(*k));
	k->key = xstrdup(store_col(r, "key"));
	k->type = xstrdup(store_col(r, "type"));
	k->status = xstrdup(store_col(r, "status"));
	k->crm_status = dup_or_null(store_col(r, "crm_status"));
	k->winner = dup_or_null(store_col(r, "winner"));
	k->evidence = dup_or_null(store_col(r, "evidence"));
	*strmap_put(&ks->by_key, k->key, strlen(k->key), NULL) = (uint32_t)ks->n;
	ks->n++;
	return 0;
}

static int
member_row(void *ctx, const struct store_row *r)
{
	struct known_set *ks = ctx;
	const char *key = store_col(r, "conflict_key");
	const char *m = store_col(r, "member");
	uint32_t *ix;
	struct known *k;
	char bm[400];

	if (key == NULL || m == NULL || store_col(r, "removed_at"))
		return 0;
	if ((ix = strmap_get(&ks->by_key, key, strlen(key))) == NULL)
		return 0;
	k = &ks->v[*ix];
	xgrow(&k->members, &k->capmembers, k->nmembers + 1, sizeof(*k->members));
	k->members[k->nmembers++] = xstrdup(m);
	snprintf(bm, sizeof(bm), "%s|%s", k->type, m);
	*strmap_put(&ks->by_member, bm, strlen(bm), NULL) = *ix + 1;
	return 0;
}

/* ---- deriving conflicts from a group ---- */

struct derived {
	const char *type;
	uint32_t *members;		/* claim indexes */
	size_t n, cap;
	int64_t window_from, window_to;
	const char *why;		/* the rule in words */
};

static int
earlier(const struct claim *a, const struct claim *b)
{
	if (a->registered_at != b->registered_at)
		return a->registered_at && (!b->registered_at ||
		    a->registered_at < b->registered_at);
	if (a->decided_at != b->decided_at)
		return a->decided_at && (!b->decided_at || a->decided_at < b->decided_at);
	return strcmp(a->key, b->key) < 0;
}

static int
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/*
 * partner_conflict: claims by two or more partners registered within the
 * protection window of the earliest claim (all claims here are active:
 * pending or approved), sharing a product line when same_product_only.
 */
/* The first two distinct partners seen (NULL: none yet). */
struct two {
	const char *product;		/* NULL: the claims without one */
	const char *p[2];
};

static void
two_add(struct two *t, const char *partner)
{
	if (partner == NULL || same_str(t->p[0], partner) ||
	    same_str(t->p[1], partner))
		return;
	if (t->p[0] == NULL)
		t->p[0] = partner;
	else if (t->p[1] == NULL)
		t->p[1] = partner;
}

/* A partner in t other than x. */
static int
two_other(const struct two *t, const char *x)
{
	return (t->p[0] && !same_str(t->p[0], x)) || (t->p[1] && !same_str(t->p[1], x));
}

static int
in_window(const struct claim *a, const struct derived *d)
{
	return !a->registered_at || (a->registered_at >= d->window_from &&
	    a->registered_at <= d->window_to);
}

/*
 * partner_conflict: claims by two or more partners registered within the
 * protection window of the earliest claim (all claims here are active:
 * pending or approved), sharing a product line when same_product_only. A
 * claim is a member when another partner's claim in the window overlaps
 * it; two distinct partners kept per product line answer that for each
 * claim in one pass, so a group of thousands costs thousands of steps.
 */
static void
derive_partner(struct conflicts *c, const struct config *cfg,
    const uint32_t *regs, size_t n, struct derived *d)
{
	const struct claim *first = NULL;
	struct two any = { NULL, { NULL, NULL } }, *prod = NULL;
	size_t i, k, nprod = 0, capprod = 0;
	int by_product = cfg->rules.conflicts.same_product_only;

	d->type = "partner_conflict";
	for (i = 0; i < n; i++)
		if (first == NULL || earlier(claim_at(c, regs[i]), first))
			first = claim_at(c, regs[i]);
	if (first == NULL || first->registered_at == 0)
		return;
	d->window_from = first->registered_at;
	d->window_to = first->registered_at + cfg->rules.conflicts.protection;
	for (i = 0; i < n; i++) {
		const struct claim *a = claim_at(c, regs[i]);

		if (!in_window(a, d))
			continue;
		if (!by_product || a->product == NULL) {
			two_add(&any, a->partner);
			continue;
		}
		for (k = 0; k < nprod; k++)
			if (strcasecmp(prod[k].product, a->product) == 0)
				break;
		if (k == nprod) {
			xgrow(&prod, &capprod, nprod + 1, sizeof(*prod));
			memset(&prod[nprod], 0, sizeof(*prod));
			prod[nprod++].product = a->product;
		}
		two_add(&prod[k], a->partner);
	}
	for (i = 0; i < n; i++) {
		const struct claim *a = claim_at(c, regs[i]);
		int in;

		if (!in_window(a, d))
			continue;
		/* claims without a product overlap every product line */
		in = two_other(&any, a->partner);
		for (k = 0; k < nprod && !in; k++)
			if (a->product == NULL || strcasecmp(prod[k].product,
			    a->product) == 0)
				in = two_other(&prod[k], a->partner);
		if (in)
			u32_push(&d->members, &d->n, &d->cap, regs[i]);
	}
	free(prod);
	d->why = by_product ?
	    "two or more partners claim this customer for the same product line "
	    "within the protection window" :
	    "two or more partners claim this customer within the protection window";
}

static int
by_partner_product(const void *x, const void *y, void *arg)
{
	const struct conflicts *c = arg;
	const struct claim *a = claim_at(c, *(const uint32_t *)x);
	const struct claim *b = claim_at(c, *(const uint32_t *)y);
	int r = strcmp(a->partner ? a->partner : "", b->partner ? b->partner : "");

	if (r)
		return r;
	if ((r = (a->product != NULL) - (b->product != NULL)))
		return r;
	return a->product ? strcasecmp(a->product, b->product) : 0;
}

/*
 * duplicate: one partner, one customer, one product, twice or more: runs
 * of equal (partner, product) once the claims are sorted.
 */
static void
derive_duplicate(struct conflicts *c, const uint32_t *regs, size_t n,
    struct derived *d)
{
	uint32_t *v = xcalloc(n + 1, sizeof(*v));
	size_t i, j;

	d->type = "duplicate";
	if (n == 0) {
		free(v);
		return;
	}
	memcpy(v, regs, n * sizeof(*v));
	qsort_r(v, n, sizeof(*v), by_partner_product, c);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && by_partner_product(&v[i], &v[j],
		    c) == 0; j++)
			;
		if (j - i >= 2 && claim_at(c, v[i])->partner)
			for (; i < j; i++)
				u32_push(&d->members, &d->n, &d->cap, v[i]);
	}
	free(v);
	d->why = "the same partner registered this customer and product more "
	    "than once";
}

/* ---- evidence and the recommendation ---- */

static char *
iso(int64_t t)
{
	char b[21];

	if (t == 0)
		return NULL;
	norm_time_format(t, b);
	return xstrdup(b);
}

static void
set_time(struct jval *o, const char *k, int64_t t)
{
	char *s = iso(t);

	jv_set_str(o, k, s);
	free(s);
}

/* Why the members are one customer: the links inside the group. */
static struct jval *
links_of(struct conflicts *c, const uint32_t *nodes, size_t nn)
{
	struct jval *links = jv_array();
	size_t i, k, nl = 0;

	for (i = 0; i < nn && nl < 50; i++) {
		const struct node *n = &c->nodes[nodes[i]];

		if (n->nclaims > 1) {
			struct jval *l = jv_object();
			struct jval *who = jv_array();

			for (k = 0; k < n->nclaims; k++)
				jv_append(who, jv_str(claim_at(c, n->claims[k])->key));
			jv_set(l, "members", who);
			if (n->domain) {
				jv_set_str(l, "rule", "domain");
				jv_set_str(l, "domain", n->domain);
			} else {
				jv_set_str(l, "rule", "name");
				jv_set_str(l, "name_key", n->name_key);
				jv_set(l, "similarity", jv_real(1.0));
				jv_set_str(l, "measure", "exact");
			}
			jv_append(links, l);
		}
		/* how it joined its cluster: its name against the center's */
		if (n->center != nodes[i] && n->center != NO_CENTER) {
			const struct node *o = &c->nodes[n->center];
			struct jval *l = jv_object();
			char sim[16];

			jv_set_str(l, "rule", "name");
			jv_set_str(l, "a", claim_at(c, n->claims[0])->key);
			jv_set_str(l, "b", claim_at(c, o->claims[0])->key);
			jv_set_str(l, "name_a", claim_at(c, n->claims[0])->name);
			jv_set_str(l, "name_b", claim_at(c, o->claims[0])->name);
			snprintf(sim, sizeof(sim), "%.3f", n->score);
			jv_set(l, "similarity", jv_real(strtod(sim, NULL)));
			jv_set_str(l, "measure", match_measure_name((enum match_measure)
			    n->measure));
			jv_append(links, l);
			nl++;
		}
	}
	return links;
}

static const char *
policy_name(int p)
{
	switch (p) {
	case 1:
		return "highest_score";
	case 2:
		return "manual";
	default:
		return "first_to_register";
	}
}

/* A partner's current score; 0 when it has none. */
static int
score_of(struct conflicts *c, const char *partner, double *score)
{
	uint32_t *ix;

	if (partner == NULL ||
	    (ix = strmap_get(&c->score_of, partner, strlen(partner))) == NULL)
		return 0;
	*score = c->scores[*ix - 1];
	return 1;
}

/*
 * The recommended winner and why, in words. highest_score takes the claim
 * whose partner has the best current score (ties, and partners without a
 * score, by registration order); before any partner is scored it says so
 * and recommends by registration order.
 */
static const struct claim *
recommend(struct conflicts *c, const struct config *cfg, const struct derived *d,
    char *why, size_t whylen)
{
	const struct claim *w = NULL, *second = NULL;
	size_t i;
	char when[21], wk[21];

	if (cfg->rules.conflicts.policy == 2) {
		snprintf(why, whylen, "policy manual: no recommendation; a channel "
		    "manager decides");
		return NULL;
	}
	for (i = 0; i < d->n; i++) {
		const struct claim *cl = claim_at(c, d->members[i]);

		if (cl->kind != CLAIM_REG)
			continue;
		if (w == NULL || earlier(cl, w)) {
			second = w;
			w = cl;
		} else if (second == NULL || earlier(cl, second))
			second = cl;
	}
	if (w == NULL) {
		snprintf(why, whylen, "no registration to recommend");
		return NULL;
	}
	if (cfg->rules.conflicts.policy == 1 && strcmp(d->type, "duplicate") != 0) {
		const struct claim *best = NULL, *next = NULL;
		double bs = 0, ns = 0, s;

		for (i = 0; i < d->n; i++) {
			const struct claim *cl = claim_at(c, d->members[i]);

			if (cl->kind != CLAIM_REG || !score_of(c, cl->partner, &s))
				continue;
			if (best == NULL || s > bs || (s == bs && earlier(cl, best))) {
				if (best && !same_str(best->partner, cl->partner)) {
					next = best;
					ns = bs;
				}
				best = cl;
				bs = s;
			} else if (!same_str(best->partner, cl->partner) &&
			    (next == NULL || s > ns)) {
				next = cl;
				ns = s;
			}
		}
		if (best) {
			int n = snprintf(why, whylen, "%s by partner %s: the best current "
			    "partner score (%.1f", best->key, best->partner, bs);

			if (n > 0 && (size_t)n < whylen)
				snprintf(why + n, whylen - (size_t)n, next ? "; next %s "
				    "with %.1f)" : ")", next ? next->partner : "", ns);
			if (strcmp(d->type, "direct_conflict") == 0)
				snprintf(why + strlen(why), whylen - strlen(why), "; a "
				    "direct opportunity is open for this customer, so the "
				    "account team must agree");
			return best;
		}
	}
	if (w->registered_at)
		norm_time_format(w->registered_at, when);
	else
		snprintf(when, sizeof(when), "an unknown time");
	if (strcmp(d->type, "duplicate") == 0) {
		snprintf(why, whylen, "keep %s, the first registration (%s); the "
		    "others repeat it", w->key, when);
		return w;
	}
	if (second && second->registered_at == w->registered_at && w->decided_at) {
		norm_time_format(w->decided_at, wk);
		snprintf(why, whylen, "%s%s was registered first (%s, tied) and "
		    "decided first (%s)", cfg->rules.conflicts.policy == 1 ?
		    "no partner scores yet, so by registration order: " : "",
		    w->key, when, wk);
	} else
		snprintf(why, whylen, "%s%s by partner %s was registered first (%s)",
		    cfg->rules.conflicts.policy == 1 ?
		    "no partner scores yet, so by registration order: " : "",
		    w->key, w->partner ? w->partner : "-", when);
	if (strcmp(d->type, "direct_conflict") == 0)
		snprintf(why + strlen(why), whylen - strlen(why), "; a direct "
		    "opportunity is open for this customer, so the account team "
		    "must agree");
	return w;
}

static struct jval *
evidence_of(struct conflicts *c, const struct config *cfg,
    const struct derived *d, const uint32_t *nodes, size_t nn,
    const struct claim *winner, const char *reason)
{
	struct jval *e = jv_object(), *members = jv_array(), *products = jv_array();
	char thr[16];
	const char *seen[32];
	size_t i, j, nseen = 0;

	jv_set_str(e, "type", d->type);
	jv_set_str(e, "rule", d->why);
	for (i = 0; i < d->n; i++) {
		const struct claim *cl = claim_at(c, d->members[i]);
		struct jval *m = jv_object();

		jv_set_str(m, "key", cl->key);
		jv_set_str(m, "kind", cl->kind == CLAIM_REG ? "registration" :
		    "opportunity");
		jv_set_str(m, "partner_id", cl->partner);
		jv_set_str(m, "customer_name", cl->name);
		jv_set_str(m, "customer_domain", cl->domain);
		jv_set_str(m, "customer_country", cl->country[0] ? cl->country : NULL);
		jv_set_str(m, "product", cl->product);
		jv_set_str(m, "status", cl->status);
		set_time(m, "registered_at", cl->registered_at);
		set_time(m, "decided_at", cl->decided_at);
		set_time(m, "expires_at", cl->expires_at);
		jv_append(members, m);
		if (cl->product) {
			for (j = 0; j < nseen; j++)
				if (strcasecmp(seen[j], cl->product) == 0)
					break;
			if (j == nseen && nseen < sizeof(seen) / sizeof(seen[0])) {
				seen[nseen++] = cl->product;
				jv_append(products, jv_str(cl->product));
			}
		}
	}
	jv_set(e, "members", members);
	jv_set(e, "products", products);
	jv_set(e, "links", links_of(c, nodes, nn));
	snprintf(thr, sizeof(thr), "%.2f", cfg->rules.conflicts.match_threshold);
	jv_set(e, "match_threshold", jv_real(strtod(thr, NULL)));
	if (d->window_from) {
		struct jval *w = jv_object();

		set_time(w, "from", d->window_from);
		set_time(w, "to", d->window_to);
		jv_set(e, "protection_window", w);
	}
	jv_set_str(e, "policy", policy_name(cfg->rules.conflicts.policy));
	jv_set_str(e, "winner", winner ? winner->key : NULL);
	jv_set_str(e, "reason", reason);
	return e;
}

/* ---- storing ---- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The members as sorted keys. */
static const char **
member_keys(struct conflicts *c, const struct derived *d)
{
	const char **v = xcalloc(d->n + 1, sizeof(char *));
	size_t i;

	for (i = 0; i < d->n; i++)
		v[i] = claim_at(c, d->members[i])->key;
	qsort(v, d->n, sizeof(char *), cmp_str);
	return v;
}

/* Audits a conflict event; evidence (stolen) is its detail. */
static int
audit_event(struct audit *au, int64_t cycle_id, const char *action,
    const char *key, struct jval *evidence, const char *extra_k,
    const char *extra_v)
{
	if (evidence == NULL)
		evidence = jv_object();
	if (extra_k)
		jv_set_str(evidence, extra_k, extra_v);
	return audit_log(au, cycle_id, action, "conflict", key, evidence);
}

struct pass {
	struct conflicts *c;
	const struct config *cfg;
	struct store *st;
	struct audit *au;
	int64_t cycle_id;
	char now[21];
	struct known_set ks;
	struct conflicts_result *res;
};

/* Stores one derived conflict under its stable key. */
static int
save(struct pass *ps, const struct derived *d, const uint32_t *nodes, size_t nn)
{
	struct conflicts *c = ps->c;
	struct known *k = NULL;
	const struct claim *w, *anchor = NULL;
	char why[512], key[40], bm[400];
	const char **mk;
	size_t i, j;
	struct store_conflict sc;
	struct jval *evj;
	char *ev;
	const char *action = NULL;
	int rc = 0;

	/* a known conflict of this type with any of these members */
	for (i = 0; i < d->n && k == NULL; i++) {
		uint32_t *ix;

		snprintf(bm, sizeof(bm), "%s|%s", d->type, claim_at(c, d->members[i])->key);
		if ((ix = strmap_get(&ps->ks.by_member, bm, strlen(bm))) && *ix &&
		    !ps->ks.v[*ix - 1].produced)
			k = &ps->ks.v[*ix - 1];
	}
	for (i = 0; i < d->n; i++)
		if (anchor == NULL || earlier(claim_at(c, d->members[i]), anchor))
			anchor = claim_at(c, d->members[i]);
	if (k == NULL) {
		unsigned char h[DIGEST_LEN];
		char hex[DIGEST_HEX_LEN + 1], *seed = xasprintf("%s|%s", d->type,
		    anchor->key);
		uint32_t *ix;

		sha256(seed, strlen(seed), h);
		free(seed);
		hex_encode(h, 6, hex);
		snprintf(key, sizeof(key), "%s-%.12s", strcmp(d->type,
		    "partner_conflict") == 0 ? "PC" : strcmp(d->type,
		    "direct_conflict") == 0 ? "DC" : "DU", hex);
		/* the same anchor conflicted before: that conflict again */
		if ((ix = strmap_get(&ps->ks.by_key, key, strlen(key))))
			k = &ps->ks.v[*ix];
	} else
		snprintf(key, sizeof(key), "%s", k->key);
	if (k)
		k->produced = 1;
	/* other known conflicts of these members merge into this one */
	for (i = 0; i < d->n; i++) {
		uint32_t *ix;

		snprintf(bm, sizeof(bm), "%s|%s", d->type, claim_at(c, d->members[i])->key);
		if ((ix = strmap_get(&ps->ks.by_member, bm, strlen(bm))) && *ix &&
		    &ps->ks.v[*ix - 1] != k && !ps->ks.v[*ix - 1].produced)
			ps->ks.v[*ix - 1].merged_into = k ? k->key : NULL;
	}
	w = recommend(c, ps->cfg, d, why, sizeof(why));
	evj = evidence_of(c, ps->cfg, d, nodes, nn, w, why);
	ev = jv_dump_canonical(evj);
	memset(&sc, 0, sizeof(sc));
	sc.key = key;
	sc.type = d->type;
	sc.status = "open";
	sc.customer = anchor->name;
	sc.customer_domain = anchor->domain;
	sc.customer_country = anchor->country[0] ? anchor->country : NULL;
	sc.policy = policy_name(ps->cfg->rules.conflicts.policy);
	sc.winner = w ? w->key : NULL;
	sc.reason = why;
	sc.evidence = ev;
	sc.opened_at = ps->now;
	sc.updated_at = ps->now;
	mk = member_keys(c, d);
	if (k == NULL)
		action = "conflict.opened";
	else if (strcmp(k->status, "closed") == 0) {
		/* closed by an operator: reopened only by a new member */
		int fresh = 0;

		for (i = 0; i < d->n; i++)
			fresh |= k->nmembers == 0 || bsearch(&mk[i], k->members,
			    k->nmembers, sizeof(char *), cmp_str) == NULL;
		if (!fresh) {
			free(mk);
			free(ev);
			jv_free(evj);
			return 0;
		}
		action = "conflict.reopened";
	} else if (strcmp(k->status, "resolved") == 0)
		action = "conflict.reopened";
	else if (!same_str(k->evidence, ev))
		action = "conflict.updated";
	if (action) {
		sc.clear_crm_status = strcmp(action, "conflict.reopened") == 0;
		if (store_conflict_put(ps->st, &sc) < 0)
			rc = -1;
		for (i = 0; rc == 0 && i < d->n; i++) {
			const struct claim *cl = claim_at(c, d->members[i]);

			rc = store_conflict_member(ps->st, key, cl->key, cl->kind ==
			    CLAIM_REG ? "registration" : "opportunity", cl->partner,
			    ps->now, 1);
		}
		/* members that left */
		for (j = 0; k && rc == 0 && j < k->nmembers; j++)
			if (bsearch(&k->members[j], mk, d->n, sizeof(char *),
			    cmp_str) == NULL)
				rc = store_conflict_member(ps->st, key, k->members[j], "",
				    NULL, ps->now, 0);
		if (rc == 0)
			rc = audit_event(ps->au, ps->cycle_id, action, key, evj, NULL, NULL);
		else
			jv_free(evj);
		evj = NULL;
		if (strcmp(action, "conflict.opened") == 0)
			ps->res->opened++;
		else if (strcmp(action, "conflict.reopened") == 0)
			ps->res->reopened++;
		else
			ps->res->updated++;
		if (rc == 0 && strcmp(action, "conflict.opened") != 0)
			log_info("conflict %s %s: %zu members", key, action + 9, d->n);
		else if (rc == 0)
			log_notice("conflict %s opened (%s): %s, %zu members", key, d->type,
			    anchor->name ? anchor->name : anchor->domain, d->n);
	}
	jv_free(evj);
	free(mk);
	free(ev);
	return rc;
}

static int
resolve(struct pass *ps, struct known *k, const char *status, const char *why,
    const char *action)
{
	struct store_conflict sc;
	char err[64];
	struct jval *ev = k->evidence ? jv_parse(k->evidence, strlen(k->evidence),
	    err, sizeof(err)) : NULL;
	const char *customer = NULL;
	size_t i;
	int rc;

	(void)customer;
	memset(&sc, 0, sizeof(sc));
	sc.key = k->key;
	sc.type = k->type;
	sc.status = status;
	sc.policy = policy_name(ps->cfg->rules.conflicts.policy);
	sc.winner = k->winner;
	sc.evidence = k->evidence ? k->evidence : "{}";
	sc.opened_at = ps->now;
	sc.updated_at = ps->now;
	sc.resolved_at = ps->now;
	sc.resolution = why;
	if (ev) {
		const struct jval *m = jv_array_at(jv_lookup(ev, "/members"), 0);

		sc.customer = m ? jv_object_str(m, "customer_name") : NULL;
		sc.customer_domain = m ? jv_object_str(m, "customer_domain") : NULL;
		sc.customer_country = m ? jv_object_str(m, "customer_country") : NULL;
		sc.reason = jv_object_str(ev, "reason");
	}
	rc = store_conflict_put(ps->st, &sc);
	if (rc == 0 && strcmp(status, "resolved") == 0)
		for (i = 0; rc == 0 && i < k->nmembers; i++)
			rc = store_conflict_member(ps->st, k->key, k->members[i], "", NULL,
			    ps->now, 0);
	if (rc == 0) {
		rc = audit_event(ps->au, ps->cycle_id, action, k->key, ev,
		    "resolution", why);
		ev = NULL;
	}
	jv_free(ev);
	if (rc == 0)
		log_notice("conflict %s %s: %s", k->key, status, why);
	return rc;
}

/* ---- a pass ---- */

static int
derive_group(struct pass *ps, const uint32_t *nodes, size_t nn)
{
	struct conflicts *c = ps->c;
	const struct config *cfg = ps->cfg;
	uint32_t *regs = NULL, *opps = NULL;
	size_t nr = 0, capr = 0, no = 0, capo = 0, i, k;
	struct derived d[3];
	int rc = 0;

	for (i = 0; i < nn; i++) {
		const struct node *n = &c->nodes[nodes[i]];

		for (k = 0; k < n->nclaims; k++) {
			if (claim_at(c, n->claims[k])->kind == CLAIM_REG)
				u32_push(&regs, &nr, &capr, n->claims[k]);
			else
				u32_push(&opps, &no, &capo, n->claims[k]);
		}
	}
	if ((int64_t)(nr + no) > ps->res->largest_group)
		ps->res->largest_group = (int64_t)(nr + no);
	memset(d, 0, sizeof(d));
	derive_partner(c, cfg, regs, nr, &d[0]);
	d[1].type = "direct_conflict";
	if (cfg->rules.conflicts.direct && no > 0 && nr > 0) {
		for (i = 0; i < nr; i++)
			u32_push(&d[1].members, &d[1].n, &d[1].cap, regs[i]);
		for (i = 0; i < no; i++)
			u32_push(&d[1].members, &d[1].n, &d[1].cap, opps[i]);
		d[1].why = "a partner claims a customer the direct sales team works "
		    "(an open opportunity with no partner)";
	}
	derive_duplicate(c, regs, nr, &d[2]);
	for (i = 0; i < 3 && rc == 0; i++) {
		size_t partners = 0, j;

		if (i == 0) {
			/* two partners at least */
			for (j = 0; j < d[0].n; j++)
				if (!same_str(claim_at(c, d[0].members[j])->partner,
				    claim_at(c, d[0].members[0])->partner))
					partners = 2;
			if (partners < 2)
				continue;
		}
		if (d[i].n >= 2)
			rc = save(ps, &d[i], nodes, nn);
	}
	for (i = 0; i < 3; i++)
		free(d[i].members);
	free(regs);
	free(opps);
	ps->res->groups++;
	return rc;
}

/* The known conflicts of every type that have member among their members
 * are looked at again this pass. */
static void
touch_member(struct known_set *ks, const char *member)
{
	static const char *const types[] = { "partner_conflict",
		"direct_conflict", "duplicate" };
	size_t t;

	if (ks->n == 0)
		return;		/* no conflict known yet: nothing to touch */
	for (t = 0; t < 3; t++) {
		char bm[400];
		uint32_t *ix;

		join_parts(bm, sizeof(bm), types[t], "|", member, (char *)NULL);
		if ((ix = strmap_get(&ks->by_member, bm, strlen(bm))) && *ix)
			ks->v[*ix - 1].touched = 1;
	}
}

struct score_load {
	struct conflicts *c;
	struct digest *dg;
};

static int
score_row(void *arg, const struct store_row *r)
{
	struct score_load *sl = arg;
	struct conflicts *c = sl->c;
	const char *p = store_col(r, "partner_id"), *v = store_col(r, "score");

	if (p == NULL || v == NULL)
		return 0;
	xgrow(&c->scores, &c->capscores, c->nscores + 1, sizeof(double));
	c->scores[c->nscores++] = strtod(v, NULL);
	*strmap_put(&c->score_of, p, strlen(p), NULL) = (uint32_t)c->nscores;
	digest_update(sl->dg, p, strlen(p) + 1);
	digest_update(sl->dg, v, strlen(v) + 1);
	return 0;
}

/*
 * highest_score: the partners' current scores. When they changed since the
 * previous pass every cluster is derived again, since any recommendation
 * may have changed with them. Returns 0 or -1.
 */
static int
load_scores(struct conflicts *c, struct store *st)
{
	struct score_load sl;
	unsigned char dg[DIGEST_LEN];
	size_t i;

	strmap_free(&c->score_of);
	c->nscores = 0;
	sl.c = c;
	sl.dg = digest_new(NULL, 0);
	if (store_latest_scores(st, score_row, &sl) < 0) {
		digest_final(sl.dg, dg);
		return -1;
	}
	digest_final(sl.dg, dg);
	if (memcmp(dg, c->scores_digest, sizeof(dg)) != 0) {
		memcpy(c->scores_digest, dg, sizeof(dg));
		for (i = 0; i < c->nnodes; i++)
			if (c->nodes[i].alive && c->nodes[i].center == i)
				c->nodes[i].dirty = 1;
	}
	return 0;
}

int
conflicts_run(struct conflicts *c, const struct config *cfg, struct store *st,
    struct audit *au, int64_t cycle_id, int64_t now, struct conflicts_result *res)
{
	struct load ld;
	struct pass ps;
	char started[21];
	const uint32_t *group;
	size_t ng, i, j;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	memset(&ld, 0, sizeof(ld));
	memset(&ps, 0, sizeof(ps));
	ld.c = c;
	ld.now = now;
	/* the first pass derives every group: no need to remember keys */
	ld.keep = c->passes > 0;
	/* rows synced from one second before the previous pass began */
	norm_time_format(now, started);
	if (store_conflict_claims(st, c->since, cfg->rules.conflicts.direct,
	    load_row, &ld) < 0) {
		snprintf(res->error, sizeof(res->error), "reading claims: %s",
		    store_errmsg(st));
		rc = -1;
		goto out;
	}
	res->rows = ld.rows;
	/* claims whose expiry has come since */
	for (i = 0; i < c->nclaims; i++) {
		struct claim *cl = claim_at(c, i);

		if (cl->key && cl->kind == CLAIM_REG && cl->expires_at &&
		    cl->expires_at <= now) {
			ld.keep = 1;
			changed_add(&ld, cl->key);
			detach(c, cl, (uint32_t)i);
			drop_claim(c, (uint32_t)i);
		}
	}
	/* nodes without a cluster (new, or their center gone) find one */
	for (i = 0; i < c->nnodes; i++)
		if (c->nodes[i].alive && c->nodes[i].center == NO_CENTER)
			link_node(c, (uint32_t)i, cfg->rules.conflicts.match_threshold, res);
	if (cfg->rules.conflicts.policy == 1 && load_scores(c, st) < 0) {
		snprintf(res->error, sizeof(res->error), "reading partner scores: %s",
		    store_errmsg(st));
		rc = -1;
		goto out;
	}
	ps.c = c;
	ps.cfg = cfg;
	ps.st = st;
	ps.au = au;
	ps.cycle_id = cycle_id;
	ps.res = res;
	memcpy(ps.now, started, sizeof(ps.now));
	if (store_list_conflict_states(st, known_row, &ps.ks) < 0 ||
	    store_conflict_members(st, NULL, member_row, &ps.ks) < 0) {
		snprintf(res->error, sizeof(res->error), "reading conflicts: %s",
		    store_errmsg(st));
		rc = -1;
		goto out;
	}
	for (i = 0; i < ps.ks.n; i++)	/* for bsearch */
		if (ps.ks.v[i].nmembers)
			qsort(ps.ks.v[i].members, ps.ks.v[i].nmembers, sizeof(char *),
			    cmp_str);
	/* conflicts whose members changed are looked at again: all of them
	 * on the first pass, which derives every group */
	for (i = 0; i < ps.ks.n && c->passes == 0; i++)
		ps.ks.v[i].touched = 1;
	for (i = 0; i < ld.nchanged; i++)
		touch_member(&ps.ks, ld.changed[i]);
	if (store_begin(st) < 0) {
		snprintf(res->error, sizeof(res->error), "database: %s",
		    store_errmsg(st));
		rc = -1;
		goto out;
	}
	/* closed by an operator in the CRM: closed here too */
	for (i = 0; i < ps.ks.n && rc == 0; i++) {
		struct known *k = &ps.ks.v[i];

		if (strcmp(k->status, "open") == 0 && k->crm_status &&
		    (strcasecmp(k->crm_status, "closed") == 0 ||
		    strcasecmp(k->crm_status, "resolved") == 0)) {
			char why[128];

			snprintf(why, sizeof(why), "closed in the CRM (status %s)",
			    k->crm_status);
			rc = resolve(&ps, k, "closed", why, "conflict.closed");
			free(k->status);
			k->status = xstrdup("closed");
			ps.res->closed++;
		}
	}
	/* every cluster that changed */
	for (i = 0; i < c->nnodes && rc == 0; i++) {
		struct node *n = &c->nodes[i];

		if (!n->alive || !n->dirty || n->center != i)
			continue;
		n->dirty = 0;
		group = n->members;
		ng = n->nmembers;
		for (j = 0; j < ng; j++) {
			size_t k;

			c->nodes[group[j]].dirty = 0;
			/* its members' known conflicts are looked at again */
			for (k = 0; k < c->nodes[group[j]].nclaims; k++)
				touch_member(&ps.ks, claim_at(c,
				    c->nodes[group[j]].claims[k])->key);
		}
		rc = derive_group(&ps, group, ng);
	}
	/* touched conflicts that no group produced: fewer than two claims */
	for (i = 0; i < ps.ks.n && rc == 0; i++) {
		struct known *k = &ps.ks.v[i];

		if (k->touched && !k->produced && strcmp(k->status, "open") == 0) {
			char why[96];

			if (k->merged_into)
				snprintf(why, sizeof(why), "merged into %s", k->merged_into);
			else
				snprintf(why, sizeof(why), "fewer than two active claims "
				    "remain");
			rc = resolve(&ps, k, "resolved", why, "conflict.resolved");
			ps.res->resolved++;
		}
	}
	if (rc < 0) {
		snprintf(res->error, sizeof(res->error), "database: %s",
		    store_errmsg(st));
		store_rollback(st);
		/* the next pass reads the same rows again and derives every
		 * cluster, as a first pass does */
		for (i = 0; i < c->nnodes; i++)
			c->nodes[i].dirty = 1;
		c->passes = 0;
		goto out;
	}
	if (store_commit(st) < 0) {
		snprintf(res->error, sizeof(res->error), "database: %s",
		    store_errmsg(st));
		rc = -1;
		goto out;
	}
	free(c->since);
	/* a second back: rows synced during this second come again */
	norm_time_format(now - 1, started);
	c->since = xstrdup(started);
	c->passes++;
out:
	for (i = 0; i < c->nclaims; i++)
		if (claim_at(c, i)->key)
			res->claims++;
	for (i = 0; i < c->nnodes; i++)
		res->nodes += c->nodes[i].alive;
	known_free(&ps.ks);
	for (i = 0; i < ld.nchanged; i++)
		free(ld.changed[i]);
	free(ld.changed);
	return rc;
}
