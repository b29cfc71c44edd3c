/*
 * ctl_source.c - chansyncctl source NAME reset-watermark [--to T]: asks
 * the running daemon, which owns the database and the audit key, to
 * forget or move a source's watermarks.
 */
#include "ctl_internal.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "lib/control_socket.h"
#include "lib/mem.h"

struct answer {
	char final[CONTROL_LINE_MAX];
};

static void
answer_line(void *ctx, const char *kind, const char *text)
{
	struct answer *a = ctx;

	if (strcmp(kind, "ok") == 0 || strcmp(kind, "error") == 0)
		snprintf(a->final, sizeof(a->final), "%s", text);
}

static int
reset_watermark(struct ctl *c, const char *name, const char *to)
{
	struct answer a;
	char err[512], *req;
	int fd, rc;

	fd = control_connect(c->cfg->daemon.state_dir, err, sizeof(err));
	if (fd < 0) {
		int e = errno;

		fprintf(stderr, "chansyncctl: %s (the daemon makes the reset, so "
		    "that it is audited: start it first)\n", err);
		return e == EACCES || e == EPERM ? EX_NOPERM : EX_UNAVAILABLE;
	}
	memset(&a, 0, sizeof(a));
	req = xasprintf("reset-watermark %s%s%s", name, to ? " " : "",
	    to ? to : "");
	rc = control_request(fd, req, 30000, answer_line, &a, err, sizeof(err));
	free(req);
	close(fd);
	if (rc < 0) {
		fprintf(stderr, "chansyncctl: %s\n", err);
		return EX_TEMPFAIL;
	}
	if (rc == 1) {
		fprintf(stderr, "chansyncctl: %s\n", a.final);
		return strncmp(a.final, CONTROL_BUSY, strlen(CONTROL_BUSY)) == 0 ?
		    EX_TEMPFAIL : EX_DATAERR;
	}
	printf("%s\n", a.final);
	return EX_OK;
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
