/*
 * strmap.h - a string -> uint32 hash map (open addressing, FNV-1a) for
 * the matcher's token counts and the conflict index. Keys are copied.
 */
#ifndef CHANSYNC_STRMAP_H
#define CHANSYNC_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap_slot {
	char *key;
	uint32_t val;
	uint32_t hash;		/* of key: probes compare it first */
};

struct strmap {
	struct strmap_slot *v;
	size_t cap, n;
};

/* The value of key (len bytes), or NULL. */
uint32_t *strmap_get(const struct strmap *m, const char *key, size_t len);
/* The value of key, added as 0 when absent (*created then 1). */
uint32_t *strmap_put(struct strmap *m, const char *key, size_t len, int *created);
/*
 * strmap_put and strmap_key in one probe: the key as stored, added when
 * absent; *val (when val is not NULL) points at its value.
 */
const char *strmap_intern(struct strmap *m, const char *key, size_t len,
    uint32_t **val);
/* The key as stored (it lives until the entry is deleted), or NULL. */
const char *strmap_key(const struct strmap *m, const char *key, size_t len);
/* Removes key; returns 1 when it was there. */
int strmap_del(struct strmap *m, const char *key, size_t len);
void strmap_free(struct strmap *m);

#endif
