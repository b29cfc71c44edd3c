/* test_match.c - the end-customer matcher: measures, edges, and the
 * accuracy goal on the labelled set (tests/match/pairs.tsv). */
#include "rules/match.h"
#include "model/normalize.h"
#include "model/normalize_name.h"
#include "t.h"

#include <math.h>

static double
score(const char *a, const char *b, enum match_measure *how)
{
	char *ka = NULL, *kb = NULL;
	struct match_name ma, mb;
	double s;

	if (norm_name_key(a, &ka) < 0 || norm_name_key(b, &kb) < 0) {
		free(ka);
		free(kb);
		*how = MATCH_NONE;
		return -1;
	}
	match_prepare(NULL, ka, &ma);
	match_prepare(NULL, kb, &mb);
	ma.form_initial = match_form_initial(norm_name_form_ref(a));
	mb.form_initial = match_form_initial(norm_name_form_ref(b));
	s = match_score(&ma, &mb, how);
	free(ka);
	free(kb);
	return s;
}

/* A daemon's life of new words never grows the word memory past its cap,
 * and names still score the same after it started over. */
static void
test_token_cache_bounded(void)
{
	enum match_measure how;
	double before = score("Kappa Widget Works", "Kappa Widgets", &how), after;
	size_t i, most = 0;
	char a[64], b[64];

	for (i = 0; i < 3 * MATCH_TOKEN_CACHE_MAX / 2; i++) {
		snprintf(a, sizeof(a), "Zq%zux Holdings", i);
		snprintf(b, sizeof(b), "Yv%zuw Trading", i);
		(void)score(a, b, &how);
		if (match_token_cache_size() > most)
			most = match_token_cache_size();
	}
	CHECK(most <= MATCH_TOKEN_CACHE_MAX);
	CHECK(most >= MATCH_TOKEN_CACHE_MAX / 2);	/* it did remember */
	after = score("Kappa Widget Works", "Kappa Widgets", &how);
	CHECK(fabs(before - after) < 1e-12);
}

static void
test_jaro_winkler(void)
{
	/* the textbook values (Winkler 1990) */
	CHECK(fabs(match_jaro_winkler("martha", 6, "marhta", 6) - 0.9611) < 0.001);
	CHECK(fabs(match_jaro_winkler("dwayne", 6, "duane", 5) - 0.84) < 0.001);
	CHECK(fabs(match_jaro_winkler("dixon", 5, "dicksonx", 8) - 0.8133) < 0.001);
	CHECK(match_jaro_winkler("abc", 3, "abc", 3) == 1.0);
	CHECK(match_jaro_winkler("abc", 3, "xyz", 3) == 0.0);
	CHECK(match_jaro_winkler("", 0, "", 0) == 1.0);
	CHECK(match_jaro_winkler("a", 1, "", 0) == 0.0);
}

