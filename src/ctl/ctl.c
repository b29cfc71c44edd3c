/*
 * ctl.c - chansyncctl: options, the command table, the configuration
 * and the database opened read-only as the daemon's user.
 */
#include "ctl/ctl.h"
#include "ctl_internal.h"
#include "config/config.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "model/normalize.h"
#include "lib/secret.h"
#include "store/store.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

void
ctl_usage(FILE *f)
{
	fprintf(f,
	    "usage: chansyncctl [-c FILE] [--json] COMMAND [ARGS]  (--json may follow the command)\n"
	    "commands:\n"
	    "  status                          daemon, cycles, sources, quarantine\n"
	    "  sync [--wait] [--timeout SECS]  start a cycle now\n"
	    "  reload [--timeout SECS]         re-read the configuration, wait for it\n"
	    "  quarantine [--source S] [--limit N]\n"
	    "  registrations [--source S] [--limit N]\n"
	    "  conflicts [--all] [--partner P] [--type T] [--product X]\n"
	    "                                  open conflicts (--all: every one)\n"
	    "  conflicts --possible [--all]    names alike below the threshold, for\n"
	    "                                  review\n"
	    "  possible KEY confirm|reject --reason TEXT\n"
	    "                                  one customer from now on, or never\n"
	    "                                  listed again; audited\n"
	    "  conflict KEY                    one conflict: evidence, recommendation\n"
	    "  conflict KEY decide --winner MEMBER --reason TEXT\n"
	    "  conflict KEY reopen --reason TEXT\n"
	    "                                  an operator's decision; audited\n"
	    "  alerts [--all] [--type T] [--partner P] [--owner O] [--severity S]\n"
	    "                                  open alerts, worst first (--all: every one)\n"
	    "  scores [--period P] [--partner P]  partner scores, ranked (default: latest)\n"
	    "  partner ID                      one partner's scorecard, alerts, conflicts\n"
	    "  queue [--owner O] [--source S]  pending registrations by business age,\n"
	    "                                  approval turnaround per source\n"
	    "  report partner P [--period Q] [--audience internal|partner] --html FILE\n"
	    "         [--pdf FILE]             a partner's business review page\n"
	    "  report program --html FILE      partners ranked, tiers, conflicts, queue\n"
	    "  digest [--owner O] [--send]     each owner's daily digest as it stands;\n"
	    "                                  --send: the daemon sends O's now\n"
	    "  crm fields                      the Salesforce fields the configuration\n"
	    "                                  reads and writes, with what each needs\n"
	    "  crm check                       the org checked for them (needs the secrets)\n"
	    "  partners [--unresolved]         CRM partners; (--unresolved) the ids\n"
	    "                                  sources use that no CRM partner has\n"
	    "  source NAME reset-watermark [--to T]\n"
	    "                                  next read in full (or from T); audited\n"
	    "  audit [--since T] [--until T] [--action A] [--entity ID] [--limit N]\n"
	    "  audit verify [--anchors FILE]...\n");
}

/*
 * Loads the configuration without resolving secrets. A file with errors
 * still lets the operator see status and the audit log: the errors are
 * shown as a warning and only daemon.state_dir is taken from it.
 */
static int
load_config(struct ctl *c)
{
	struct diags dg;
	char *dir, *yaml;
	size_t i;
	int rc;

	diags_init(&dg, c->config_path);
	c->cfg = config_load(c->config_path, CONFIG_SKIP_SECRETS, &dg);
	if (c->cfg) {
		diags_free(&dg);
		return 0;
	}
	for (i = 0; i < dg.n; i++) {
		char *s = diags_format(&dg, i);

		fprintf(stderr, "%s\n", s);
		free(s);
	}
	rc = diags_has_perm(&dg) ? EX_NOPERM : EX_CONFIG;
	diags_free(&dg);
	if ((dir = config_peek_state_dir(c->config_path)) == NULL ||
	    strpbrk(dir, "\"\\\n"))
		goto out;
	fprintf(stderr, "chansyncctl: warning: the configuration has errors "
	    "(see above); using daemon.state_dir %s from it\n", dir);
	yaml = xasprintf("daemon:\n  state_dir: \"%s\"\n", dir);
	diags_init(&dg, c->config_path);
	c->cfg = config_load_buffer(c->config_path, yaml, strlen(yaml),
	    CONFIG_SKIP_SECRETS, &dg);
	diags_free(&dg);
	free(yaml);
	if (c->cfg)
		rc = 0;
out:
	free(dir);
	return rc;
}

/*
 * Run by root against a database owned by the daemon's user: become that
 * user, so that nothing we open is left owned by root.
 */
