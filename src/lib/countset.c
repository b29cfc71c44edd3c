/*
 * countset.c - a multiset of strings by 64-bit hash (see countset.h).
 */
#include "lib/countset.h"
#include "lib/mem.h"

#include <stdlib.h>
#include <string.h>

/* FNV-1a, 64 bits, then MurmurHash3's finalizer: the table's index is
 * the low bits. Never 0, which marks an empty slot. */
static uint64_t
hash64(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h ? h : 1;
}

static struct countset_slot *
find(const struct countset *c, uint64_t h)
{
	size_t i;

	for (i = (size_t)h & (c->cap - 1);; i = (i + 1) & (c->cap - 1))
		if (c->v[i].hash == 0 || c->v[i].hash == h)
			return &c->v[i];
}

uint32_t
countset_add(struct countset *c, const char *s, size_t len)
{
	uint64_t h = hash64(s, len);
	struct countset_slot *sl;

	/* at most half full */
	if ((c->n + 1) * 2 > c->cap) {
		struct countset nc;
		size_t i;

		nc.cap = c->cap ? c->cap * 2 : 64;
		nc.n = c->n;
		nc.v = xcalloc(nc.cap, sizeof(*nc.v));
		for (i = 0; i < c->cap; i++)
			if (c->v[i].hash)
				*find(&nc, c->v[i].hash) = c->v[i];
		free(c->v);
		*c = nc;
	}
	sl = find(c, h);
	if (sl->hash == 0) {
		sl->hash = h;
		sl->n = 0;
		c->n++;
	}
	return ++sl->n;
}

uint32_t
countset_get(const struct countset *c, const char *s, size_t len)
{
	const struct countset_slot *sl;

	if (c->cap == 0)
		return 0;
	sl = find(c, hash64(s, len));
	return sl->hash ? sl->n : 0;
}

uint32_t
countset_remove(struct countset *c, const char *s, size_t len)
{
	struct countset_slot *sl;
	size_t i, j, k, mask;

	if (c->cap == 0 || (sl = find(c, hash64(s, len)))->hash == 0)
		return 0;
	if (sl->n-- > 1)
		return sl->n + 1;
	sl->hash = 0;
	c->n--;
	/* backward-shift deletion: later entries of the probe run move up
	 * when the hole lies between their home slot and where they are */
	mask = c->cap - 1;
	i = (size_t)(sl - c->v);
	for (j = (i + 1) & mask; c->v[j].hash; j = (j + 1) & mask) {
		k = (size_t)c->v[j].hash & mask;
		if ((j > i && (k <= i || k > j)) || (j < i && k <= i && k > j)) {
			c->v[i] = c->v[j];
			c->v[j].hash = 0;
			i = j;
		}
	}
	return 1;
}

void
countset_free(struct countset *c)
{
	free(c->v);
	memset(c, 0, sizeof(*c));
}