static void
test_measures(void)
{
	static const struct {
		const char *a, *b;
		int match;
		enum match_measure how;
	} cases[] = {
		/* spellings of one company */
		{ "Müller Maschinenbau GmbH & Co. KG", "Mueller Maschinenbau GmbH", 1,
		  MATCH_TOKENS },	/* one letter doubled */
		{ "ACME Corporation", "Acme Corp.", 1, MATCH_EXACT },
		{ "The Walt Disney Company", "Walt Disney Co", 1, MATCH_EXACT },
		{ "Acme Corp EMEA", "ACME Corporation", 1, MATCH_DIVISION },
		{ "Schneider Electric SE", "Schneider Electric France SAS", 1,
		  MATCH_TOKENS },	/* a country added */
		{ "International Business Machines Corp", "IBM", 1, MATCH_ACRONYM },
		{ "Procter & Gamble", "P&G", 1, MATCH_ACRONYM },
		{ "Minnesota Mining and Manufacturing Company", "3M", 1, MATCH_ACRONYM },
		/* the legal form's initial last: only when there is that form */
		{ "Avance Logic Inc.", "ALI", 1, MATCH_ACRONYM },
		{ "NEC", "Nippon Electric Company", 1, MATCH_ACRONYM },
		{ "Avance Logic", "ALI", 0, MATCH_NONE },
		{ "Avance Logic GmbH", "ALI", 0, MATCH_NONE },
		{ "Avance Inc.", "AI", 0, MATCH_NONE },
		{ "Intesa Sanpaolo S.p.A.", "Intesa San Paolo SpA", 1, MATCH_JOINED },
		/* real registrations' slips and additions */
		{ "Calypso Meedical", "Calypso Medical", 1, MATCH_TOKENS },
		{ "Mustek Sytems, Inc.", "Mustek Systems, Inc.", 1, MATCH_TOKENS },
		{ "Thoas & Betts Corp.", "Thomas & Betts Corp.", 1, MATCH_TOKENS },
		{ "Fastpoint Corporation - Procurement", "Fastpoint Corporation", 1,
		  MATCH_DIVISION },
		{ "BIO SOUND LAB", "Biosoundlab", 1, MATCH_JOINED },
		{ "Alpha Widgets, Inc. DBA Quorvane Systems, Inc.",
		  "Quorvane Systems, Inc.", 1, MATCH_ALIAS },
		{ "Network Computing Devices (NCD)", "Network Computing Devices", 1,
		  MATCH_ALIAS },
		{ "Tul Corporation / PowerColor", "PowerColor", 1, MATCH_ALIAS },
		{ "Sanyo Electric Co - Computer Engineering Dept", "Sanyo Electric "
		  "Co., Ltd", 1, MATCH_DIVISION },
		{ "Fast Point Technologies, Inc - IT Department", "Fast Point "
		  "Technologies", 1, MATCH_DIVISION },
		/* a form that is a word too ends nothing: "as" */
		{ "Quorvane as Zentrovia", "Quorvane", 0, MATCH_NONE },
		{ "Zellweger Engineering GmbH", "Zlelweger Engineering", 1, MATCH_TOKENS },
		{ "Kestrel International Ltd", "Kestrel Intl", 1, MATCH_TOKENS },
		/* different companies */
		{ "Nordic Data Solutions AB", "Pacific Data Solutions AB", 0, MATCH_NONE },
		{ "Global Tech Solutions Inc", "Global Data Solutions Inc", 0, MATCH_NONE },
		{ "Coldharbour Insurance SAS", "Coldharbour Textiles SAS", 0, MATCH_NONE },
		{ "Siemens Energy AG", "Siemens Healthineers AG", 0, MATCH_NONE },
		{ "Novak s.r.o.", "Novan s.r.o.", 0, MATCH_NONE },
		{ "Berlin Quoleia Systems", "Berlin Vantrix Systems", 0, MATCH_NONE },
		{ "Microsoft Corporation", "MicroStrategy Incorporated", 0, MATCH_NONE },
		{ "GE", "Global Energy Ltd", 0, MATCH_NONE },
		{ "Shenzhen Kang Hui Technology", "Shenzhen Kang Ying Technology", 0,
		  MATCH_NONE },	/* sister companies: one word each */
		{ "Shenzhen Yuanchuan Electronic", "Shenzhen Shichuangyi Electronic",
		  0, MATCH_NONE },
		{ "Granite Microsystems", "Granite Systems Inc.", 0, MATCH_NONE },
		{ "Hansen Energy", "Jansen Energy", 0, MATCH_NONE },	/* a letter
									 * changed */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum match_measure how;
		double s = score(cases[i].a, cases[i].b, &how);

		if ((s >= 0.90) != cases[i].match)
			fprintf(stderr, "  '%s' / '%s': %.3f by %s\n", cases[i].a,
			    cases[i].b, s, match_measure_name(how));
		CHECK((s >= 0.90) == cases[i].match);
		if (cases[i].match && how != cases[i].how)
			fprintf(stderr, "  '%s' / '%s': by %s\n", cases[i].a,
			    cases[i].b, match_measure_name(how));
		if (cases[i].match)
			CHECK_STR(match_measure_name(how),
			    match_measure_name(cases[i].how));
	}
}

/* Rare words decide; a word every name has barely counts. */
static void
test_idf(void)
{
	struct match_idf *idf = match_idf_new();
	struct match_name a, b;
	enum match_measure how;
	double with, without;
	char name[64];
	int i;

	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "zorblatt %c%c%cex", 'a' + i % 26,
		    'a' + i / 26 % 26, 'k' + i % 7);
		match_idf_add(idf, name);
	}
	match_idf_add(idf, "quillon zorblatt");
	match_idf_add(idf, "quillon");
	CHECK_INT(match_idf_docs(idf), 202);
	CHECK_INT(match_idf_df(idf, "zorblatt", 8), 201);
	CHECK_INT(match_idf_df(idf, "quillon", 7), 2);
	match_prepare(idf, "quillon zorblatt", &a);
	match_prepare(idf, "quillon", &b);
	with = match_score(&a, &b, &how);
	match_prepare(NULL, "quillon zorblatt", &a);
	match_prepare(NULL, "quillon", &b);
	without = match_score(&a, &b, &how);
	/* "zorblatt" is everywhere: the names agree on what is rare */
	CHECK(with >= 0.90);
	CHECK(without < 0.90);
	match_idf_remove(idf, "quillon");
	CHECK_INT(match_idf_df(idf, "quillon", 7), 1);
	CHECK_INT(match_idf_docs(idf), 201);
	match_idf_free(idf);
}

