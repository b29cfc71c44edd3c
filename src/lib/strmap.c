/*
 * strmap.c - string -> uint32 hash map (see strmap.h).
 */
#include "lib/strmap.h"
#include "lib/mem.h"

#include <stdlib.h>
#include <string.h>

/*
 * Eight bytes a step (FNV-1a went a byte a step: 3% of the instructions
 * of building the conflict index, whose claim keys are 30 bytes), each
 * word mixed by a multiply, the last one finished by MurmurHash3's
 * 64-bit finalizer: the table's index is the low bits, so every input
 * bit must reach them.
 */
static uint32_t
hash(const char *s, size_t len)
{
	const uint64_t m = 0xff51afd7ed558ccdull;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ len, w;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * m;
		h ^= h >> 29;
	}
	if (len) {
		w = 0;
		if (len >= 4) {
			uint32_t a, b;

			memcpy(&a, s, 4);
			memcpy(&b, s + len - 4, 4);
			w = (uint64_t)a | (uint64_t)b << 32;
		} else
			w = (uint64_t)(unsigned char)s[0] |
			    (uint64_t)(unsigned char)s[len / 2] << 8 |
			    (uint64_t)(unsigned char)s[len - 1] << 16;
		h = (h ^ w) * m;
	}
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return (uint32_t)h;
}

static struct strmap_slot *
slot_h(const struct strmap *m, const char *key, size_t len, uint32_t h)
{
	size_t i;

	for (i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		struct strmap_slot *sl = &m->v[i];

		if (sl->key == NULL || (sl->hash == h &&
		    strncmp(sl->key, key, len) == 0 && sl->key[len] == '\0'))
			return sl;
	}
}

static struct strmap_slot *
slot(const struct strmap *m, const char *key, size_t len)
{
	return slot_h(m, key, len, hash(key, len));
}

uint32_t *
strmap_get(const struct strmap *m, const char *key, size_t len)
{
	struct strmap_slot *sl;

	if (m->cap == 0)
		return NULL;
	sl = slot(m, key, len);
	return sl->key ? &sl->val : NULL;
}

/* The slot of key, added (value 0) when absent; *created says which. */
static struct strmap_slot *
put(struct strmap *m, const char *key, size_t len, int *created)
{
	struct strmap_slot *sl;
	uint32_t h = hash(key, len);

	/* at most three quarters full: probe runs stay short */
	if ((m->n + 1) * 4 > m->cap * 3) {
		struct strmap nm;
		size_t i;

		nm.cap = m->cap ? m->cap * 2 : 64;
		nm.n = m->n;
		nm.v = xcalloc(nm.cap, sizeof(*nm.v));
		for (i = 0; i < m->cap; i++)
			if (m->v[i].key) {
				size_t j = m->v[i].hash & (nm.cap - 1);

				/* keys are unique: the first free slot */
				while (nm.v[j].key)
					j = (j + 1) & (nm.cap - 1);
				nm.v[j] = m->v[i];
			}
		free(m->v);
		*m = nm;
	}
	sl = slot_h(m, key, len, h);
	if (created)
		*created = sl->key == NULL;
	if (sl->key == NULL) {
		sl->key = xstrndup(key, len);
		sl->hash = h;
		sl->val = 0;
		m->n++;
	}
	return sl;
}

uint32_t *
strmap_put(struct strmap *m, const char *key, size_t len, int *created)
{
	return &put(m, key, len, created)->val;
}

const char *
strmap_intern(struct strmap *m, const char *key, size_t len, uint32_t **val)
{
	struct strmap_slot *sl = put(m, key, len, NULL);

	if (val)
		*val = &sl->val;
	return sl->key;
}

const char *
strmap_key(const struct strmap *m, const char *key, size_t len)
{
	struct strmap_slot *sl;

	if (m->cap == 0)
		return NULL;
	sl = slot(m, key, len);
	return sl->key;
}

int
strmap_del(struct strmap *m, const char *key, size_t len)
{
	size_t i, j, k, mask = m->cap - 1;
	struct strmap_slot *sl;

	if (m->cap == 0 || (sl = slot(m, key, len))->key == NULL)
		return 0;
	free(sl->key);
	sl->key = NULL;
	m->n--;
	/*
	 * Backward-shift deletion: later entries of the probe run move up
	 * when the hole lies between their home slot and where they are.
	 */
	i = (size_t)(sl - m->v);
	for (j = (i + 1) & mask; m->v[j].key; j = (j + 1) & mask) {
		k = m->v[j].hash & mask;
		if ((j > i && (k <= i || k > j)) || (j < i && k <= i && k > j)) {
			m->v[i] = m->v[j];
			m->v[j].key = NULL;
			i = j;
		}
	}
	return 1;
}

void
strmap_free(struct strmap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->v[i].key);
	free(m->v);
	memset(m, 0, sizeof(*m));
}
