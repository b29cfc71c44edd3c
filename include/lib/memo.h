/*
 * memo.h - a small set-associative cache for pure string functions (name
 * keys, registrable domains, countries): a million opportunities name a
 * few tens of thousands of accounts, so most results are looked up, not
 * recomputed.
 */
#ifndef CHANSYNC_MEMO_H
#define CHANSYNC_MEMO_H

#include <stdint.h>

/*
 * Sets of two: with one slot per hash, a quarter of 20,000 names shared
 * a slot with another and were computed again each time the two
 * alternated (a tenth of all lookups on a million records).
 */
#define MEMO_SETS 65536
#define MEMO_WAYS 2

struct memo_slot {
	char *kv;		/* "in\0out\0" in one allocation */
	uint32_t hash;
	uint32_t out;		/* where out starts in kv; 0: the function failed */
};

struct memo {
	struct memo_slot slot[MEMO_SETS][MEMO_WAYS];	/* [0]: the newer */
};

/*
 * 1 on a hit: *ret is the result (NULL for a failure), borrowed until the
 * next memo_put.
 */
int memo_find(struct memo *m, const char *in, const char **ret);
/* Remembers in -> out (out may be NULL: the function failed); returns the copy kept. */
const char *memo_put(struct memo *m, const char *in, const char *out);
void memo_clear(struct memo *m);

#endif
