/* test_humanfmt.c - the reports' numbers and charts: thousands
 * separators, currencies, percentages, multiples, HTML escapes, and SVG
 * that escapes its text, balances its tags and scales to its data. */
#include "lib/humanfmt.h"
#include "lib/svg.h"
#include "t.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void
test_numbers(void)
{
	char b[HUMAN_LEN];

	human_thousands(0, 0, b, sizeof(b));
	CHECK_STR(b, "0");
	human_thousands(999, 0, b, sizeof(b));
	CHECK_STR(b, "999");
	human_thousands(1000, 0, b, sizeof(b));
	CHECK_STR(b, "1,000");
	human_thousands(-1234567.891, 2, b, sizeof(b));
	CHECK_STR(b, "-1,234,567.89");
	human_thousands(-0.2, 0, b, sizeof(b));
	CHECK_STR(b, "0");		/* never "-0" */
	human_thousands(NAN, 0, b, sizeof(b));
	CHECK_STR(b, "-");
	human_money(1234567.4, "USD", b, sizeof(b));
	CHECK_STR(b, "$1,234,567");
	human_money(-980, "EUR", b, sizeof(b));
	CHECK_STR(b, "-\u20ac980");
	human_money(12000, "CHF", b, sizeof(b));
	CHECK_STR(b, "12,000 CHF");
	human_money_short(1500000, "USD", b, sizeof(b));
	CHECK_STR(b, "$1.5M");
	human_money_short(1000000, "USD", b, sizeof(b));
	CHECK_STR(b, "$1M");
	human_money_short(350000, "GBP", b, sizeof(b));
	CHECK_STR(b, "\u00a3350k");
	human_money_short(900, "SEK", b, sizeof(b));
	CHECK_STR(b, "900 SEK");
	human_percent(0.875, b, sizeof(b));
	CHECK_STR(b, "87.5%");
	human_percent(0.6, b, sizeof(b));
	CHECK_STR(b, "60%");
	human_percent(4.21, b, sizeof(b));
	CHECK_STR(b, "421%");
	human_multiple(4.5, b, sizeof(b));
	CHECK_STR(b, "4.5x");
	human_multiple(INFINITY, b, sizeof(b));
	CHECK_STR(b, "-");
}

/* Each opened element of s closed, in order (enough of XML for ours). */
static int
balanced(const char *s)
{
	char stack[64][16];
	int depth = 0;

	while ((s = strchr(s, '<')) != NULL) {
		const char *end = strchr(s, '>');
		size_t n;

		if (end == NULL)
			return 0;
		if (s[1] == '/') {
			n = strcspn(s + 2, " >");
			if (depth == 0 || strncmp(stack[depth - 1], s + 2, n) != 0)
				return 0;
			depth--;
		} else if (end[-1] != '/') {
			n = strcspn(s + 1, " >");
			if (depth == 64 || n >= 16)
				return 0;
			memcpy(stack[depth], s + 1, n);
			stack[depth++][n] = '\0';
		}
		s = end + 1;
	}
	return depth == 0;
}

static void
test_svg(void)
{
	static const char *const labels[] = { "Q1 <&>", "Q2" };
	double won[] = { 50, 250 }, plan[] = { 100, 100 };
	struct svg_series s = { "won \"it\"", "#123456", won };
	struct svg_bars c;
	struct svg_hbar h[2] = { { "a", 3, "3 (60%)", NULL },
		{ "b<", 0, "none", "#ff0000" } };
	struct svg_compare_row cmp = { "KPI", 0.6, 0.3, 0, "60%", "30%", "0%" };
	struct buf b;

	memset(&c, 0, sizeof(c));
	c.title = "Won & plan";
	c.labels = labels;
	c.n = 2;
	c.series = &s;
	c.nseries = 1;
	c.target = plan;
	c.width = 400;
	c.height = 200;
	buf_init(&b, 0);
	svg_bars(&b, &c);
	CHECK(balanced(buf_str(&b)));
	CHECK(strstr(buf_str(&b), "<title>Won &amp; plan</title>") != NULL);
	CHECK(strstr(buf_str(&b), "Q1 &lt;&amp;&gt;") != NULL);
	CHECK(strstr(buf_str(&b), "won &quot;it&quot;") != NULL);
	/* the axis reaches past the tallest bar: 250 on steps of 50 */
	CHECK(strstr(buf_str(&b), ">250</text>") != NULL);
	CHECK(strstr(buf_str(&b), "nan") == NULL && strstr(buf_str(&b), "inf") == NULL);
	buf_reset(&b);
	svg_hbars(&b, "Tiers", h, 2, 400);
	CHECK(balanced(buf_str(&b)));
	CHECK(strstr(buf_str(&b), "b&lt;") != NULL);
	CHECK(strstr(buf_str(&b), "width=\"0.0\"") != NULL);	/* zero, drawn empty */
	buf_reset(&b);
	svg_compare(&b, "Peers", &cmp, 1, 400);	/* a zero top: no division by 0 */
	CHECK(balanced(buf_str(&b)));
	CHECK(strstr(buf_str(&b), "nan") == NULL);
	buf_reset(&b);
	html_escape(&b, "<a href='x'>&\"</a>");
	CHECK_STR(buf_str(&b), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
	buf_free(&b);
}

int
main(void)
{
	T_RUN(test_numbers);
	T_RUN(test_svg);
	return t_done("humanfmt");
}
