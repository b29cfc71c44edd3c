/*
 * conflicts_blocking.c - which names the conflict index compares: each
 * node's blocking keys (distinctive words, a prefix, initials, each part
 * of a DBA name as a name of its own) in postings, and a table of names'
 * words run together, so that names joined or split meet. A key that
 * too many nodes post says nothing and is skipped (POSTING_CAP).
 */
#include "conflicts_index.h"

#include <stdio.h>

/* Letters of the distinctive part that make a prefix key. */
#define PREFIX_LEN 5

struct posting *
cx_posting(struct conflicts *c, const char *key, int create)
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

/* A name's blocking keys after the n in keys: rare tokens, a prefix,
 * acronyms. */
static size_t
name_keys(const struct match_name *m, char keys[][80], size_t n, size_t max)
{
	size_t i;

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
	/* an acronym that may end with a legal form's initial ("ali" meets
	 * "avance logic", Inc., where the initials meet) */
	if (m->ntok == 1 && strlen(m->compact) >= 3 && n < max)
		snprintf(keys[n++], 80, "a:%.*s", (int)strlen(m->compact) - 1,
		    m->compact);
	return n;
}

/*
 * The blocking keys of a node (at most BLOCKING_KEYS, each once): its
 * name's, and for a name with a second one ("A DBA B") each part's as a
 * name of its own, so that "Deutsche Telekom", generic words only, meets
 * "Technical University of Budapest DBA Deutsche Telekom".
 */
size_t
cx_blocking_keys(const struct match_name *m, char keys[][80], size_t max)
{
	size_t n = name_keys(m, keys, 0, max), i, j, k;

	if (m->alias) {
		char buf[256];
		const char *p = m->key;
		struct match_name part;

		/* the words before "dba", then those after it */
		for (k = 0; k < m->alias && *p; k++) {
			p += strcspn(p, " ");
			p += strspn(p, " ");
		}
		snprintf(buf, sizeof(buf), "%.*s", (int)(p - m->key), m->key);
		while (*buf && buf[strlen(buf) - 1] == ' ')
			buf[strlen(buf) - 1] = '\0';
		if (*buf) {
			match_prepare(NULL, buf, &part);
			n = name_keys(&part, keys, n, max);
		}
		p += strcspn(p, " ");		/* "dba" */
		p += strspn(p, " ");
		if (*p) {
			snprintf(buf, sizeof(buf), "%s", p);
			match_prepare(NULL, buf, &part);
			n = name_keys(&part, keys, n, max);
		}
	}
	/* each key once: a node is in a posting once */
	for (i = 0, k = 0; i < n; i++) {
		for (j = 0; j < k && strcmp(keys[j], keys[i]) != 0; j++)
			;
		if (j == k) {
			if (k != i)
				memcpy(keys[k], keys[i], sizeof(keys[k]));
			k++;
		}
	}
	return k;
}

/* ---- names joined or split: their words run together ---- */

static uint32_t
joined_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h ? h : 1;
}

/* The slot of hash h, or the empty one where it would go (linear
 * probing; the table is never full). */
static struct joined_slot *
joined_find(const struct conflicts *c, uint32_t h)
{
	size_t i, mask = c->capjoined - 1;

	for (i = h & mask;; i = (i + 1) & mask)
		if (c->joined[i].hash == 0 || c->joined[i].hash == h)
			return &c->joined[i];
}

uint32_t
cx_joined_get(const struct conflicts *c, const char *joined)
{
	return c->capjoined ? joined_find(c, joined_hash(joined))->node1 : 0;
}

/* Node ni writes joined: kept unless a living node already does (one
 * will do: names written alike run together are one cluster's, unless
 * their countries keep them apart, and then the other's cluster is not
 * met this way). */
static void
joined_put(struct conflicts *c, const char *joined, uint32_t ni)
{
	uint32_t h = joined_hash(joined);
	struct joined_slot *sl;

	if ((c->njoined + 1) * 4 > c->capjoined * 3) {
		struct joined_slot *old = c->joined;
		size_t oldcap = c->capjoined, i;

		c->capjoined = oldcap ? oldcap * 2 : 1024;
		c->joined = xcalloc(c->capjoined, sizeof(*c->joined));
		for (i = 0; i < oldcap; i++)
			if (old[i].hash)
				*joined_find(c, old[i].hash) = old[i];
		free(old);
	}
	sl = joined_find(c, h);
	if (sl->hash == 0) {
		c->njoined++;
		sl->hash = h;
	} else if (c->nodes[sl->node1 - 1].alive)
		return;
	sl->node1 = ni + 1;
}

/* Node ni goes: its entry, if it holds one, is taken out (returns 1),
 * and the entries after it move back so that every probe still finds its
 * own. */
static int
joined_del(struct conflicts *c, const char *joined, uint32_t ni)
{
	size_t i, j, k, mask;
	struct joined_slot *sl;

	if (c->capjoined == 0)
		return 0;
	sl = joined_find(c, joined_hash(joined));
	if (sl->hash == 0 || sl->node1 != ni + 1)
		return 0;
	mask = c->capjoined - 1;
	i = (size_t)(sl - c->joined);
	for (j = (i + 1) & mask; c->joined[j].hash; j = (j + 1) & mask) {
		k = c->joined[j].hash & mask;	/* where it wants to be */
		if ((j > i && (k <= i || k > j)) || (j < i && k <= i && k > j)) {
			c->joined[i] = c->joined[j];
			i = j;
		}
	}
	c->joined[i].hash = 0;
	c->joined[i].node1 = 0;
	c->njoined--;
	return 1;
}

/* Node ni, which held the entry for joined, goes: another node of its
 * cluster that writes the same words run together takes the entry. */
static void
joined_heir(struct conflicts *c, uint32_t ni, const char *joined)
{
	const struct node *n = &c->nodes[ni], *z;
	struct match_name m;
	size_t i;

	if (n->center == NO_CENTER)
		return;
	z = &c->nodes[n->center];
	for (i = 0; i < z->nmembers; i++) {
		uint32_t o = z->members[i];

		if (o == ni || !c->nodes[o].alive || !c->nodes[o].posted ||
		    c->nodes[o].name_key == NULL)
			continue;
		match_prepare(NULL, c->nodes[o].name_key, &m);
		if (strcmp(m.joined, joined) == 0) {
			joined_put(c, joined, o);
			return;
		}
	}
}

void
cx_post_node(struct conflicts *c, uint32_t ni, int add)
{
	struct node *n = &c->nodes[ni];
	struct match_name mn;
	char keys[BLOCKING_KEYS][80];
	size_t nk, k;

	if (n->name_key == NULL || n->posted == add)
		return;
	match_prepare(NULL, n->name_key, &mn);
	nk = cx_blocking_keys(&mn, keys, sizeof(keys) / sizeof(keys[0]));
	for (k = 0; k < nk; k++) {
		struct posting *p = cx_posting(c, keys[k], add);

		if (p && !add)
			p->n = u32_remove(p->v, p->n, ni);
		else if (p && p->n <= POSTING_CAP)
			u32_push(&p->v, &p->n, &p->cap, ni);
	}
	if (strlen(mn.joined) >= JOINED_MIN) {
		if (add)
			joined_put(c, mn.joined, ni);
		else if (joined_del(c, mn.joined, ni))
			joined_heir(c, ni, mn.joined);
	}
	n->posted = add;
}
