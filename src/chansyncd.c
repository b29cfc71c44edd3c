/*
 * chansyncd.c - entry point: arguments, signal mask, configuration, then
 * daemon_run(). Kept short; the work is in the modules.
 */
#include "config/config.h"
#include "daemon.h"
#include "lib/diag.h"
#include "lib/http.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "model/normalize.h"
#include "lib/notify.h"

#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

static void
usage(FILE *f)
{
	fprintf(f, "usage: chansyncd [-c FILE] [--once] [--dry-run] "
	    "[--check-config] [--foreground] [--version]\n");
}

/* Prints every diagnostic; returns the exit status for them. */
static int
report(struct diags *dg, int to_log)
{
	size_t i;

	for (i = 0; i < dg->n; i++) {
		char *s = diags_format(dg, i);
		char *clean = log_redact(s, 0);

		if (to_log)
			log_event(LOG_ERR, MSGID_CONFIG_REJECTED, NULL, "%s", clean);
		else
			fprintf(stderr, "%s\n", clean);
		free(clean);
		free(s);
	}
	return diags_has_perm(dg) ? EX_NOPERM : EX_CONFIG;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "once", no_argument, NULL, 'o' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "check-config", no_argument, NULL, 't' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon_opts o;
	struct diags dg;
	sigset_t mask;
	const char *path = NULL;
	char *abspath = NULL;
	int ch, check = 0, rc;

	/*
	 * No fastbins: a sync frees millions of small strings, and with
	 * fastbins every larger allocation after them first consolidates the
	 * lot (malloc_consolidate was ~7% of a 1M-record sync; about 6% less
	 * CPU without, measured in pairs).
	 */
	mallopt(M_MXFAST, 0);
	/* before any thread or library: signals arrive through signalfd only */
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	umask(077);
	http_global_init();
	atexit(http_global_cleanup);
	log_init("chansyncd");
	memset(&o, 0, sizeof(o));
	while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'o':
			o.once = 1;
			break;
		case 'n':
			o.dry_run = 1;
			break;
		case 't':
			check = 1;
			break;
		case 'f':
			break;	/* always in the foreground (systemd style) */
		case 'V':
			printf("chansyncd %s\n", CHANSYNC_VERSION);
			return EX_OK;
		case 'h':
			usage(stdout);
			return EX_OK;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EX_USAGE;
	}
	notify_init();
	path = config_default_path(path);
	/* an absolute path: the audit log and a reload must not depend on
	 * the working directory */
	if ((abspath = realpath(path, NULL)) != NULL)
		path = abspath;
	diags_init(&dg, path);
	o.cfg = config_load(path, 0, &dg);
	if (o.cfg == NULL) {
		rc = report(&dg, !check);
		if (!check)
			notify_fatal(rc == EX_NOPERM ? 13 : 22,
			    "configuration rejected");
		diags_free(&dg);
		normalize_shutdown();
		log_clear_secrets();
		free(abspath);
		return rc;
	}
	diags_free(&dg);
	if (check) {
		printf("configuration OK\n");
		config_free(o.cfg);
		normalize_shutdown();
		log_clear_secrets();
		free(abspath);
		return EX_OK;
	}
	log_set_level(o.cfg->daemon.log_level);
	o.config_path = path;
	o.sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (o.sfd < 0) {
		log_err("signalfd: %m");
		config_free(o.cfg);
		free(abspath);
		return EX_OSERR;
	}
	rc = daemon_run(&o);
	close(o.sfd);
	normalize_shutdown();
	log_clear_secrets();
	free(abspath);
	return rc;
}
