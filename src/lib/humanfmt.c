/*
 * humanfmt.c - numbers for people, text for HTML (see humanfmt.h).
 */
#include "lib/humanfmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void
human_thousands(double v, int decimals, char *out, size_t len)
{
	char d[HUMAN_LEN];
	const char *dot, *p;
	size_t n, i, o = 0;

	if (!isfinite(v)) {
		snprintf(out, len, "-");
		return;
	}
	if (decimals < 0 || decimals > 3)
		decimals = 0;
	snprintf(d, sizeof(d), "%.*f", decimals, v);
	if (strcmp(d, "-0") == 0)
		snprintf(d, sizeof(d), "0");
	p = d[0] == '-' ? d + 1 : d;
	dot = strchr(p, '.');
	n = dot ? (size_t)(dot - p) : strlen(p);
	if (d[0] == '-' && o + 1 < len)
		out[o++] = '-';
	for (i = 0; i < n && o + 2 < len; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = p[i];
	}
	for (i = n; p[i] && o + 1 < len; i++)
		out[o++] = p[i];
	out[o] = '\0';
}

/* The sign written before an amount, or NULL: the code after it. */
static const char *
symbol(const char *currency)
{
	static const struct {
		const char *code, *sym;
	} s[] = { { "USD", "$" }, { "EUR", "\u20ac" }, { "GBP", "\u00a3" },
		{ "JPY", "\u00a5" }, { "AUD", "A$" }, { "CAD", "C$" } };
	size_t i;

	for (i = 0; currency && i < sizeof(s) / sizeof(s[0]); i++)
		if (strcmp(s[i].code, currency) == 0)
			return s[i].sym;
	return NULL;
}

static void
with_currency(const char *num, int neg, const char *currency, char *out,
    size_t len)
{
	const char *sym = symbol(currency);

	if (sym)
		snprintf(out, len, "%s%s%s", neg ? "-" : "", sym, num);
	else
		snprintf(out, len, "%s%s %s", neg ? "-" : "", num, currency ?
		    currency : "");
}

void
human_money(double v, const char *currency, char *out, size_t len)
{
	char n[HUMAN_LEN];

	human_thousands(fabs(v), 0, n, sizeof(n));
	with_currency(n, v < -0.5, currency, out, len);
}

void
human_money_short(double v, const char *currency, char *out, size_t len)
{
	double a = fabs(v);
	char n[HUMAN_LEN];

	if (a >= 1e9)
		snprintf(n, sizeof(n), "%.*fB", a >= 1e10 ? 0 : 1, a / 1e9);
	else if (a >= 1e6)
		snprintf(n, sizeof(n), "%.*fM", a >= 1e7 ? 0 : 1, a / 1e6);
	else if (a >= 1e3)
		snprintf(n, sizeof(n), "%.0fk", a / 1e3);
	else
		snprintf(n, sizeof(n), "%.0f", a);
	/* "1.0M" reads as "1M" */
	if (strstr(n, ".0") && (strchr(n, 'M') || strchr(n, 'B'))) {
		char *dot = strstr(n, ".0");

		memmove(dot, dot + 2, strlen(dot + 2) + 1);
	}
	with_currency(n, v < -0.5, currency, out, len);
}

void
human_percent(double ratio, char *out, size_t len)
{
	double p = ratio * 100.0;

	if (!isfinite(p))
		snprintf(out, len, "-");
	else if (fabs(p) >= 100 || fabs(p - round(p)) < 0.05)
		snprintf(out, len, "%.0f%%", p);
	else
		snprintf(out, len, "%.1f%%", p);
}

void
human_multiple(double v, char *out, size_t len)
{
	if (!isfinite(v))
		snprintf(out, len, "-");
	else
		snprintf(out, len, "%.1fx", v);
}

void
html_escape(struct buf *b, const char *s)
{
	for (; s && *s; s++)
		switch (*s) {
		case '&':
			buf_addstr(b, "&amp;");
			break;
		case '<':
			buf_addstr(b, "&lt;");
			break;
		case '>':
			buf_addstr(b, "&gt;");
			break;
		case '"':
			buf_addstr(b, "&quot;");
			break;
		case '\'':
			buf_addstr(b, "&#39;");
			break;
		default:
			buf_addch(b, *s);
		}
}
