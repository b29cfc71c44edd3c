/*
 * humanfmt.h - numbers as people read them: thousands separators,
 * currency, percentages, multiples; and text made safe for HTML.
 */
#ifndef CHANSYNC_HUMANFMT_H
#define CHANSYNC_HUMANFMT_H

#include <stddef.h>

#include "lib/mem.h"

#define HUMAN_LEN 64		/* room for any of the forms below */

/* "1,234,567" (decimals after the point, 0 to 3). */
void human_thousands(double v, int decimals, char *out, size_t len);
/* "$1,234,567", "€980", "£12", "1,234 CHF" (whole units). */
void human_money(double v, const char *currency, char *out, size_t len);
/* "$1.2M", "$350k", "$900" for a chart's axis and labels. */
void human_money_short(double v, const char *currency, char *out,
    size_t len);
/* A ratio as a percentage: 0.875 -> "87.5%", 1.5 -> "150%". */
void human_percent(double ratio, char *out, size_t len);
/* A multiple: 2.43 -> "2.4x". */
void human_multiple(double v, char *out, size_t len);
/* s with &, <, >, " and ' escaped, onto b (NULL: nothing). */
void html_escape(struct buf *b, const char *s);

#endif
