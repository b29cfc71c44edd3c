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
memo_get(struct memo *m, const char *in, char **ret)
{
	struct memo_slot *sl = &m->slot[slot_of(in)];

	if (sl->in == NULL || strcmp(sl->in, in) != 0)
		return 0;
	*ret = sl->out ? xstrdup(sl->out) : NULL;
	return 1;
}

void
memo_put(struct memo *m, const char *in, const char *out)
{
	struct memo_slot *sl = &m->slot[slot_of(in)];

	free(sl->in);
	free(sl->out);
	sl->in = xstrdup(in);
	sl->out = out ? xstrdup(out) : NULL;
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
