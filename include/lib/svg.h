/*
 * svg.h - the charts of the reports, drawn as inline SVG: no script, no
 * font or file fetched, readable when printed. Each chart carries a
 * <title> and an aria-label, so a screen reader and a text dump of the
 * page say what it shows.
 */
#ifndef CHANSYNC_SVG_H
#define CHANSYNC_SVG_H

#include <stddef.h>

#include "lib/mem.h"

/* A number as a chart writes it on its axis and labels. */
typedef void (*svg_fmt)(double v, const void *arg, char *out, size_t len);

struct svg_series {
	const char *name;
	const char *color;		/* "#1f77b4" */
	const double *v;		/* one per category */
};

/* Vertical bars, grouped by category, with an optional target marker. */
struct svg_bars {
	const char *title;
	const char *const *labels;	/* the categories */
	size_t n;
	const struct svg_series *series;
	size_t nseries;
	const double *target;		/* per category; NULL: none */
	const char *target_name;
	svg_fmt fmt;
	const void *arg;
	int width, height;
};
void svg_bars(struct buf *b, const struct svg_bars *c);

/* Horizontal bars, one per row, each with its text. */
struct svg_hbar {
	const char *label;
	double value;
	const char *text;		/* shown after the bar */
	const char *color;		/* NULL: the default */
};
void svg_hbars(struct buf *b, const char *title, const struct svg_hbar *rows,
    size_t n, int width);

/* A figure against the peers' average and top decile, one row each. */
struct svg_compare_row {
	const char *label;
	double value, avg, top;
	const char *value_text, *avg_text, *top_text;
};
void svg_compare(struct buf *b, const char *title,
    const struct svg_compare_row *rows, size_t n, int width);

#endif