/*
 * A name counts once however many registrations spell it: ten partners
 * registering "Quillon" make the word no commoner, and taking one of
 * them away leaves it counted until the last goes.
 */
static void
test_idf_distinct_names(void)
{
	struct match_idf *idf = match_idf_new();
	int i;

	for (i = 0; i < 10; i++)
		match_idf_add(idf, "quillon");
	match_idf_add(idf, "quillon software");
	CHECK_INT(match_idf_docs(idf), 2);
	CHECK_INT(match_idf_df(idf, "quillon", 7), 2);
	for (i = 0; i < 9; i++)
		match_idf_remove(idf, "quillon");
	CHECK_INT(match_idf_df(idf, "quillon", 7), 2);
	match_idf_remove(idf, "quillon");
	CHECK_INT(match_idf_df(idf, "quillon", 7), 1);
	CHECK_INT(match_idf_docs(idf), 1);
	/* a name never added takes nothing away */
	match_idf_remove(idf, "quillon");
	match_idf_remove(idf, "zorblatt");
	CHECK_INT(match_idf_df(idf, "quillon", 7), 1);
	CHECK_INT(match_idf_docs(idf), 1);
	match_idf_free(idf);
}

static double
score_in(const struct match_idf *idf, const char *ka, const char *kb)
{
	struct match_name a, b;
	enum match_measure how;

	match_prepare(idf, ka, &a);
	match_prepare(idf, kb, &b);
	return match_score(&a, &b, &how);
}

/* Why ka and kb were found alike, or held apart (a static buffer). */
static const char *
explain_in(const struct match_idf *idf, const char *ka, const char *kb)
{
	static char why[256];
	struct match_name a, b;
	enum match_measure how;

	match_prepare(idf, ka, &a);
	match_prepare(idf, kb, &b);
	match_score(&a, &b, &how);
	match_explain(&a, &b, how, why, sizeof(why));
	return why;
}

/*
 * A family's name alone against one of its businesses: "Sony" and "Sony
 * Electronics" are two when the cache knows another business of the
 * family ("Sony Ericsson"), one when every name that starts with "sony"
 * goes on with the same word, however many registrations spell them.
 */
static void
test_family(void)
{
	struct match_idf *idf = match_idf_new();
	int i;

	for (i = 0; i < 6; i++) {
		match_idf_add(idf, "sony");
		match_idf_add(idf, "sony electronics");
	}
	match_idf_add(idf, "sony electronic");	/* the singular: the same word */
	CHECK_INT(match_idf_family(idf, "sony", 4), 1);
	CHECK(score_in(idf, "sony", "sony electronics") >= 0.90);
	match_idf_add(idf, "sony ericsson");
	CHECK_INT(match_idf_family(idf, "sony", 4), 2);
	CHECK(score_in(idf, "sony", "sony electronics") < 0.90);
	CHECK(score_in(idf, "sony electronics", "sony") < 0.90);
	CHECK_STR(explain_in(idf, "sony", "sony electronics"), "'sony' ~ "
	    "'sony electronics': 'electronics' only in the second; held apart: "
	    "'sony' alone against one of its businesses (2 different words "
	    "follow it in the cache's names)");
	match_idf_remove(idf, "sony ericsson");
	CHECK_INT(match_idf_family(idf, "sony", 4), 1);
	CHECK(score_in(idf, "sony", "sony electronics") >= 0.90);
	/* a business named in two words or more, one an industry's: no
	 * other business of the family needed */
	CHECK(score_in(NULL, "ricoh", "ricoh printing systems") < 0.90);
	CHECK(score_in(NULL, "ricoh", "ricoh systems") >= 0.90);
	CHECK_STR(explain_in(NULL, "ricoh printing systems", "ricoh"),
	    "'ricoh printing systems' ~ 'ricoh': 'printing' only in the first; "
	    "'systems' only in the first; held apart: 'ricoh' alone against one "
	    "of its businesses (named in words of its own)");
	match_idf_free(idf);
}

/* Two slips in a long generic word still read as it, not in a shorter
 * one; a part of a "dba" name made of generic words and places weighs as
 * a name of its own. */
