/* test_normalize.c - value normalization with real-world inputs. */
#include "normalize.h"
#include "t.h"

static const char *
iso(const char *in, enum time_format f)
{
	static char out[21];
	int64_t t;

	if (norm_time(in, f, &t) < 0)
		return "ERR";
	norm_time_format(t, out);
	return out;
}

static void
test_times(void)
{
	CHECK_STR(iso("2026-11-20T10:11:12Z", TIME_ISO8601), "2026-11-20T10:11:12Z");
	CHECK_STR(iso("2026-11-20T10:11:12.000+0000", TIME_ISO8601),
	    "2026-11-20T10:11:12Z");		/* Salesforce */
	CHECK_STR(iso("2026-11-20T10:11:12+01:00", TIME_ISO8601),
	    "2026-11-20T09:11:12Z");
	CHECK_STR(iso("2026-11-20T00:30:00-05", TIME_ISO8601),
	    "2026-11-20T05:30:00Z");
	CHECK_STR(iso("2026-01-01T00:15:00+05:30", TIME_ISO8601),
	    "2025-12-31T18:45:00Z");		/* across a year */
	CHECK_STR(iso("2026-11-20 10:11", TIME_ISO8601), "2026-11-20T10:11:00Z");
	CHECK_STR(iso("2026-11-20", TIME_ISO8601), "2026-11-20T00:00:00Z");
	CHECK_STR(iso(" 2024-02-29 ", TIME_ISO8601), "2024-02-29T00:00:00Z");
	CHECK_STR(iso("2023-02-29", TIME_ISO8601), "ERR");
	CHECK_STR(iso("2026-13-01", TIME_ISO8601), "ERR");
	CHECK_STR(iso("2026-11-20T25:00", TIME_ISO8601), "ERR");
	CHECK_STR(iso("20/11/2026", TIME_ISO8601), "ERR");
	CHECK_STR(iso("2026-11-20T10:11:12Zjunk", TIME_ISO8601), "ERR");
	CHECK_STR(iso("", TIME_ISO8601), "ERR");
	CHECK_STR(iso("1763633472", TIME_EPOCH_S), "2025-11-20T10:11:12Z");
	CHECK_STR(iso("1763633472123", TIME_EPOCH_MS), "2025-11-20T10:11:12Z");
	CHECK_STR(iso("1e300", TIME_EPOCH_S), "ERR");
	CHECK_STR(iso("abc", TIME_EPOCH_MS), "ERR");
}

static void
test_dates(void)
{
	char d[11];

	CHECK(norm_date("2026-11-20T23:30:00-02:00", d) == 0);
	CHECK_STR(d, "2026-11-21");
	CHECK(norm_date("2026-02-30", d) < 0);
}

static void
test_amounts(void)
{
	double v;

	CHECK(norm_amount("12,500.00", &v) == 0 && v == 12500.0);
	CHECK(norm_amount("1,234,567.891", &v) == 0 && v == 1234567.891);
	CHECK(norm_amount("-3.5", &v) == 0 && v == -3.5);
	CHECK(norm_amount(" 42 ", &v) == 0 && v == 42);
	CHECK(norm_amount("1.5e3", &v) == 0 && v == 1500);
	CHECK(norm_amount("12,50", &v) < 0);		/* not a thousands group */
	CHECK(norm_amount("1234,567", &v) < 0);
	CHECK(norm_amount("$100", &v) < 0);
	CHECK(norm_amount("9223372036854775808", &v) < 0);	/* 2^63 */
	CHECK(norm_amount("", &v) < 0);
	CHECK(norm_amount("1.", &v) < 0);
	CHECK(norm_amount("NaN", &v) < 0);
	CHECK(norm_amount("1e400", &v) < 0);
}

static void
test_bool(void)
{
	int b;

	CHECK(norm_bool("TRUE", &b) == 0 && b == 1);
	CHECK(norm_bool("no", &b) == 0 && b == 0);
	CHECK(norm_bool("0", &b) == 0 && b == 0);
	CHECK(norm_bool("maybe", &b) < 0);
}

static void
test_currency_country(void)
{
	char c[4], cc[3];

	CHECK(norm_currency("eur", c) == 0);
	CHECK_STR(c, "EUR");
	CHECK(norm_currency(" GBP ", c) == 0);
	CHECK(norm_currency("XYZ", c) < 0);
	CHECK(norm_currency("EURO", c) < 0);
	CHECK(norm_country("de", cc) == 0);
	CHECK_STR(cc, "DE");
	CHECK(norm_country("DEU", cc) == 0);
	CHECK_STR(cc, "DE");
	CHECK(norm_country("Germany", cc) == 0);
	CHECK_STR(cc, "DE");
	CHECK(norm_country("united kingdom", cc) == 0);
	CHECK_STR(cc, "GB");
	CHECK(norm_country("Atlantis", cc) < 0);
}

static void
test_domains(void)
{
	struct {
		const char *in, *out;
	} ok[] = {
		{ "https://www.Acme.com/contact?x=1", "acme.com" },
		{ "acme.co.uk", "acme.co.uk" },
		{ "jane.doe@Example.DE", "example.de" },
		{ "http://user:pw@shop.example.org:8443/", "shop.example.org" },
		{ "WWW.EXAMPLE.COM.", "example.com" },
		{ "www.com", "www.com" },
	};
	const char *bad[] = { "localhost", "not a domain", "a..b", "acme\x1b[31m.com",
		"", "http://", NULL };
	char *d;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		d = NULL;
		CHECK(norm_domain(ok[i].in, &d) == 0);
		CHECK_STR(d, ok[i].out);
		free(d);
	}
	for (i = 0; bad[i]; i++) {
		d = NULL;
		CHECK(norm_domain(bad[i], &d) < 0);
		free(d);
	}
}

static void
test_text(void)
{
	const char *why = NULL;
	char *s = NULL;

	CHECK(norm_text("  Acme \t Corp\r\n GmbH ", 255, &s, &why) == 0);
	CHECK_STR(s, "Acme Corp GmbH");
	free(s);
	CHECK(norm_text("Société Générale", 255, &s, &why) == 0);
	CHECK_STR(s, "Société Générale");
	free(s);
	CHECK(norm_text("bad\xff", 255, &s, &why) < 0);
	CHECK_STR(why, "not valid UTF-8");
	CHECK(norm_text("\xc0\xaf", 255, &s, &why) < 0);	/* overlong */
	CHECK(norm_text("esc\x1b[2J", 255, &s, &why) < 0);
	CHECK_STR(why, "contains a control character");
	CHECK(norm_text("abcdef", 5, &s, &why) < 0);
	CHECK_STR(why, "too long");
}

static void
test_period(void)
{
	char *p = NULL;

	CHECK(norm_period("2026-q4", &p) == 0);
	CHECK_STR(p, "2026-Q4");
	free(p);
	CHECK(norm_period("2026-11", &p) == 0);
	CHECK_STR(p, "2026-11");
	free(p);
	CHECK(norm_period("2026-Q5", &p) < 0);
	CHECK(norm_period("Q4 2026", &p) < 0);
}

int
main(void)
{
	char err[256];

	if (normalize_init(NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "normalize_init: %s\n", err);
		return 2;
	}
	T_RUN(test_times);
	T_RUN(test_dates);
	T_RUN(test_amounts);
	T_RUN(test_bool);
	T_RUN(test_currency_country);
	T_RUN(test_domains);
	T_RUN(test_text);
	T_RUN(test_period);
	normalize_shutdown();
	return t_done("normalize");
}
