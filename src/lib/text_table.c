/*
 * text_table.c - column alignment by display width (UTF-8 aware, control
 * characters escaped so data from a source cannot rewrite the terminal).
 */
#include "lib/text_table.h"
#include "lib/log.h"
#include "lib/mem.h"

#include <stdlib.h>
#include <string.h>

struct table {
	int ncol;
	char **cells;	/* rows * ncol, row 0 is the header */
	size_t rows, cap;
};

struct table *
table_new(int ncol, const char *const *header)
{
	struct table *t = xcalloc(1, sizeof(*t));

	t->ncol = ncol;
	table_add(t, header);
	return t;
}

void
table_add(struct table *t, const char *const *cells)
{
	int i;

	xgrow(&t->cells, &t->cap, (t->rows + 1) * (size_t)t->ncol,
	    sizeof(*t->cells));
	for (i = 0; i < t->ncol; i++)
		t->cells[t->rows * (size_t)t->ncol + (size_t)i] =
		    log_redact(cells[i] ? cells[i] : "-", 0);
	t->rows++;
}

size_t
table_rows(const struct table *t)
{
	return t->rows - 1;
}

/* Display width: UTF-8 continuation bytes do not count. */
static int
width(const char *s)
{
	int w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

/* Bytes of s that fit in w columns. */
static size_t
prefix_bytes(const char *s, int w)
{
	size_t i = 0;
	int cols = 0;

	while (s[i]) {
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			if (cols == w)
				break;
			cols++;
		}
		i++;
	}
	return i;
}

void
table_print(const struct table *t, FILE *f, int maxw)
{
	int *w = xcalloc((size_t)t->ncol, sizeof(*w));
	size_t r;
	int c;

	for (r = 0; r < t->rows; r++)
		for (c = 0; c < t->ncol; c++) {
			int cw = width(t->cells[r * (size_t)t->ncol + (size_t)c]);

			if (maxw && cw > maxw)
				cw = maxw;
			if (cw > w[c])
				w[c] = cw;
		}
	for (r = 0; r < t->rows; r++) {
		for (c = 0; c < t->ncol; c++) {
			const char *s = t->cells[r * (size_t)t->ncol + (size_t)c];
			int cw = width(s);
			int last = c == t->ncol - 1;

			if (maxw && cw > maxw) {
				fwrite(s, 1, prefix_bytes(s, maxw - 1), f);
				fputs("~", f);
				cw = maxw;
			} else
				fputs(s, f);
			if (!last)
				fprintf(f, "%*s", w[c] - cw + 2, "");
		}
		fputc('\n', f);
	}
	free(w);
}

void
table_free(struct table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->rows * (size_t)t->ncol; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}
