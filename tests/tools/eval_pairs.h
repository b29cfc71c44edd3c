/*
 * eval_pairs.h - what match_eval and conflicts_eval share: their options
 * (-q, -g PRECISION,RECALL) and the labelled pairs' lines (name_a,
 * country_a, name_b, country_b, label, kind, tab-separated).
 */
#ifndef CHANSYNC_EVAL_PAIRS_H
#define CHANSYNC_EVAL_PAIRS_H

#include <stdio.h>
#include <string.h>

/*
 * Reads -q and -g P,R from argv; returns the index of the first other
 * argument, or -1 after saying what is wrong (prog: the tool's name).
 */
static inline int
eval_options(int argc, char **argv, const char *prog, int *quiet,
    double *goal_p, double *goal_r)
{
	int ai = 1;

	for (;;) {
		if (argc > ai && strcmp(argv[ai], "-q") == 0) {
			*quiet = 1;
			ai++;
		} else if (argc > ai + 1 && strcmp(argv[ai], "-g") == 0) {
			if (sscanf(argv[ai + 1], "%lf,%lf", goal_p, goal_r) != 2) {
				fprintf(stderr, "%s: -g PRECISION,RECALL\n", prog);
				return -1;
			}
			ai += 2;
		} else
			return ai;
	}
}

/* Splits a pairs line (its newline gone) into its six fields in place;
 * 0 when it has fewer. */
static inline int
eval_fields(char *line, char *fld[6])
{
	int k;

	for (k = 0; k < 6; k++) {
		fld[k] = line;
		line = strchr(line, '\t');
		if (line == NULL && k < 5)
			return 0;
		if (line)
			*line++ = '\0';
	}
	return 1;
}

#endif
