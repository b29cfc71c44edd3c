/*
 * match_eval - the end-customer matcher's accuracy on a labelled set.
 *
 *   match_eval [-q] [-g PRECISION,RECALL] PAIRS.tsv [THRESHOLD]
 *
 * PAIRS.tsv: name_a, country_a, name_b, country_b, label (1 same, 0
 * different), category. Names are keyed as registrations are
 * (norm_name_key), token rarity is counted over every name in the file
 * (as the cache would), and a pair matches when its similarity reaches
 * THRESHOLD (default 0.90, rules.conflicts.match_threshold's default)
 * and the countries agree when both are known: the rule conflicts.c
 * applies when domains do not decide.
 *
 * Prints precision, recall and F1 at THRESHOLD, a threshold sweep, what
 * each measure decided, precision and recall by kind (the category
 * column), and the pairs it got wrong (not with -q). Exits 1 when the
 * goal (-g; by default precision >= 0.97, recall >= 0.92) is missed.
 */
#include "eval_pairs.h"
#include "rules/match.h"
#include "lib/mem.h"
#include "model/normalize.h"
#include "model/normalize_country.h"
#include "model/normalize_name.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pair {
	char *a, *b, *ka, *kb, ca[3], cb[3], *cat;
	int same_form;
	int label;
	double score;
	enum match_measure how;
};

static int
predict(const struct pair *p, double th)
{
	return match_decides(p->score, th, p->ca[0] && p->cb[0] &&
	    strcmp(p->ca, p->cb) != 0, p->same_form);
}

static void
rates(const struct pair *v, size_t n, double th, double *prec, double *rec,
    double *f1, size_t *tp_, size_t *fp_, size_t *fn_)
{
	size_t i, tp = 0, fp = 0, fn = 0;

	for (i = 0; i < n; i++) {
		int pr = predict(&v[i], th);

		tp += pr && v[i].label;
		fp += pr && !v[i].label;
		fn += !pr && v[i].label;
	}
	*prec = tp + fp ? (double)tp / (tp + fp) : 1.0;
	*rec = tp + fn ? (double)tp / (tp + fn) : 1.0;
	*f1 = *prec + *rec > 0 ? 2 * *prec * *rec / (*prec + *rec) : 0;
	if (tp_) {
		*tp_ = tp;
		*fp_ = fp;
		*fn_ = fn;
	}
}

static char *
key_of(const char *name)
{
	char *k = NULL;

	if (norm_name_key(name, &k) < 0)
		return xstrdup("");
	return k;
}

