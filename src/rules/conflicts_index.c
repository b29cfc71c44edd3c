/*
 * conflicts_index.c - the conflict engine's index (see conflicts.h): the
 * active claims, the nodes that name one customer one way, and the
 * clusters of nodes that are one customer (which names are compared is
 * conflicts_blocking.c's). Rows come in one at a time (conflicts_apply);
 * nothing here reads the store.
 */
#include "conflicts_index.h"
#include "lib/digest.h"
#include "model/normalize.h"
#include "model/normalize_name.h"

#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

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

static void
free_inner(struct conflicts *c)
{
	size_t i;

	strmap_free(&c->confirmed);
	strmap_free(&c->rejected);
	free(c->possible);
	c->possible = NULL;
	c->npossible = c->cappossible = 0;

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
	free(c->joined);
	c->joined = NULL;
	c->capjoined = c->njoined = 0;
	strmap_free(&c->claim_of);
	strmap_free(&c->node_of);
	strmap_free(&c->interned);
	strmap_free(&c->posting_of);
	strmap_free(&c->score_of);
	free(c->scores);
	match_idf_free(c->idf);
	free(c->since);
	for (i = 0; i < c->nchanged; i++)
		free(c->changed[i]);
	free(c->changed);
}

void
conflicts_free(struct conflicts *c)
{
	if (c == NULL)
		return;
	free_inner(c);
	free(c);
}

int
conflicts_identity(struct conflicts *c, const unsigned char digest[32])
{
	int (*tick)(void *) = c->tick;
	void *arg = c->tick_arg;

	if (memcmp(c->identity, digest, sizeof(c->identity)) == 0)
		return 0;
	if (c->passes == 0 && c->since == NULL) {
		memcpy(c->identity, digest, sizeof(c->identity));
		return 0;
	}
	/* the claims hold the partners as resolved when they were read:
	 * start again from nothing, as after a reload */
	free_inner(c);
	memset(c, 0, sizeof(*c));
	c->idf = match_idf_new();
	c->tick = tick;
	c->tick_arg = arg;
	memcpy(c->identity, digest, sizeof(c->identity));
	return 1;
}

/* ---- small vectors ---- */

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

/* FNV-1a of a legal form ("gmbh", "inc"), 0 for none. */
static uint32_t
form_hash(const char *f)
{
	uint32_t h = 2166136261u;

	if (f == NULL || *f == '\0')
		return 0;
	for (; *f; f++)
		h = (h ^ (uint8_t)*f) * 16777619u;
	return h ? h : 1;
}

char *
conflicts_pair_key(const char *a, const char *b)
{
	return strcmp(a, b) <= 0 ? xasprintf("%s\x1f%s", a, b) :
	    xasprintf("%s\x1f%s", b, a);
}

void
conflicts_set_pairs(struct conflicts *c, const char *const *confirmed,
    size_t nconfirmed, const char *const *rejected, size_t nrejected)
{
	size_t i;

	strmap_free(&c->confirmed);
	strmap_free(&c->rejected);
	for (i = 0; i < nconfirmed; i++)
		strmap_put(&c->confirmed, confirmed[i], strlen(confirmed[i]), NULL);
	for (i = 0; i < nrejected; i++)
		strmap_put(&c->rejected, rejected[i], strlen(rejected[i]), NULL);
}

const struct conflict_possible *
conflicts_possible(const struct conflicts *c, size_t *n)
{
	*n = c->npossible;
	return c->possible;
}

/* Whether an operator decided the pair of two nodes' names (map). */
static int
pair_in(const struct strmap *map, const char *a, const char *b)
{
	char buf[512];
	int k;

	if (map->n == 0)
		return 0;
	k = strcmp(a, b) <= 0 ? snprintf(buf, sizeof(buf), "%s\x1f%s", a, b) :
	    snprintf(buf, sizeof(buf), "%s\x1f%s", b, a);
	return k > 0 && (size_t)k < sizeof(buf) &&
	    strmap_get(map, buf, (size_t)k) != NULL;
}

