/*
 * svg.c - bar charts as inline SVG (see svg.h).
 */
#include "lib/svg.h"
#include "lib/humanfmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define FONT "font-family=\"sans-serif\""

static void
open_svg(struct buf *b, const char *title, int w, int h)
{
	buf_addf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
	    w, h, w, h);
	html_escape(b, title);
	buf_addstr(b, "\"><title>");
	html_escape(b, title);
	buf_addstr(b, "</title>");
}

static void
text(struct buf *b, double x, double y, const char *anchor, const char *s,
    const char *extra)
{
	buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" " FONT
	    "%s%s%s>", x, y, anchor, extra && strstr(extra, "font-size") ? "" :
	    " font-size=\"11\"", extra ? " " : "", extra ? extra : "");
	html_escape(b, s);
	buf_addstr(b, "</text>");
}

/* A round step for about five ticks up to max. */
static double
nice_step(double max)
{
	double raw = max / 5, mag, f;

	if (raw <= 0)
		return 1;
	mag = pow(10, floor(log10(raw)));
	f = raw / mag;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * mag;
}

static void
plain(double v, const void *arg, char *out, size_t len)
{
	(void)arg;
	human_thousands(v, 0, out, len);
}

void
svg_bars(struct buf *b, const struct svg_bars *c)
{
	const double left = 64, right = 12, top = 28, bottom = 46;
	double max = 0, step, plot_w, plot_h, group, bw, y;
	svg_fmt fmt = c->fmt ? c->fmt : plain;
	char t[HUMAN_LEN];
	size_t i, s;

	for (i = 0; i < c->n; i++) {
		for (s = 0; s < c->nseries; s++)
			if (c->series[s].v[i] > max)
				max = c->series[s].v[i];
		if (c->target && c->target[i] > max)
			max = c->target[i];
	}
	step = nice_step(max);
	max = step * ceil((max > 0 ? max : 1) / step);
	plot_w = c->width - left - right;
	plot_h = c->height - top - bottom;
	open_svg(b, c->title, c->width, c->height);
	/* the axis with its ticks */
	for (y = 0; y <= max + step / 2; y += step) {
		double py = top + plot_h - y / max * plot_h;

		buf_addf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		    "stroke=\"#ddd\"/>", left, py, left + plot_w, py);
		fmt(y, c->arg, t, sizeof(t));
		text(b, left - 6, py + 4, "end", t, NULL);
	}
	group = c->n ? plot_w / (double)c->n : plot_w;
	bw = c->nseries ? group * 0.7 / (double)c->nseries : 0;
	for (i = 0; i < c->n; i++) {
		double gx = left + group * (double)i + group * 0.15;

		for (s = 0; s < c->nseries; s++) {
			double v = c->series[s].v[i] > 0 ? c->series[s].v[i] : 0;
			double h = v / max * plot_h;

			buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			    "height=\"%.1f\" fill=\"%s\"><title>", gx + bw *
			    (double)s, top + plot_h - h, bw > 1 ? bw - 1 : bw, h,
			    c->series[s].color);
			html_escape(b, c->series[s].name);
			fmt(c->series[s].v[i], c->arg, t, sizeof(t));
			buf_addch(b, ' ');
			html_escape(b, c->labels[i]);
			buf_addstr(b, ": ");
			html_escape(b, t);
			buf_addstr(b, "</title></rect>");
		}
		if (c->target && c->target[i] > 0) {
			double py = top + plot_h - c->target[i] / max * plot_h;

			buf_addf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			    "y2=\"%.1f\" stroke=\"#222\" stroke-width=\"2\" "
			    "stroke-dasharray=\"4 2\"/>", gx - 3, py,
			    gx + group * 0.7 + 3, py);
		}
		text(b, gx + group * 0.35, top + plot_h + 15, "middle",
		    c->labels[i], NULL);
	}
	/* the legend, under the axis */
	{
		double lx = left;

		for (s = 0; s < c->nseries; s++) {
			buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" "
			    "height=\"10\" fill=\"%s\"/>", lx, (double)c->height - 16,
			    c->series[s].color);
			text(b, lx + 14, c->height - 7, "start", c->series[s].name,
			    NULL);
			lx += 22 + 7.0 * (double)strlen(c->series[s].name);
		}
		if (c->target) {
			buf_addf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			    "y2=\"%.1f\" stroke=\"#222\" stroke-width=\"2\" "
			    "stroke-dasharray=\"4 2\"/>", lx, c->height - 11.0,
			    lx + 14, c->height - 11.0);
			text(b, lx + 18, c->height - 7, "start", c->target_name ?
			    c->target_name : "target", NULL);
		}
	}
	text(b, left, 14, "start", c->title, "font-weight=\"bold\"");
	buf_addstr(b, "</svg>");
}

