/*
 * memo.c - direct-mapped string memo (FNV-1a; a collision replaces).
 */
#include "memo.h"
#include "mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t
slot_of(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % MEMO_SLOTS;
}

int
memo_find(struct memo *m, const char *in, const char **ret)
{
	struct memo_slot *sl = &m->slot[slot_of(in)];

	if (sl->in == NULL || strcmp(sl->in, in) != 0)
		return 0;
	*ret = sl->out;
	return 1;
}

const char *
memo_put(struct memo *m, const char *in, const char *out)
{
	struct memo_slot *sl = &m->slot[slot_of(in)];
	char *in2 = xstrdup(in), *out2 = out ? xstrdup(out) : NULL;

	/* in or out may be the slot's own strings */
	free(sl->in);
	free(sl->out);
	sl->in = in2;
	sl->out = out2;
	return out2;
}

void
memo_clear(struct memo *m)
{
	size_t i;

	for (i = 0; i < MEMO_SLOTS; i++) {
		free(m->slot[i].in);
		free(m->slot[i].out);
		m->slot[i].in = m->slot[i].out = NULL;
	}
}
