/*
 * countset.h - how many times each string was added, by a 64-bit hash of
 * it (the strings are not kept: 16 bytes a slot). The matcher uses it to
 * count each distinct name once however many registrations spell it.
 * Two strings whose 64-bit hashes collide count as one; with a few
 * million strings that happens with odds of about one in a million.
 */
#ifndef CHANSYNC_COUNTSET_H
#define CHANSYNC_COUNTSET_H

#include <stddef.h>
#include <stdint.h>

struct countset {
	struct countset_slot {
		uint64_t hash;		/* 0: empty */
		uint32_t n;
	} *v;
	size_t cap, n;
};

/* Adds s (len bytes) once more; returns how many times it is held now. */
uint32_t countset_add(struct countset *c, const char *s, size_t len);
/* Takes s away once; returns how many times it was held before (0: it
 * was never added, and nothing changes; 1: it is gone now). */
uint32_t countset_remove(struct countset *c, const char *s, size_t len);
/* How many times s is held. */
uint32_t countset_get(const struct countset *c, const char *s, size_t len);
void countset_free(struct countset *c);

#endif
