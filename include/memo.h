/*
 * memo.h - a small direct-mapped cache for pure string functions (name
 * keys, registrable domains, countries): a million opportunities name a
 * few tens of thousands of accounts, so most results are looked up, not recomputed.
 */
#ifndef CHANSYNC_MEMO_H
#define CHANSYNC_MEMO_H

#define MEMO_SLOTS 65536

struct memo_slot {
	char *in;
	char *out;		/* NULL when the function failed */
};

struct memo {
	struct memo_slot slot[MEMO_SLOTS];
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
