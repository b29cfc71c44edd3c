/*
 * diag.c - collecting and formatting positioned diagnostics.
 */
#include "lib/diag.h"
#include "lib/mem.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void
diags_init(struct diags *d, const char *file)
{
	memset(d, 0, sizeof(*d));
	d->file = xstrdup(file ? file : "-");
}

void
diags_add(struct diags *d, int line, int col, const char *path,
    const char *fmt, ...)
{
	struct diag *g;
	va_list ap;

	xgrow(&d->v, &d->cap, d->n + 1, sizeof(*d->v));
	g = &d->v[d->n++];
	g->line = line;
	g->col = col;
	g->path = xstrdup(path ? path : "");
	va_start(ap, fmt);
	g->msg = xvasprintf(fmt, ap);
	va_end(ap);
	g->perm = 0;
}

void
diags_mark_perm(struct diags *d)
{
	if (d->n)
		d->v[d->n - 1].perm = 1;
}

int
diags_has_perm(const struct diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->v[i].perm)
			return 1;
	return 0;
}

static int
by_position(const void *a, const void *b)
{
	const struct diag *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	/* equal positions keep the order they were found in */
	return x->order < y->order ? -1 : x->order > y->order;
}

void
diags_sort(struct diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		d->v[i].order = i;
	if (d->n > 1)
		qsort(d->v, d->n, sizeof(*d->v), by_position);
}

char *
diags_format(const struct diags *d, size_t i)
{
	const struct diag *g = &d->v[i];

	if (g->line > 0 && g->path[0])
		return xasprintf("%s:%d:%d: %s: %s", d->file, g->line, g->col,
		    g->path, g->msg);
	if (g->line > 0)
		return xasprintf("%s:%d:%d: %s", d->file, g->line, g->col,
		    g->msg);
	if (g->path[0])
		return xasprintf("%s: %s: %s", d->file, g->path, g->msg);
	return xasprintf("%s: %s", d->file, g->msg);
}

void
diags_free(struct diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].path);
		free(d->v[i].msg);
	}
	free(d->v);
	free(d->file);
	memset(d, 0, sizeof(*d));
}
