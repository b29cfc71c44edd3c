/* test_http.c - the retry schedule (T9) and the URL rules, no network. */
#include "lib/http.h"
#include "t.h"

#include <math.h>

/* a seeded generator, so the schedule is the same on every run */
static uint64_t seed = 88172645463325252ULL;

static double
draw(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (double)(seed >> 11) / 9007199254740992.0;
}

static void
test_backoff_bounds_and_means(void)
{
	const double base = 1, cap = 300, max_wait = 3600;
	int n, i, out_of_bounds = 0;

	for (n = 1; n <= 12; n++) {
		double c = fmin(cap, base * pow(2, n - 1)), sum = 0, mean;

		for (i = 0; i < 10000; i++) {
			double d = http_backoff(n, -1, draw(), base, cap, max_wait);

			if (d < 0 || d > c)
				out_of_bounds++;
			sum += d;
		}
		mean = sum / 10000;
		/* full jitter: uniform over [0, c], mean c/2, within 5% */
		CHECK(fabs(mean - c / 2) <= 0.05 * c / 2);
	}
	CHECK_INT(out_of_bounds, 0);
}

static void
test_retry_after_honoured(void)
{
	int i, below = 0, above = 0;
	double sum = 0, c = 8, R = 5, expect;

	for (i = 0; i < 10000; i++) {
		double d = http_backoff(4, R, draw(), 1, 300, 3600);

		if (d < R)
			below++;
		if (d > c)
			above++;
		sum += d;
	}
	CHECK_INT(below, 0);
	CHECK_INT(above, 0);
	/* E[max(R, U*c)] = R*R/c + (c*c - R*R)/(2c) */
	expect = R * R / c + (c * c - R * R) / (2 * c);
	CHECK(fabs(sum / 10000 - expect) <= 0.05 * expect);
	/* a Retry-After longer than the ceiling wins over the jitter */
	CHECK(http_backoff(1, 30, 0.99, 1, 300, 3600) == 30);
	/* clamped: negative (a past HTTP-date) and huge values */
	CHECK(http_backoff(1, -40, 0.0, 1, 300, 3600) == 0);
	CHECK(http_backoff(1, 1e9, 0.5, 1, 300, 3600) == 3600);
	/* attempt numbers that would overflow 2^n stay at the cap */
	CHECK(http_backoff(500, -1, 0.5, 1, 300, 3600) == 150);
}

static void
test_url_rules(void)
{
	char *s;

	CHECK(http_url_problem("https://dealreg.example/api") == NULL);
	CHECK(http_url_problem("http://127.0.0.1:8080/x") == NULL);
	CHECK(http_url_problem("http://localhost/x") == NULL);
	CHECK(http_url_problem("http://[::1]:9/x") == NULL);
	CHECK(http_url_problem("http://example.com/x") != NULL);
	CHECK(http_url_problem("http://127.example.com/x") != NULL);
	CHECK(http_url_problem("file:///etc/passwd") != NULL);
	CHECK(http_url_problem("ftp://127.0.0.1/x") != NULL);
	CHECK(http_url_problem("https://user:pw@example.com/") != NULL);
	CHECK(http_url_problem("not a url") != NULL);
	CHECK(http_same_origin("http://127.0.0.1:8080/a", "http://127.0.0.1:8080/b?x"));
	CHECK(!http_same_origin("http://127.0.0.1:8080/a", "http://127.0.0.1:8081/a"));
	CHECK(!http_same_origin("https://a.example/", "https://b.example/"));
	CHECK(http_same_origin("https://a.example/", "https://a.example:443/x"));
	s = http_resolve("http://127.0.0.1:1/v1/deals?page=1", "/v1/deals?page=2");
	CHECK_STR(s, "http://127.0.0.1:1/v1/deals?page=2");
	free(s);
	s = http_resolve("http://127.0.0.1:1/v1/deals", "deals?page=3");
	CHECK_STR(s, "http://127.0.0.1:1/v1/deals?page=3");
	free(s);
	s = http_add_param("http://h.example/x?a=1", "since", "2026-11-01T00:00:00+01:00");
	CHECK_STR(s, "http://h.example/x?a=1&since=2026-11-01T00%3a00%3a00%2b01%3a00");
	free(s);
}

static void
test_link_header(void)
{
	char *s;

	s = http_link_next("<https://api.example/deals?page=2>; rel=\"next\", "
	    "<https://api.example/deals?page=9>; rel=\"last\"");
	CHECK_STR(s, "https://api.example/deals?page=2");
	free(s);
	s = http_link_next("<https://api.example/deals?page=1>; rel=\"prev first\", "
	    "<https://api.example/deals?page=3>; title=\"x, y\"; rel=\"next\"");
	CHECK_STR(s, "https://api.example/deals?page=3");
	free(s);
	s = http_link_next("</p2>; rel=next");
	CHECK_STR(s, "/p2");
	free(s);
	CHECK(http_link_next("<https://api.example/deals?page=9>; rel=\"last\"") == NULL);
	CHECK(http_link_next("garbage") == NULL);
}

int
main(void)
{
	http_global_init();
	T_RUN(test_backoff_bounds_and_means);
	T_RUN(test_retry_after_honoured);
	T_RUN(test_url_rules);
	T_RUN(test_link_header);
	http_global_cleanup();
	return t_done("http");
}