/* Notes a possible match of node n with center z. */
static void
note_possible(struct conflicts *c, const struct node *n, const struct node *z,
    double score, enum match_measure how)
{
	struct conflict_possible *p;
	const struct claim *ca = n->nclaims ? claim_at(c, n->claims[0]) : NULL;
	const struct claim *cb = z->nclaims ? claim_at(c, z->claims[0]) : NULL;

	if (ca == NULL || cb == NULL)
		return;
	xgrow(&c->possible, &c->cappossible, c->npossible + 1,
	    sizeof(*c->possible));
	p = &c->possible[c->npossible++];
	memset(p, 0, sizeof(*p));
	p->key_a = n->name_key;
	p->key_b = z->name_key;
	p->claim_a = ca->key;
	p->claim_b = cb->key;
	p->name_a = ca->name;
	p->name_b = cb->name;
	p->score = score;
	p->measure = (int)how;
}

void
conflicts_explain(const struct conflicts *c, const struct conflict_possible *p,
    char *out, size_t len)
{
	struct match_name ma, mb;

	match_prepare(c->idf, p->key_a, &ma);
	match_prepare(c->idf, p->key_b, &mb);
	match_explain(&ma, &mb, (enum match_measure)p->measure, out, len);
}

/* Do two nodes' countries allow a name match? */
static int
countries_agree(const struct node *a, const struct node *b)
{
	return !a->country[0] || !b->country[0] ||
	    strcmp(a->country, b->country) == 0;
}

static void
join(struct conflicts *c, uint32_t ni, uint32_t center, double score,
    enum match_measure how, uint32_t via)
{
	struct node *n = &c->nodes[ni], *z = &c->nodes[center];

	n->center = center;
	n->via = via;
	n->score = (float)score;
	n->measure = (uint8_t)how;
	u32_push32(&z->members, &z->nmembers, &z->capmembers, ni);
	if (n->domain && z->cluster_domain == NULL)
		z->cluster_domain = n->domain;
	if (n->country[0] && !z->cluster_country[0])
		memcpy(z->cluster_country, n->country, sizeof(z->cluster_country));
	z->dirty = 1;
}

/*
 * Whether n is written as every member of zc's cluster in another country
 * is, legal form and all ("Keil Software, Inc." in France joins the one
 * in the United States).
 */
static int
alike_abroad(const struct conflicts *c, const struct node *n,
    const struct node *zc)
{
	size_t i;

	for (i = 0; i < zc->nmembers; i++) {
		const struct node *m = &c->nodes[zc->members[i]];

		if (m->country[0] && strcmp(m->country, n->country) != 0 &&
		    (m->form != n->form || m->name_key == NULL ||
		    strcmp(m->name_key, n->name_key) != 0))
			return 0;
	}
	return 1;
}

/*
 * n's similarity with node z of the cluster centered on zc (the match of
 * n's prepared name mn), or -1 when n's domain differs from the
 * cluster's, or its country from z's or the cluster's and its legal form
 * from z's; *differ: the countries differ. A cluster whose center names
 * no country still has one when a member does: "Nordahl ASA" in Norway
 * and "Nordahl AB" in Sweden are not one customer through a "Nordahl"
 * that says neither.
 */
static double
score_with(struct conflicts *c, const struct node *n,
    const struct match_name *mn, const struct node *z, const struct node *zc,
    int *differ, enum match_measure *how, struct conflicts_result *res)
{
	struct match_name mz;
	double sc;

	/* two domains that differ decide: two customers */
	if (n->domain && zc->cluster_domain && strcmp(n->domain,
	    zc->cluster_domain) != 0)
		return -1;
	/* two countries, unless the names are written alike, legal form
	 * and all (match_decides) */
	*differ = !countries_agree(n, z);
	if (!*differ && n->country[0] && zc->cluster_country[0] &&
	    strcmp(n->country, zc->cluster_country) != 0 &&
	    !alike_abroad(c, n, zc))
		return -1;
	if (*differ && n->form != z->form)
		return -1;
	match_prepare(c->idf, z->name_key, &mz);
	mz.form_initial = z->form_initial;
	sc = match_score(mn, &mz, how);
	res->compared++;
	return sc;
}

/* A name with a second one ("A DBA B") matched by each part, at most: */
#define PULLS_MAX 4

