/*
 * fuzz_normalize.c - every normalizer a source's value goes through, on
 * the same input: times, dates, amounts, booleans, currencies, domains,
 * countries, periods, display text, company names and the UTF-8 cut.
 * What each accepts is in range and stable when normalized again. Then
 * the matcher on two names cut from the input at its first newline:
 * scores in [0, 1], an explanation that ends, counts that go back to
 * nothing when the names are taken away.
 */
#include <math.h>
#include <stdio.h>

#include "fuzz.h"
#include "model/normalize.h"
#include "model/normalize_country.h"
#include "model/normalize_name.h"
#include "rules/match.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];

	(void)argc;
	(void)argv;
	if (normalize_init(NULL, err, sizeof(err)) < 0)
		abort();
	return 0;
}

static void
times(const char *s)
{
	static const enum time_format fmts[] = { TIME_ISO8601, TIME_EPOCH_S,
	    TIME_EPOCH_MS };
	char iso[21], again[21], date[11];
	int64_t t, t2;
	size_t i;

	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		if (norm_time_text(s, fmts[i], &t, iso) < 0)
			continue;
		FUZZ_ASSERT(t >= TIME_MIN && t <= TIME_MAX);
		FUZZ_ASSERT(strlen(iso) == 20 && iso[19] == 'Z');
		/* the canonical text reads back as the same time */
		FUZZ_ASSERT(norm_time_text(iso, TIME_ISO8601, &t2, again) == 0);
		FUZZ_ASSERT(t2 == t && strcmp(iso, again) == 0);
	}
	if (norm_date(s, date) == 0)
		FUZZ_ASSERT(strlen(date) == 10 && date[4] == '-' && date[7] == '-');
}

static void
values(const char *s)
{
	char cur[4], cc[3], host[NORM_HOST_MAX], *p = NULL, *q = NULL;
	const char *why = NULL;
	double a;
	int b;

	if (norm_amount(s, &a) == 0)
		FUZZ_ASSERT(isfinite(a) && fabs(a) < 1e15);
	if (norm_bool(s, &b) == 0)
		FUZZ_ASSERT(b == 0 || b == 1);
	if (norm_currency(s, cur) == 0)
		FUZZ_ASSERT(strlen(cur) == 3 && norm_currency_known(cur));
	if (norm_country(s, cc) == 0)
		FUZZ_ASSERT(strlen(cc) == 2);
	if (norm_domain(s, &p) == 0) {
		FUZZ_ASSERT(p != NULL && strlen(p) < NORM_HOST_MAX);
		FUZZ_ASSERT(norm_domain_buf(s, host) == 0 && strcmp(host, p) == 0);
		if (norm_registrable_domain(p, &q) == 0) {
			FUZZ_ASSERT(q != NULL && strlen(q) <= strlen(p));
			free(q);
		}
		(void)norm_is_free_mail(p);
		free(p);
	}
	if (norm_period(s, &p) == 0)
		free(p);
	if (norm_text(s, 255, &p, &why) == 0) {
		FUZZ_ASSERT(strlen(p) <= 255 && fuzz_valid_utf8(p, strlen(p)));
		/* normalized text is its own normal form */
		FUZZ_ASSERT(norm_text(p, 255, &q, &why) == 0 && strcmp(p, q) == 0);
		free(q);
		free(p);
	} else
		FUZZ_ASSERT(why != NULL);
}

static void
names(const char *s)
{
	char *f, *k = NULL, *cut;

	if ((f = norm_fold(s)) != NULL) {
		FUZZ_ASSERT(fuzz_valid_utf8(f, strlen(f)));
		free(f);
	}
	if (norm_name_key(s, &k) == 0) {
		FUZZ_ASSERT(k != NULL && *k != '\0' && fuzz_valid_utf8(k, strlen(k)));
		free(k);
	}
	cut = utf8_cut(s, 80);
	FUZZ_ASSERT(cut != NULL && fuzz_valid_utf8(cut, strlen(cut)) &&
	    utf8_units(cut) <= 80);
	free(cut);
}

static void
matches(const char *s)
{
	const char *nl = strchr(s, '\n');
	char *a, *ka = NULL, *kb = NULL, why[512];
	struct match_idf *idf;
	struct match_name ma, mb;
	enum match_measure how;
	double sc;

	if (nl == NULL)
		return;
	a = strndup(s, (size_t)(nl - s));
	if (a == NULL || norm_name_key(a, &ka) < 0 || norm_name_key(nl + 1,
	    &kb) < 0) {
		free(a);
		free(ka);
		return;
	}
	idf = match_idf_new();
	match_idf_add(idf, ka);
	match_idf_add(idf, kb);
	match_idf_add(idf, ka);
	match_prepare(idf, ka, &ma);
	match_prepare(idf, kb, &mb);
	ma.form_initial = match_form_initial(norm_name_form_ref(a));
	mb.form_initial = match_form_initial(norm_name_form_ref(nl + 1));
	sc = match_score(&ma, &mb, &how);
	FUZZ_ASSERT(sc >= 0.0 && sc <= 1.0 && !isnan(sc));
	match_explain(&ma, &mb, how, why, sizeof(why));
	FUZZ_ASSERT(memchr(why, '\0', sizeof(why)) != NULL);
	sc = match_score(&mb, &ma, &how);
	FUZZ_ASSERT(sc >= 0.0 && sc <= 1.0 && !isnan(sc));
	match_explain(&mb, &ma, how, why, sizeof(why));
	match_idf_remove(idf, ka);
	match_idf_remove(idf, kb);
	match_idf_remove(idf, ka);
	FUZZ_ASSERT(match_idf_docs(idf) == 0);
	match_idf_free(idf);
	free(a);
	free(ka);
	free(kb);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size > 4096)
		return 0;	/* a field value; the sources cap longer ones */
	s = fuzz_cstr(data, size);
	times(s);
	values(s);
	names(s);
	matches(s);
	free(s);
	return 0;
}