static void
test_long_words_and_parts(void)
{
	struct match_name m;

	match_prepare(NULL, "datalex communcattions", &m);
	CHECK_INT(m.tok[1].cls, MATCH_TOK_GENERIC);
	CHECK_INT(m.tok[1].len, 14);
	CHECK(memcmp(m.tok[1].s, "communications", 14) == 0);
	/* "management", a letter dropped and two swapped: ten letters */
	match_prepare(NULL, "datalex managmetn", &m);
	CHECK_INT(m.tok[1].cls, MATCH_TOK_DISTINCT);
	CHECK(score_in(NULL, "datalex communcations", "datalex communcattions") >=
	    0.90);
	CHECK(score_in(NULL, "technical university of budapest dba deutsche "
	    "telekom", "deutsche telekom") >= 0.95);
}

/* Each decision says why, in words a manager can check. */
static void
test_explain(void)
{
	static const struct {
		const char *a, *b, *why;
	} cases[] = {
		{ "calypso meedical", "calypso medical", "'calypso meedical' ~ "
		  "'calypso medical': one letter ('meedical', 'medical')" },
		{ "fastpoint procurement", "fastpoint", "'fastpoint procurement' ~ "
		  "'fastpoint': 'procurement' only in the first" },
		{ "alpha widgets dba quorvane systems", "quorvane systems",
		  "'alpha widgets dba quorvane systems' ~ 'quorvane systems': the "
		  "other name it goes by" },
		{ "bio sound lab", "biosoundlab", "'bio sound lab' ~ 'biosoundlab': "
		  "the same letters, words joined or split" },
		{ "toshiba corp digital media equipment", "toshiba", "'toshiba corp "
		  "digital media equipment' ~ 'toshiba': the company's name before "
		  "a division of it ('digital media equipment')" },
		{ "international business machines", "ibm", "'international "
		  "business machines' ~ 'ibm': initials" },
	};
	size_t i;
	struct match_name a, b;
	enum match_measure how;
	char why[256];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_STR(explain_in(NULL, cases[i].a, cases[i].b), cases[i].why);
	/* initials and the legal form's ("Avance Logic Inc.") */
	match_prepare(NULL, "ali", &a);
	match_prepare(NULL, "avance logic", &b);
	b.form_initial = match_form_initial("inc");
	CHECK(match_score(&a, &b, &how) >= 0.90);
	CHECK_INT(how, MATCH_ACRONYM);
	match_explain(&a, &b, how, why, sizeof(why));
	CHECK_STR(why, "'ali' ~ 'avance logic': initials, the legal form's last");
	CHECK_INT(match_form_initial("co ltd"), 'c');
	CHECK_INT(match_form_initial(""), 0);
	CHECK_INT(match_form_initial(NULL), 0);
}

/* The matcher's accuracy goal on the labelled set, through the eval tool. */
static void
test_accuracy_goal(void)
{
	const char *build = getenv("CHANSYNC_BUILD");
	char cmd[512];
	int rc;

	snprintf(cmd, sizeof(cmd), "%s/tests/match_eval -q tests/match/pairs.tsv "
	    "0.90 >/dev/null", build ? build : "build");
	rc = system(cmd);
	CHECK(WIFEXITED(rc) && WEXITSTATUS(rc) == 0);
	/* the real names' half the matcher was tuned on stays at its goal
	 * (the held-out half is reported by make eval, not asserted) */
	snprintf(cmd, sizeof(cmd), "%s/tests/match_eval -q -g 0.97,0.93 "
	    "tests/match/real/dev.tsv 0.90 >/dev/null", build ? build : "build");
	rc = system(cmd);
	CHECK(WIFEXITED(rc) && WEXITSTATUS(rc) == 0);
	/* and so it does as the daemon meets the names: every pair two
	 * registrations in one cache, through the conflict pass */
	snprintf(cmd, sizeof(cmd), "%s/tests/conflicts_eval -q -g 0.97,0.93 "
	    "tests/match/real/dev.tsv %s >/dev/null", build ? build : "build",
	    t_tmpdir());
	rc = system(cmd);
	CHECK(WIFEXITED(rc) && WEXITSTATUS(rc) == 0);
}

int
main(void)
{
	char err[256];

	if (normalize_init(NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	T_RUN(test_token_cache_bounded);
	T_RUN(test_jaro_winkler);
	T_RUN(test_explain);
	T_RUN(test_measures);
	T_RUN(test_idf);
	T_RUN(test_idf_distinct_names);
	T_RUN(test_family);
	T_RUN(test_long_words_and_parts);
	T_RUN(test_accuracy_goal);
	normalize_shutdown();
	return t_done("match");
}
