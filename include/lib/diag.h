/*
 * diag.h - a list of positioned diagnostics, printed as
 * "FILE:LINE:COL: key.path: message" (positions 1-based).
 *
 * The config loader collects every error of a file here instead of
 * stopping at the first, then reports them all at once.
 */
#ifndef CHANSYNC_DIAG_H
#define CHANSYNC_DIAG_H

#include <stddef.h>

struct diag {
	int line, col;		/* 1-based; 0 when there is no position */
	char *path;		/* key path like "sources[0].url"; may be "" */
	char *msg;
	int perm;		/* 1: a permission problem (exit 77) */
	size_t order;		/* for a stable sort */
};

struct diags {
	char *file;		/* as given by the user */
	struct diag *v;
	size_t n, cap;
};

void diags_init(struct diags *d, const char *file);
void diags_add(struct diags *d, int line, int col, const char *path,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Marks the last added diagnostic as a permission problem. */
void diags_mark_perm(struct diags *d);
int diags_has_perm(const struct diags *d);
/* Orders the diagnostics by position (stable), as a reader meets them. */
void diags_sort(struct diags *d);
/* Returns a new string: diagnostic i formatted for people. */
char *diags_format(const struct diags *d, size_t i);
void diags_free(struct diags *d);

#endif
