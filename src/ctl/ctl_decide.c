/*
 * ctl_decide.c - chansyncctl conflict KEY decide --winner MEMBER --reason
 * TEXT, and conflict KEY reopen --reason TEXT: asks the running daemon,
 * the only writer, to record an operator's decision (contract §7). The
 * daemon names the operator from the socket's peer credentials.
 */
#include "ctl_internal.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "lib/control_socket.h"
#include "lib/mem.h"

/* The conflict's updated_at as stored now ("-" when it cannot be read):
 * the daemon refuses the decision if the conflict changes before it. */
static int
seen_row(void *ctx, const struct store_row *r)
{
	const char *v = store_col(r, "updated_at");

	snprintf(ctx, 40, "%s", v ? v : "-");
	return 0;
}

/* A reason fit for one request line: no control character. */
static int
reason_ok(const char *r)
{
	const unsigned char *p = (const unsigned char *)r;

	if (*p == '\0' || strlen(r) > CONTROL_REASON_MAX)
		return 0;
	for (; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

static int
send_decision(struct ctl *c, const char *key, const char *winner,
    const char *reason)
{
	char seen[40] = "-", *req;
	int rc;

	if (ctl_open_store(c) == 0)
		store_conflict_brief(c->st, key, seen_row, seen);
	req = xasprintf("decide %s\t%s\t%s\t%s", key, winner ? winner : "-",
	    seen, reason);
	rc = ctl_daemon_ask(c, req, 60000, "the daemon records decisions, so "
	    "that they are audited and written back");
	free(req);
	return rc;
}

int
ctl_conflict_decide(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "winner", required_argument, NULL, 'w' },
		{ "reason", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *winner = NULL, *reason = NULL, *what;
	int ch, decide;

	/* 0 starts getopt afresh, so that the options may follow KEY
	 * decide (ctl_main's own scan stops at the command) */
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'w')
			winner = optarg;
		else if (ch == 'r')
			reason = optarg;
		else {
			ctl_usage(stderr);
			return EX_USAGE;
		}
	}
	if (argc - optind != 2) {
		ctl_usage(stderr);
		return EX_USAGE;
	}
	what = argv[optind + 1];
	decide = strcmp(what, "decide") == 0;
	if ((!decide && strcmp(what, "reopen") != 0) || (decide && (winner ==
	    NULL || *winner == '\0' || strchr(winner, '\t'))) || (!decide &&
	    winner) || reason == NULL) {
		ctl_usage(stderr);
		return EX_USAGE;
	}
	if (!reason_ok(reason)) {
		fprintf(stderr, "chansyncctl: --reason must be one line of 1 to %d "
		    "bytes\n", CONTROL_REASON_MAX);
		return EX_USAGE;
	}
	return send_decision(c, argv[optind], decide ? winner : NULL, reason);
}

/* conflicts --possible [--all]: names alike below the threshold, with
 * why, for an operator to confirm or reject. */
int
ctl_possible_list(struct ctl *c, int all)
{
	struct ctl_out o;
	int rc;

	if ((rc = ctl_open_store(c)) != 0)
		return rc;
	ctl_out_init(&o, c->json);
	if (store_possible_list(c->st, all, NULL, ctl_collect, &o) < 0) {
		fprintf(stderr, "chansyncctl: %s\n", store_errmsg(c->st));
		ctl_out_print(&o, "", 0);
		return EX_IOERR;
	}
	ctl_out_print(&o, all ? "no possible matches" : "no open possible "
	    "matches (names alike below rules.conflicts.match_threshold)", 60);
	return EX_OK;
}

/* possible KEY confirm|reject --reason TEXT: through the daemon, which
 * stores and audits it; a confirmed pair is one customer next cycle. */
int
ctl_cmd_possible(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *reason = NULL, *key, *what;
	char *req;
	int ch, rc;

	if (argc < 3) {
		fprintf(stderr, "usage: chansyncctl possible KEY confirm|reject "
		    "--reason TEXT\n");
		return EX_USAGE;
	}
	key = argv[1];
	what = argv[2];
	optind = 3;
	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (ch == 'r')
			reason = optarg;
		else
			return EX_USAGE;
	}
	if (optind != argc || (strcmp(what, "confirm") != 0 &&
	    strcmp(what, "reject") != 0) || reason == NULL || !reason_ok(reason) ||
	    strchr(key, '\t')) {
		fprintf(stderr, "usage: chansyncctl possible KEY confirm|reject "
		    "--reason TEXT (one line, at most %d bytes)\n",
		    CONTROL_REASON_MAX);
		return EX_USAGE;
	}
	req = xasprintf("possible %s\t%s\t%s", key, what, reason);
	rc = ctl_daemon_ask(c, req, 60000, "the daemon records an operator's "
	    "word on a possible match, so that it is audited");
	free(req);
	return rc;
}