/* What link_node found for one node so far. */
struct link_search {
	const struct node *n;
	struct match_name mn;		/* n's name, prepared */
	double threshold, review;
	uint32_t best, via, possible;	/* NO_CENTER: none */
	double score, possible_score;
	enum match_measure how, possible_how;
	size_t npulls;
	struct {
		uint32_t center;
		double score;
	} pulls[PULLS_MAX];		/* centers alone that a part matched */
};

/* Candidate node oi, met through a blocking key: its cluster's center,
 * and the member itself when n may be its second name. */
static void
link_consider(struct conflicts *c, struct link_search *ls, uint32_t oi,
    struct conflicts_result *res)
{
	const struct node *n = ls->n;
	struct node *o = &c->nodes[oi], *z;
	enum match_measure how;
	double sc;
	int differ;

	if (!o->alive || o->center == NO_CENTER)
		return;
	z = &c->nodes[o->center];
	/* a member whose other name this is */
	if (o != z && o->alias && o->via == NO_CENTER && o->seen != c->stamp &&
	    o->name_key) {
		o->seen = c->stamp;
		sc = score_with(c, n, &ls->mn, o, z, &differ, &how, res);
		if (sc >= 0 && how == MATCH_ALIAS && match_decides(sc,
		    ls->threshold, differ, 1) && sc > ls->score &&
		    ls->best != o->center) {
			ls->score = sc;
			ls->best = o->center;
			ls->how = how;
			ls->via = oi;
		}
	}
	if (z->seen == c->stamp || z->name_key == NULL)
		return;
	z->seen = c->stamp;
	/* a pair an operator confirmed is one customer */
	if (pair_in(&c->confirmed, n->name_key, z->name_key)) {
		if (ls->score < 1.0) {
			ls->score = 1.0;
			ls->best = o->center;
			ls->how = MATCH_CONFIRMED;
			ls->via = NO_CENTER;
		}
		return;
	}
	if ((sc = score_with(c, n, &ls->mn, z, z, &differ, &how, res)) < 0)
		return;
	if (!match_decides(sc, ls->threshold, differ, 1)) {
		/* below: maybe one, for an operator to say */
		if (!differ && sc + 1e-9 >= ls->review && sc > ls->possible_score &&
		    !pair_in(&c->rejected, n->name_key, z->name_key)) {
			ls->possible_score = sc;
			ls->possible = o->center;
			ls->possible_how = how;
		}
		return;
	}
	/* a center alone that one of its names matched */
	if (how == MATCH_ALIAS && z->nmembers == 1 && ls->npulls < PULLS_MAX) {
		ls->pulls[ls->npulls].center = o->center;
		ls->pulls[ls->npulls++].score = sc;
	}
	/* the center itself rather than a member, when it matches too */
	if (sc > ls->score || (ls->best == o->center && ls->via != NO_CENTER)) {
		ls->score = sc;
		ls->best = o->center;
		ls->how = how;
		ls->via = NO_CENTER;
	}
}

/* Node ni joins what the search found, or becomes a center; the centers
 * alone that its other part matched come with it. */
static void
link_settle(struct conflicts *c, uint32_t ni, const struct link_search *ls)
{
	struct node *n = &c->nodes[ni];
	const char *bd, *bc;
	size_t i;

	if (ls->possible != NO_CENTER && ls->possible != ls->best)
		note_possible(c, n, &c->nodes[ls->possible], ls->possible_score,
		    ls->possible_how);
	if (ls->best == NO_CENTER) {
		n->center = ni;
		n->via = NO_CENTER;
		n->nmembers = 0;
		u32_push32(&n->members, &n->nmembers, &n->capmembers, ni);
		n->cluster_domain = n->domain;
		memcpy(n->cluster_country, n->country, sizeof(n->cluster_country));
		n->dirty = 1;
		return;
	}
	join(c, ni, ls->best, ls->score, ls->how, ls->via);
	bd = c->nodes[ls->best].cluster_domain;
	bc = c->nodes[ls->best].cluster_country;
	for (i = 0; i < ls->npulls; i++) {
		uint32_t zi = ls->pulls[i].center;
		struct node *z = &c->nodes[zi];

		if (zi == ls->best || z->center != zi || z->nmembers != 1 ||
		    (bd && z->domain && strcmp(bd, z->domain) != 0) ||
		    (bc[0] && z->country[0] && strcmp(bc, z->country) != 0))
			continue;
		z->nmembers = 0;
		z->cluster_domain = NULL;
		z->cluster_country[0] = '\0';
		join(c, zi, ls->best, ls->pulls[i].score, MATCH_ALIAS, ni);
	}
}