static int
drop_to_owner(const char *path)
{
	struct stat st;

	if (geteuid() != 0 || stat(path, &st) < 0 || st.st_uid == 0)
		return 0;
	if (setgroups(0, NULL) < 0 || setgid(st.st_gid) < 0 ||
	    setuid(st.st_uid) < 0) {
		fprintf(stderr, "chansyncctl: cannot switch to the database "
		    "owner (uid %u): %s\n", (unsigned)st.st_uid, strerror(errno));
		return -1;
	}
	return 0;
}

int
ctl_open_store(struct ctl *c)
{
	char err[1024];

	c->dbpath = xasprintf("%s/%s", c->cfg->daemon.state_dir, STORE_DB_NAME);
	if (access(c->dbpath, F_OK) < 0) {
		fprintf(stderr, "chansyncctl: no database at %s yet (chansyncd "
		    "has not run with this configuration)\n", c->dbpath);
		return EX_UNAVAILABLE;
	}
	if (drop_to_owner(c->dbpath) < 0)
		return EX_NOPERM;
	c->st = store_open(c->dbpath, STORE_RDONLY, err, sizeof(err));
	if (c->st == NULL) {
		fprintf(stderr, "chansyncctl: %s\n", err);
		return EX_IOERR;
	}
	return 0;
}

/*
 * The commands. needs_config: the configuration is loaded first (reload
 * is the exception: the daemon reads, judges and reports the file, even
 * a broken one).
 */
static const struct command {
	const char *name;
	int (*run)(struct ctl *c, int argc, char **argv);
	int needs_config;
} commands[] = {
	{ "status", ctl_cmd_status, 1 },
	{ "sync", ctl_cmd_sync, 1 },
	{ "reload", ctl_cmd_reload, 0 },
	{ "quarantine", ctl_cmd_quarantine, 1 },
	{ "registrations", ctl_cmd_registrations, 1 },
	{ "conflicts", ctl_cmd_conflicts, 1 },
	{ "conflict", ctl_cmd_conflict, 1 },
	{ "alerts", ctl_cmd_alerts, 1 },
	{ "scores", ctl_cmd_scores, 1 },
	{ "partner", ctl_cmd_partner, 1 },
	{ "partners", ctl_cmd_partners, 1 },
	{ "queue", ctl_cmd_queue, 1 },
	{ "digest", ctl_cmd_digest, 1 },
	{ "crm", ctl_cmd_crm, 1 },
	{ "report", ctl_cmd_report, 1 },
	{ "possible", ctl_cmd_possible, 1 },
	{ "source", ctl_cmd_source, 1 },
	{ "audit", ctl_cmd_audit, 1 },
};

static const struct command *
command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* --json may also follow the command: taken out of its arguments. */
static int
json_after(int *argc, char **argv)
{
	int i, j, found = 0;

	for (i = j = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			found = 1;
		else
			argv[j++] = argv[i];
	}
	*argc = j;
	argv[j] = NULL;
	return found;
}

int
ctl_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const struct command *cmd;
	struct ctl c;
	int ch, rc, sub_argc;
	char **sub_argv, *abspath = NULL;

	signal(SIGPIPE, SIG_IGN);
	log_init("chansyncctl");
	memset(&c, 0, sizeof(c));
	while ((ch = getopt_long(argc, argv, "+c:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			c.config_path = optarg;
			break;
		case 'j':
			c.json = 1;
			break;
		case 'h':
			ctl_usage(stdout);
			return EX_OK;
		case 'V':
			printf("chansyncctl %s\n", CHANSYNC_VERSION);
			return EX_OK;
		default:
			ctl_usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		ctl_usage(stderr);
		return EX_USAGE;
	}
	if ((cmd = command(argv[optind])) == NULL) {
		fprintf(stderr, "chansyncctl: unknown command '%s'\n", argv[optind]);
		ctl_usage(stderr);
		return EX_USAGE;
	}
	sub_argc = argc - optind;
	sub_argv = argv + optind;
	if (json_after(&sub_argc, sub_argv))
		c.json = 1;
	c.config_path = config_default_path(c.config_path);
	if ((abspath = realpath(c.config_path, NULL)) != NULL)
		c.config_path = abspath;
	optind = 1;
	rc = cmd->needs_config ? load_config(&c) : 0;
	if (rc == 0)
		rc = cmd->run(&c, sub_argc, sub_argv);
	store_close(c.st);
	free(c.dbpath);
	config_free(c.cfg);
	normalize_shutdown();
	log_clear_secrets();
	free(abspath);
	return rc;
}