int
main(int argc, char **argv)
{
	struct pair *v = NULL;
	size_t n = 0, cap = 0, i;
	struct match_idf *idf = match_idf_new();
	double th = 0.90, p, r, f;
	size_t tp, fp, fn, by[MATCH_DIVISION + 1][2] = { { 0 } };
	int quiet = 0, ai;
	double goal_p = 0.97, goal_r = 0.92;
	char line[2048], err[256];
	FILE *fpair;

	if ((ai = eval_options(argc, argv, "match_eval", &quiet, &goal_p,
	    &goal_r)) < 0)
		return 64;
	if (argc - ai < 1) {
		fprintf(stderr, "usage: match_eval [-q] [-g P,R] PAIRS.tsv "
		    "[THRESHOLD]\n");
		return 64;
	}
	if (argc - ai > 1)
		th = strtod(argv[ai + 1], NULL);
	if (normalize_init(NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "match_eval: %s\n", err);
		return 69;
	}
	if ((fpair = fopen(argv[ai], "r")) == NULL) {
		perror(argv[ai]);
		return 66;
	}
	while (fgets(line, sizeof(line), fpair)) {
		char *fld[6];

		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (!eval_fields(line, fld)) {
			fprintf(stderr, "match_eval: %s: a line with fewer than 6 "
			    "fields\n", argv[ai]);
			return 65;
		}
		xgrow(&v, &cap, n + 1, sizeof(*v));
		memset(&v[n], 0, sizeof(v[n]));
		v[n].a = xstrdup(fld[0]);
		v[n].b = xstrdup(fld[2]);
		if (fld[1][0] && norm_country(fld[1], v[n].ca) < 0)
			v[n].ca[0] = '\0';
		if (fld[3][0] && norm_country(fld[3], v[n].cb) < 0)
			v[n].cb[0] = '\0';
		v[n].label = atoi(fld[4]);
		v[n].cat = xstrdup(fld[5]);
		v[n].ka = key_of(v[n].a);
		v[n].kb = key_of(v[n].b);
		v[n].same_form = strcmp(norm_name_form_ref(v[n].a),
		    norm_name_form_ref(v[n].b)) == 0;
		n++;
	}
	fclose(fpair);
	/* token rarity over the distinct names, as in a cache */
	{
		char **seen = xcalloc(2 * n + 1, sizeof(char *));
		size_t ns = 0, j;

		for (i = 0; i < 2 * n; i++) {
			char *k = i < n ? v[i].ka : v[i - n].kb;

			for (j = 0; j < ns && strcmp(seen[j], k) != 0; j++)
				;
			if (j == ns) {
				seen[ns++] = k;
				match_idf_add(idf, k);
			}
		}
		free(seen);
	}
	for (i = 0; i < n; i++) {
		struct match_name ma, mb;

		match_prepare(idf, v[i].ka, &ma);
		match_prepare(idf, v[i].kb, &mb);
		ma.form_initial = match_form_initial(norm_name_form_ref(v[i].a));
		mb.form_initial = match_form_initial(norm_name_form_ref(v[i].b));
		v[i].score = match_score(&ma, &mb, &v[i].how);
	}
	rates(v, n, th, &p, &r, &f, &tp, &fp, &fn);
	printf("%zu pairs (%zu same, %zu different), threshold %.2f\n", n,
	    tp + fn, n - tp - fn, th);
	printf("precision %.4f  recall %.4f  F1 %.4f  (%zu true positives, %zu "
	    "false positives, %zu missed)\n", p, r, f, tp, fp, fn);
	printf("\nthreshold  precision  recall     F1\n");
	{
		int k;

		for (k = 80; k <= 98; k += 2) {
			double pp, rr, ff, t = k / 100.0;

			rates(v, n, t, &pp, &rr, &ff, NULL, NULL, NULL);
			printf("   %.2f     %.4f    %.4f   %.4f\n", t, pp, rr, ff);
		}
	}
	for (i = 0; i < n; i++)
		if (predict(&v[i], th))
			by[v[i].how][v[i].label]++;
	/* by kind: recall of the same, false matches of the different */
	printf("\nby kind (at %.2f):\n  %-16s %6s %6s %8s %9s %7s\n", th, "kind",
	    "pairs", "same", "found", "different", "matched");
	for (i = 0; i < n; i++) {
		size_t j, pairs = 0, same = 0, found = 0, diff = 0, fpk = 0;

		for (j = 0; j < i; j++)
			if (strcmp(v[j].cat, v[i].cat) == 0)
				break;
		if (j < i)
			continue;	/* printed with its first */
		for (j = i; j < n; j++) {
			int pr;

			if (strcmp(v[j].cat, v[i].cat) != 0)
				continue;
			pr = predict(&v[j], th);
			pairs++;
			same += v[j].label;
			found += v[j].label && pr;
			diff += !v[j].label;
			fpk += !v[j].label && pr;
		}
		printf("  %-16s %6zu %6zu %8zu %9zu %7zu\n", v[i].cat, pairs, same,
		    found, diff, fpk);
	}
	printf("\nmatches by the measure that decided (right / wrong):\n");
	for (i = MATCH_EXACT; i <= MATCH_DIVISION; i++)
		printf("  %-13s %4zu / %zu\n", match_measure_name((enum match_measure)i),
		    by[i][1], by[i][0]);
	if (!quiet) {
		printf("\nwrong at %.2f:\n", th);
		for (i = 0; i < n; i++)
			if (predict(&v[i], th) != v[i].label)
				printf("  %s  %.3f %-12s [%s] '%s' (%s) / '%s' (%s)\n",
				    v[i].label ? "missed" : "false ", v[i].score,
				    match_measure_name(v[i].how), v[i].cat, v[i].a, v[i].ca,
				    v[i].b, v[i].cb);
	}
	printf("\ngoal: precision >= %.2f %s, recall >= %.2f %s\n", goal_p,
	    p >= goal_p ? "met" : "MISSED", goal_r, r >= goal_r ? "met" :
	    "MISSED");
	for (i = 0; i < n; i++) {
		free(v[i].a);
		free(v[i].b);
		free(v[i].ka);
		free(v[i].kb);
		free(v[i].cat);
	}
	free(v);
	match_idf_free(idf);
	normalize_shutdown();
	return p >= goal_p && r >= goal_r ? 0 : 1;
}