void
svg_hbars(struct buf *b, const char *title, const struct svg_hbar *rows,
    size_t n, int width)
{
	const double label_w = 150, text_w = 110, row_h = 22, top = 24;
	double max = 0, plot_w = width - label_w - text_w;
	size_t i;

	for (i = 0; i < n; i++)
		if (rows[i].value > max)
			max = rows[i].value;
	if (max <= 0)
		max = 1;
	open_svg(b, title, width, (int)(top + row_h * (double)n + 6));
	text(b, 0, 14, "start", title, "font-weight=\"bold\"");
	for (i = 0; i < n; i++) {
		double y = top + row_h * (double)i;
		double w = rows[i].value > 0 ? rows[i].value / max * plot_w : 0;

		text(b, label_w - 6, y + 14, "end", rows[i].label, NULL);
		buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		    "height=\"16\" fill=\"%s\"/>", label_w, y + 2, w,
		    rows[i].color ? rows[i].color : "#4e79a7");
		text(b, label_w + w + 6, y + 14, "start", rows[i].text, NULL);
	}
	buf_addstr(b, "</svg>");
}

void
svg_compare(struct buf *b, const char *title,
    const struct svg_compare_row *rows, size_t n, int width)
{
	static const char *const color[3] = { "#4e79a7", "#bab0ac", "#59a14f" };
	static const char *const name[3] = { "this partner", "peer average",
		"top decile" };
	const double label_w = 170, text_w = 90, row_h = 40, top = 40;
	double plot_w = width - label_w - text_w;
	size_t i, k;

	open_svg(b, title, width, (int)(top + row_h * (double)n + 4));
	text(b, 0, 14, "start", title, "font-weight=\"bold\"");
	for (k = 0; k < 3; k++) {
		buf_addf(b, "<rect x=\"%.1f\" y=\"22\" width=\"10\" height=\"10\" "
		    "fill=\"%s\"/>", label_w + 110.0 * (double)k, color[k]);
		text(b, label_w + 110.0 * (double)k + 14, 31, "start", name[k],
		    NULL);
	}
	for (i = 0; i < n; i++) {
		const struct svg_compare_row *r = &rows[i];
		double v[3] = { r->value, r->avg, r->top }, max = 0;
		const char *t[3] = { r->value_text, r->avg_text, r->top_text };
		double y = top + row_h * (double)i;

		for (k = 0; k < 3; k++)
			if (v[k] > max)
				max = v[k];
		if (max <= 0)
			max = 1;
		text(b, label_w - 8, y + 22, "end", r->label, NULL);
		for (k = 0; k < 3; k++) {
			double w = v[k] > 0 ? v[k] / max * plot_w : 0;

			buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			    "height=\"10\" fill=\"%s\"/>", label_w, y + 4 +
			    11.0 * (double)k, w, color[k]);
			text(b, label_w + w + 4, y + 13 + 11.0 * (double)k, "start",
			    t[k], "font-size=\"10\"");
		}
	}
	buf_addstr(b, "</svg>");
}
