/*
 * memo.c - set-associative string memo (FNV-1a; two ways a set, the
 * older one replaced).
 */
#include "memo.h"
#include "mem.h"

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

int
memo_find(struct memo *m, const char *in, const char **ret)
{
	uint32_t h = hash_of(in);
	struct memo_slot *set = m->slot[h % MEMO_SETS];
	int w;

	for (w = 0; w < MEMO_WAYS; w++)
		if (set[w].in && set[w].hash == h && strcmp(set[w].in, in) == 0) {
			if (w) {	/* the one used last goes first */
				struct memo_slot t = set[w];

				set[w] = set[0];
				set[0] = t;
			}
			*ret = set[0].out;
			return 1;
		}
	return 0;
}

const char *
memo_put(struct memo *m, const char *in, const char *out)
{
	uint32_t h = hash_of(in);
	struct memo_slot *set = m->slot[h % MEMO_SETS];
	char *in2 = xstrdup(in), *out2 = out ? xstrdup(out) : NULL;
	int w;

	/* in or out may be a slot's own strings: copied before any goes */
	for (w = 0; w < MEMO_WAYS; w++)
		if (set[w].in && set[w].hash == h && strcmp(set[w].in, in) == 0)
			break;
	if (w == MEMO_WAYS)
		w = MEMO_WAYS - 1;	/* the oldest goes */
	free(set[w].in);
	free(set[w].out);
	for (; w > 0; w--)
		set[w] = set[w - 1];
	set[0].in = in2;
	set[0].out = out2;
	set[0].hash = h;
	return out2;
}

void
memo_clear(struct memo *m)
{
	size_t i;
	int w;

	for (i = 0; i < MEMO_SETS; i++)
		for (w = 0; w < MEMO_WAYS; w++) {
			free(m->slot[i][w].in);
			free(m->slot[i][w].out);
			m->slot[i][w].in = m->slot[i][w].out = NULL;
		}
}
