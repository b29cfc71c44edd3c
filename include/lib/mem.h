/*
 * mem.h - allocation that never returns NULL, and growable byte buffers
 * with a hard maximum size (curl's dynbuf idea).
 *
 * Allocation failure is fatal: the x* functions print a message and abort.
 * Input is always capped: a buf refuses to grow past the maximum given at
 * init and reports it, so a hostile file or server cannot make us allocate
 * without bound.
 */
#ifndef CHANSYNC_MEM_H
#define CHANSYNC_MEM_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Returns a new string; s must not be NULL. */
char *xstrdup(const char *s);
/* Returns a new NUL-terminated copy of the first n bytes of s. */
char *xstrndup(const char *s, size_t n);
/* Returns a new formatted string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);
/* Grows *arr (of *cap elements of size sz) so that it holds at least n. */
void xgrow(void *arr_ptr, size_t *cap, size_t n, size_t sz);

struct buf {
	char *data;	/* always NUL-terminated when non-NULL */
	size_t len;	/* bytes used, excluding the terminating NUL */
	size_t cap;	/* bytes allocated */
	size_t max;	/* hard limit on len; 0 means 64 MiB */
};

void buf_init(struct buf *b, size_t max);
/* Append n bytes. Returns 0, or -1 when the result would exceed b->max. */
int buf_add(struct buf *b, const void *p, size_t n);
/* Room for n more bytes, allocated exactly (a file of known size read
 * whole costs its size, not the next power of two). */
void buf_reserve(struct buf *b, size_t n);
int buf_addstr(struct buf *b, const char *s);
int buf_addch(struct buf *b, char c);
int buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);
/* Returns the contents as a C string (never NULL); borrowed until the next change. */
const char *buf_str(const struct buf *b);
/* Steals the contents as a new string and leaves b empty. */
char *buf_steal(struct buf *b);
void buf_free(struct buf *b);

/*
 * An arena: many small allocations freed together (a batch of records and
 * their strings). A large sync maps millions of values; one malloc/free
 * pair each was an eighth of its CPU. Blocks are kept across resets, so a
 * batch reuses the memory of the one before. Functions that take an arena
 * allocate with malloc when it is NULL (the caller frees then).
 */
struct arena_block;
struct arena {
	struct arena_block *cur;	/* being filled */
	struct arena_block *spare;	/* emptied by a reset, for reuse */
	size_t used;			/* bytes handed out since the reset */
};

/* n bytes aligned for any type. */
void *arena_alloc(struct arena *a, size_t n);
/* A NUL-terminated copy of the first n bytes of s (a NULL arena: xstrndup). */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* p, a string malloc made, as a's (p freed); with a NULL arena, p itself. */
char *arena_adopt(struct arena *a, char *p);
/* Everything handed out is gone; the blocks stay for reuse. */
void arena_reset(struct arena *a);
void arena_free(struct arena *a);

/* Overwrites n bytes of p with zeros in a way the compiler keeps, then frees. */
void secure_free(void *p, size_t n);

#endif