/*
 * Puts a node without a cluster into the cluster whose center matches
 * its name best (at threshold, countries agreeing, domains not
 * differing), or makes it a center. Candidates come from its blocking
 * keys; a key posted by more than POSTING_CAP nodes is skipped (a token
 * that common cannot decide). A name that is another's second name
 * ("Sega Enterprises" and "Marvell Technology Group DBA Sega
 * Enterprises", a member of Marvell's cluster) joins through that
 * member; a name with a second one that matches a center alone by the
 * part its own cluster's center did not match brings that center with
 * it: each of "A DBA B"'s names is the one customer.
 */
static void
link_node(struct conflicts *c, uint32_t ni, double threshold, double review,
    struct conflicts_result *res)
{
	struct node *n = &c->nodes[ni];
	struct link_search ls;
	char keys[BLOCKING_KEYS][80];
	size_t nk, k, i;
	uint32_t jnode;

	memset(&ls, 0, sizeof(ls));
	ls.n = n;
	ls.threshold = threshold;
	ls.review = review;
	ls.best = ls.via = ls.possible = NO_CENTER;
	ls.how = ls.possible_how = MATCH_NONE;
	if (n->name_key) {
		/* the node that writes these words run together, as one more
		 * posting */
		struct posting jp = { &jnode, 0, 1 };

		match_prepare(c->idf, n->name_key, &ls.mn);
		ls.mn.form_initial = n->form_initial;
		n->alias = ls.mn.alias != 0;
		nk = cx_blocking_keys(&ls.mn, keys, sizeof(keys) / sizeof(keys[0]));
		if (strlen(ls.mn.joined) >= JOINED_MIN &&
		    (jnode = cx_joined_get(c, ls.mn.joined)) != 0) {
			jnode--;
			jp.n = 1;
		}
		c->stamp++;
		n->seen = c->stamp;
		for (k = 0; k <= nk; k++) {
			struct posting *p = k < nk ? cx_posting(c, keys[k], 0) : &jp;

			if (p == NULL || p->n > POSTING_CAP)
				continue;
			for (i = 0; i < p->n; i++)
				link_consider(c, &ls, p->v[i], res);
		}
	}
	link_settle(c, ni, &ls);
	cx_post_node(c, ni, 1);
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
		/* those that joined through it find a cluster again */
		for (i = 0; i < z->nmembers;) {
			struct node *m = &c->nodes[z->members[i]];

			if (m->via == ni) {
				m->center = m->via = NO_CENTER;
				z->nmembers = (uint32_t)u32_remove(z->members,
				    z->nmembers, z->members[i]);
			} else
				i++;
		}
	} else {
		for (i = 0; i < n->nmembers; i++)
			if (n->members[i] != ni)
				c->nodes[n->members[i]].center = NO_CENTER;
		n->nmembers = 0;
		n->cluster_domain = NULL;
		n->cluster_country[0] = '\0';
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
		/* out of the postings while its cluster still stands, so that
		 * a cluster mate can take its place (joined_heir) */
		cx_post_node(c, (uint32_t)cl->node, 0);
		leave_cluster(c, (uint32_t)cl->node);
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
void
cx_join_parts(char *out, size_t len, ...)
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
			cx_join_parts(ident, sizeof(ident), "d:", cl->domain,
			    (char *)NULL);
		else if (name_key)
			cx_join_parts(ident, sizeof(ident), "k:", name_key, "|",
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
			n->center = n->via = NO_CENTER;
			n->ident = stored;
			n->name_key = name_key ? xstrdup(name_key) : NULL;
			if (cl->name) {
				const char *f = norm_name_form_ref(cl->name);

				n->form = form_hash(f);
				n->form_initial = match_form_initial(f);
			}
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

int64_t
cx_protected_until(const struct claim *cl, const struct config *cfg)
{
	int64_t from = cl->decided_at ? cl->decided_at : cl->registered_at;

	if (cl->expires_at)
		return cl->expires_at;
	return from ? from + cfg->registrations.default_validity : 0;
}

int64_t
cx_anchor(const struct claim *cl)
{
	if (cl->decided_at && cx_is_approved(cl))
		return cl->decided_at;
	return cl->registered_at;
}

/* The time the claim stops being active (0: never), or -1 when it is
 * not a claim at all (contract §7). */
static int64_t
ends_at(const struct claim *cl, const struct config *cfg, int deleted,
    int closed)
{
	int64_t end = 0;

	if (deleted)
		return -1;
	if (cl->kind == CLAIM_OPP) {
		if (closed || cl->partner != NULL)
			return -1;
		return cl->expires_at ? cl->expires_at +
		    cfg->rules.conflicts.direct_grace : 0;
	}
	if (strcmp(cl->status, "approved") == 0)
		return cx_protected_until(cl, cfg);
	if (strcmp(cl->status, "pending") != 0)
		return -1;
	/* pending: stale at pending_max_age; a vendor's expiry ends it too */
	if (cl->registered_at)
		end = cl->registered_at + cfg->registrations.pending_max_age;
	if (cl->expires_at && (end == 0 || cl->expires_at < end))
		end = cl->expires_at;
	return end;
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

/* ---- rows in ---- */

static void
changed_add(struct conflicts *c, const char *key)
{
	if (!c->keep_changed)
		return;
	xgrow(&c->changed, &c->capchanged, c->nchanged + 1, sizeof(char *));
	c->changed[c->nchanged++] = xstrdup(key);
}

void
conflicts_apply(struct conflicts *c, const struct config *cfg,
    const struct conflict_claim_row *r, int64_t now,
    struct conflicts_result *res)
{
	const char *key = r->key, *v;
	uint32_t *slot, ci;
	struct claim tmp, *cl;
	const char *kept;
	size_t klen;

	if (key == NULL)
		return;
	res->rows++;
	changed_add(c, key);
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
	tmp.kind = (uint8_t)(r->is_opportunity ? CLAIM_OPP : CLAIM_REG);
	tmp.partner = (char *)r->partner_id;
	tmp.status = r->status ? r->status : "";	/* borrowed */
	tmp.registered_at = r->registered_at;
	tmp.decided_at = r->decided_at;
	tmp.expires_at = r->expires_at;
	tmp.ends_at = ends_at(&tmp, cfg, r->deleted, r->is_closed);
	if (tmp.ends_at < 0 || (tmp.ends_at && tmp.ends_at <= now)) {
		/* the claim as it is now is not kept */
		if (kept)
			strmap_del(&c->claim_of, key, klen);
		return;
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
	cl->name = cl->kind == CLAIM_OPP ? (char *)intern(c, r->customer_name) :
	    dup_or_null(r->customer_name);
	v = r->customer_country;
	if (v && v[0] && v[1] && !v[2])
		memcpy(cl->country, v, 3);
	else
		cl->country[0] = '\0';
	cl->partner = intern(c, tmp.partner);
	cl->product = intern(c, r->product);
	cl->partner_name = intern(c, r->partner_name);
	cl->unresolved = r->partner_unresolved != 0;
	cl->amount = r->amount;
	cl->probability = (float)r->probability;
	/* a free-mail domain names a person's mailbox, not a company; the
	 * domain is interned last, so that its slot is still where it was
	 * when attach reads it */
	v = r->customer_domain;
	slot = NULL;
	cl->domain = v && *v && !norm_is_free_mail(v) ?
	    strmap_intern(&c->interned, v, strlen(v), &slot) : NULL;
	attach(c, cl, ci, slot);
}

const char *
conflicts_since(const struct conflicts *c)
{
	return c->since ? c->since : "";
}

int
conflicts_first_pass(const struct conflicts *c)
{
	return c->since == NULL || *c->since == '\0';
}

void
conflicts_set_tick(struct conflicts *c, int (*tick)(void *arg), void *arg)
{
	c->tick = tick;
	c->tick_arg = arg;
}

int
conflicts_tick_n(struct conflicts *c, uint32_t n)
{
	if ((c->steps += n) < CONFLICTS_TICK_EVERY)
		return c->stopped;
	c->steps = 0;
	if (c->tick && c->tick(c->tick_arg))
		c->stopped = 1;
	return c->stopped;
}

int
conflicts_tick(struct conflicts *c)
{
	return conflicts_tick_n(c, 1);
}

int
conflicts_prepare(struct conflicts *c, const struct config *cfg, int64_t now,
    struct conflicts_result *res)
{
	size_t i;

	c->npossible = 0;	/* those of the previous pass are kept */
	/* claims that stopped being active since: expired, stale, past
	 * their protection or their close date's grace */
	for (i = 0; i < c->nclaims; i++) {
		struct claim *cl = claim_at(c, i);

		if (cl->key && cl->ends_at && cl->ends_at <= now) {
			c->keep_changed = 1;
			changed_add(c, cl->key);
			detach(c, cl, (uint32_t)i);
			drop_claim(c, (uint32_t)i);
		}
	}
	/* nodes without a cluster (new, or their center gone) find one */
	for (i = 0; i < c->nnodes; i++) {
		if (c->nodes[i].alive && c->nodes[i].center == NO_CENTER)
			link_node(c, (uint32_t)i, cfg->rules.conflicts.match_threshold,
			    cfg->rules.conflicts.review_threshold, res);
		if (conflicts_tick(c))
			return -1;
	}
	return 0;
}

void
cx_fold_ascii(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

void
cx_score_key(char *out, size_t len, const char *partner, const char *product)
{
	/* a product line is matched without regard to case */
	snprintf(out, len, "%s|%s", partner, product ? product : "");
	if (strlen(partner) + 1 < strlen(out))
		cx_fold_ascii(out + strlen(partner) + 1);
}

void
cx_dirty_all(struct conflicts *c)
{
	size_t i;

	for (i = 0; i < c->nnodes; i++)
		if (c->nodes[i].alive && c->nodes[i].center == i)
			c->nodes[i].dirty = 1;
}

/*
 * highest_score: the partners' current scores. When they changed since the
 * previous pass every cluster is derived again, since any recommendation
 * may have changed with them.
 */
void
conflicts_set_scores(struct conflicts *c, const struct conflict_score *v,
    size_t n)
{
	struct digest *dg = digest_new(NULL, 0);
	unsigned char h[DIGEST_LEN];
	size_t i;

	strmap_free(&c->score_of);
	c->nscores = 0;
	for (i = 0; i < n; i++) {
		char k[400];

		if (v[i].partner_id == NULL)
			continue;
		cx_score_key(k, sizeof(k), v[i].partner_id, v[i].product);
		xgrow(&c->scores, &c->capscores, c->nscores + 1, sizeof(double));
		c->scores[c->nscores++] = v[i].score;
		*strmap_put(&c->score_of, k, strlen(k), NULL) = (uint32_t)c->nscores;
		digest_update(dg, k, strlen(k) + 1);
		digest_update(dg, &v[i].score, sizeof(v[i].score));
	}
	digest_final(dg, h);
	if (memcmp(h, c->scores_digest, sizeof(h)) != 0) {
		memcpy(c->scores_digest, h, sizeof(h));
		cx_dirty_all(c);
	}
}

/* Counts of the index, and this pass's keys forgotten. */
static void
pass_end(struct conflicts *c, struct conflicts_result *res)
{
	size_t i;

	c->stopped = 0;
	res->claims = res->nodes = 0;
	for (i = 0; i < c->nclaims; i++)
		if (claim_at(c, i)->key)
			res->claims++;
	for (i = 0; i < c->nnodes; i++)
		res->nodes += c->nodes[i].alive;
	for (i = 0; i < c->nchanged; i++)
		free(c->changed[i]);
	c->nchanged = 0;
	/* the first pass derives every group: no need to remember keys */
	c->keep_changed = c->passes > 0;
}

void
conflicts_done(struct conflicts *c, int64_t now, struct conflicts_result *res)
{
	char t[21];

	free(c->since);
	/* a second back: rows synced during this second come again */
	norm_time_format(now - 1, t);
	c->since = xstrdup(t);
	c->passes++;
	pass_end(c, res);
}

void
conflicts_failed(struct conflicts *c, struct conflicts_result *res)
{
	size_t i;

	/* the next pass reads the same rows again and derives every
	 * cluster, as a first pass does */
	for (i = 0; i < c->nnodes; i++)
		c->nodes[i].dirty = 1;
	c->passes = 0;
	pass_end(c, res);
}
