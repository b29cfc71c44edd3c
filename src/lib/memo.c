/*
 * memo.c - set-associative string memo (FNV-1a; two ways a set, the
 * older one replaced).
 */
#include "lib/memo.h"
#include "lib/mem.h"

#include <stdlib.h>
#include <string.h>

static uint32_t
hash_of(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static int
holds(const struct memo_slot *sl, uint32_t h, const char *in)
{
	return sl->kv && sl->hash == h && strcmp(sl->kv, in) == 0;
}

int
memo_find(struct memo *m, const char *in, const char **ret)
{
	uint32_t h = hash_of(in);
	struct memo_slot *set = m->slot[h % MEMO_SETS];
	int w;

	for (w = 0; w < MEMO_WAYS; w++)
		if (holds(&set[w], h, in)) {
			if (w) {	/* the one used last goes first */
				struct memo_slot t = set[w];

				set[w] = set[0];
				set[0] = t;
			}
			*ret = set[0].out ? set[0].kv + set[0].out : NULL;
			return 1;
		}
	return 0;
}

const char *
memo_put(struct memo *m, const char *in, const char *out)
{
	uint32_t h = hash_of(in);
	struct memo_slot *set = m->slot[h % MEMO_SETS];
	size_t ni = strlen(in), no = out ? strlen(out) : 0;
	char *kv = xmalloc(ni + 1 + no + 1);
	int w;

	/* in or out may be a slot's own strings: copied before any goes */
	memcpy(kv, in, ni + 1);
	if (out)
		memcpy(kv + ni + 1, out, no + 1);
	for (w = 0; w < MEMO_WAYS; w++)
		if (holds(&set[w], h, in))
			break;
	if (w == MEMO_WAYS)
		w = MEMO_WAYS - 1;	/* the oldest goes */
	free(set[w].kv);
	for (; w > 0; w--)
		set[w] = set[w - 1];
	set[0].kv = kv;
	set[0].hash = h;
	set[0].out = out ? (uint32_t)(ni + 1) : 0;
	return out ? kv + ni + 1 : NULL;
}

void
memo_clear(struct memo *m)
{
	size_t i;
	int w;

	for (i = 0; i < MEMO_SETS; i++)
		for (w = 0; w < MEMO_WAYS; w++) {
			free(m->slot[i][w].kv);
			m->slot[i][w].kv = NULL;
		}
}
