/*
 * ctl_source.c - chansyncctl source NAME reset-watermark [--to T]: asks
 * the running daemon, which owns the database and the audit key, to
 * forget or move a source's watermarks.
 */
#include "ctl_internal.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "lib/mem.h"

static int
reset_watermark(struct ctl *c, const char *name, const char *to)
{
	char *req = xasprintf("reset-watermark %s%s%s", name, to ? " " : "",
	    to ? to : "");
	int rc = ctl_daemon_ask(c, req, 30000, "the daemon makes the reset, so "
	    "that it is audited");

	free(req);
	return rc;
}

int
ctl_cmd_source(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	char to[CLOCK_ISO_LEN];
	int ch, have_to = 0;

	/* 0 starts getopt afresh, so that it permutes: the options may
	 * follow NAME reset-watermark (ctl_main's own scan stops at the
	 * command) */
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 't' && ctl_parse_when(optarg, to) == 0) {
			have_to = 1;
			continue;
		}
		if (ch == 't')
			fprintf(stderr, "chansyncctl: --to '%s' is not a time "
			    "(2026-11-01, an ISO time, or 24h for a day ago)\n",
			    optarg);
		ctl_usage(stderr);
		return EX_USAGE;
	}
	if (argc - optind != 2 || strcmp(argv[optind + 1], "reset-watermark") != 0 ||
	    strchr(argv[optind], ' ') != NULL || argv[optind][0] == '\0') {
		ctl_usage(stderr);
		return EX_USAGE;
	}
	return reset_watermark(c, argv[optind], have_to ? to : NULL);
}
