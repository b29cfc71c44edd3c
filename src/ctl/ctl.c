/*
 * ctl.c - chansyncctl commands.
 */
#include "ctl/ctl.h"
#include "store/audit.h"
#include "lib/clock.h"
#include "config/config.h"
#include "lib/control_socket.h"
#include "lib/digest.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "model/normalize.h"
#include "lib/secret.h"
#include "store/store.h"
#include "lib/text_table.h"
#include "rules/score.h"

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

struct ctl {
	const char *config_path;
	struct config *cfg;
	int json;
	struct store *st;
	char *dbpath;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: chansyncctl [-c FILE] [--json] COMMAND [ARGS]\n"
	    "commands:\n"
	    "  status                          daemon, cycles, sources, quarantine\n"
	    "  sync [--wait] [--timeout SECS]  start a cycle now\n"
	    "  reload [--timeout SECS]         re-read the configuration, wait for it\n"
	    "  quarantine [--source S] [--limit N]\n"
	    "  registrations [--source S] [--limit N]\n"
	    "  conflicts [--all]               open conflicts (--all: every one)\n"
	    "  conflict KEY                    one conflict: evidence, recommendation\n"
	    "  alerts [--all]                  open alerts, worst first (--all: every one)\n"
	    "  scores [--period P]             partner scores, ranked (default: latest)\n"
	    "  partner ID                      one partner's scorecard, alerts, conflicts\n"
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

static int
open_store(struct ctl *c)
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

/* ---- row output ---- */

struct out {
	int json;
	struct table *t;
	struct jval *arr;
};

static int
collect(void *ctx, const struct store_row *row)
{
	struct out *o = ctx;
	int i;

	if (o->json) {
		struct jval *obj = jv_object();

		for (i = 0; i < row->ncol; i++) {
			const char *v = row->vals[i];
			struct jval *j;
			char err[64];

			switch (row->types[i]) {
			case STORE_NULL:
				j = jv_null();
				break;
			case STORE_INT:
				j = jv_int(strtoll(v, NULL, 10));
				break;
			case STORE_REAL:
				j = jv_real(strtod(v, NULL));
				break;
			default:
				j = NULL;
				if (strcmp(row->names[i], "detail") == 0)
					j = jv_parse(v, strlen(v), err, sizeof(err));
				if (j == NULL)
					j = jv_str(v);
			}
			jv_set(obj, row->names[i], j);
		}
		jv_append(o->arr, obj);
		return 0;
	}
	if (o->t == NULL)
		o->t = table_new(row->ncol, row->names);
	table_add(o->t, row->vals);
	return 0;
}

static void
out_init(struct out *o, int json)
{
	memset(o, 0, sizeof(*o));
	o->json = json;
	if (json)
		o->arr = jv_array();
}

/* Prints and frees; empty says what to print when there are no rows. */
static void
out_print(struct out *o, const char *empty, int maxw)
{
	if (o->json) {
		char *s = jv_dump_pretty(o->arr);

		printf("%s\n", s);
		free(s);
		jv_free(o->arr);
		return;
	}
	if (o->t == NULL)
		printf("%s\n", empty);
	else
		table_print(o->t, stdout, maxw);
	table_free(o->t);
}

/* ---- time arguments ---- */

/* "2026-11-27T08:00:00Z", a date, or a duration ago ("2h", "7d"). */
static int
parse_when(const char *s, char out[CLOCK_ISO_LEN])
{
	int64_t t, d;
	char iso[21];

	if (config_parse_duration(s, &d) == 0)
		t = clock_now() - d;
	else if (norm_time(s, TIME_ISO8601, &t) < 0)
		return -1;
	norm_time_format(t, iso);
	/* the audit stores microseconds: compare like with like */
	snprintf(out, CLOCK_ISO_LEN, "%.19s.000000Z", iso);
	return 0;
}

/* ---- commands ---- */

struct status_info {
	char state[32];
	long long next_in, interval, jitter;
	long pid;
};

static void
status_line(void *ctx, const char *kind, const char *text)
{
	struct status_info *si = ctx;

	if (strcmp(kind, "info") == 0) {
		sscanf(text, "next_cycle_in %lld", &si->next_in);
		sscanf(text, "interval %lld jitter %lld", &si->interval,
		    &si->jitter);
		sscanf(text, "pid %ld", &si->pid);
	} else if (strcmp(kind, "ok") == 0)
		snprintf(si->state, sizeof(si->state), "%s", text);
}

static int
cmd_status(struct ctl *c)
{
	struct status_info si;
	struct out cycles, sources;
	pid_t pid = control_daemon_pid(c->cfg->daemon.state_dir);
	int64_t q, arows, wq, wf, hseq = 0;
	unsigned char h[32];
	char hex[65] = "", err[256], *crm_user = NULL, *crm_instance = NULL, *v;
	int64_t api_used = -1, api_limit = -1;
	int rc;

	memset(&si, 0, sizeof(si));
	si.next_in = -1;
	if (pid) {
		int fd = control_connect(c->cfg->daemon.state_dir, err, sizeof(err));

		if (fd >= 0) {
			control_request(fd, "status", 5000, status_line, &si, err,
			    sizeof(err));
			close(fd);
		}
	}
	if ((rc = open_store(c)) != 0) {
		if (!c->json)
			printf("chansyncd: %s\n", pid ? "running" : "not running");
		return rc;
	}
	q = store_count(c->st, "quarantine");
	arows = store_count(c->st, "audit");
	wq = store_count(c->st, "outbox");
	wf = store_outbox_failures(c->st);
	if (store_audit_head(c->st, &hseq, h) == 1)
		hex_encode(h, 32, hex);
	out_init(&cycles, c->json);
	out_init(&sources, c->json);
	if (store_list_cycles(c->st, 5, collect, &cycles) < 0 ||
	    store_list_sources(c->st, collect, &sources) < 0) {
		fprintf(stderr, "chansyncctl: %s\n", store_errmsg(c->st));
		out_print(&cycles, "", 0);
		out_print(&sources, "", 0);
		return EX_IOERR;
	}
	if (c->cfg->crm.present) {
		store_meta_get(c->st, "crm_user", &crm_user);
		store_meta_get(c->st, "crm_instance", &crm_instance);
		if (store_meta_get(c->st, "crm_api_used", &v) == 1) {
			api_used = strtoll(v, NULL, 10);
			free(v);
		}
		if (store_meta_get(c->st, "crm_api_limit", &v) == 1) {
			api_limit = strtoll(v, NULL, 10);
			free(v);
		}
	}
	if (c->json) {
		struct jval *o = jv_object(), *dm = jv_object(), *au = jv_object();
		char *s;

		if (c->cfg->crm.present) {
			struct jval *crm = jv_object();

			jv_set_str(crm, "user", crm_user);
			jv_set_str(crm, "instance_url", crm_instance);
			jv_set(crm, "api_used", api_used >= 0 ? jv_int(api_used) : jv_null());
			jv_set(crm, "api_limit", api_limit > 0 ? jv_int(api_limit) : jv_null());
			jv_set_int(crm, "api_budget_percent", c->cfg->crm.api_budget_percent);
			jv_set(o, "crm", crm);
		}
		jv_set(dm, "running", jv_bool(pid != 0));
		jv_set(dm, "pid", pid ? jv_int(pid) : jv_null());
		jv_set_str(dm, "state", pid ? (si.state[0] ? si.state : "unknown") :
		    "stopped");
		jv_set(dm, "next_cycle_in", si.next_in >= 0 ? jv_int(si.next_in) :
		    jv_null());
		jv_set(dm, "interval", si.interval > 0 ? jv_int(si.interval) :
		    jv_null());
		jv_set(o, "daemon", dm);
		jv_set_str(o, "config", c->config_path);
		jv_set_str(o, "database", c->dbpath);
		jv_set(o, "cycles", cycles.arr);
		jv_set(o, "sources", sources.arr);
		jv_set_int(o, "quarantined", q);
		jv_set_int(o, "writes_queued", wq);
		jv_set_int(o, "writes_failing", wf);
		jv_set_int(au, "rows", arows);
		jv_set_int(au, "head_seq", hseq);
		jv_set_str(au, "head_hash", hex[0] ? hex : NULL);
		jv_set(o, "audit", au);
		s = jv_dump_pretty(o);
		printf("%s\n", s);
		free(s);
		jv_free(o);
		free(crm_user);
		free(crm_instance);
		return EX_OK;
	}
	if (pid)
		printf("chansyncd:   running (pid %ld), %s", (long)pid,
		    si.state[0] ? si.state : "not answering");
	else
		printf("chansyncd:   not running");
	if (pid && si.next_in >= 0)
		printf(", next cycle in %lldm %llds", si.next_in / 60,
		    si.next_in % 60);
	printf("\nconfig:      %s\ndatabase:    %s\n", c->config_path, c->dbpath);
	if (c->cfg->crm.present) {
		printf("crm:         %s at %s", crm_user ? crm_user : "(not logged in yet)",
		    crm_instance ? crm_instance : c->cfg->crm.login_url);
		if (api_limit > 0)
			printf("; API usage %lld/%lld (%lld%%, budget %lld%%%s)",
			    (long long)api_used, (long long)api_limit,
			    (long long)(api_used * 100 / api_limit),
			    (long long)c->cfg->crm.api_budget_percent,
			    api_used * 100 >= api_limit * c->cfg->crm.api_budget_percent ?
			    ": reached, CRM calls paused" : "");
		printf("\n");
	}
	printf("quarantine:  %lld record%s\n", (long long)q, q == 1 ? "" : "s");
	if (wq > 0)
		printf("write-back:  %lld CRM write%s queued, %lld refused by the CRM "
		    "(retried each cycle; chansyncctl audit --action crm.write_failed)\n",
		    (long long)wq, wq == 1 ? "" : "s", (long long)wf);
	printf("audit:       %lld rows, head %lld %.16s\n\n", (long long)arows,
	    (long long)hseq, hex[0] ? hex : "-");
	printf("recent cycles:\n");
	out_print(&cycles, "  (none yet)", 0);
	printf("\nsources:\n");
	out_print(&sources, "  (none has run yet)", 60);
	free(crm_user);
	free(crm_instance);
	return EX_OK;
}

static void
print_line(void *ctx, const char *kind, const char *text)
{
	(void)ctx;
	if (strcmp(kind, "diag") == 0)
		fprintf(stderr, "%s\n", text);
	else if (strcmp(kind, "info") == 0)
		printf("%s\n", text);
}

static int
parse_secs(const char *s, int *ret)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end || v <= 0 || v > 86400)
		return -1;
	*ret = (int)v;
	return 0;
}

static int
cmd_sync(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "wait", no_argument, NULL, 'w' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	char err[512];
	int ch, wait = 0, timeout = 600, fd, rc;
	pid_t pid;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'w')
			wait = 1;
		else if (ch == 't' && parse_secs(optarg, &timeout) == 0)
			;
		else {
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (!wait) {
		pid = control_daemon_pid(c->cfg->daemon.state_dir);
		if (pid == 0) {
			fprintf(stderr, "chansyncctl: chansyncd is not running on "
			    "%s\n", c->cfg->daemon.state_dir);
			return EX_UNAVAILABLE;
		}
		if (kill(pid, SIGUSR1) < 0) {
			fprintf(stderr, "chansyncctl: cannot signal pid %ld: %s\n",
			    (long)pid, strerror(errno));
			return errno == EPERM ? EX_NOPERM : EX_UNAVAILABLE;
		}
		printf("sync requested (SIGUSR1 to pid %ld)\n", (long)pid);
		return EX_OK;
	}
	fd = control_connect(c->cfg->daemon.state_dir, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "chansyncctl: %s\n", err);
		return EX_UNAVAILABLE;
	}
	rc = control_request(fd, "sync", timeout * 1000, print_line, NULL, err,
	    sizeof(err));
	close(fd);
	if (rc < 0) {
		fprintf(stderr, "chansyncctl: %s\n", err);
		return EX_TEMPFAIL;
	}
	return rc == 0 ? EX_OK : EX_TEMPFAIL;
}

struct reload_ctx {
	char final[1024];
};

static void
reload_line(void *ctx, const char *kind, const char *text)
{
	struct reload_ctx *r = ctx;

	print_line(NULL, kind, text);
	if (strcmp(kind, "ok") == 0 || strcmp(kind, "error") == 0)
		snprintf(r->final, sizeof(r->final), "%s", text);
}

static int
cmd_reload(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct reload_ctx r;
	char err[512], *dir;
	const char *env = getenv("STATE_DIRECTORY");
	int ch, timeout = 90, fd, rc;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 't' && parse_secs(optarg, &timeout) == 0)
			continue;
		usage(stderr);
		return EX_USAGE;
	}
	memset(&r, 0, sizeof(r));
	/* the file's state_dir, else systemd's StateDirectory=, else the default */
	dir = config_peek_state_dir(c->config_path);
	if (dir == NULL)
		dir = xstrdup(env && *env && !strchr(env, ':') ? env :
		    "/var/lib/chansync");
	fd = control_connect(dir, err, sizeof(err));
	free(dir);
	if (fd < 0) {
		fprintf(stderr, "chansyncctl: %s\n", err);
		return EX_UNAVAILABLE;
	}
	rc = control_request(fd, "reload", timeout * 1000, reload_line, &r, err,
	    sizeof(err));
	close(fd);
	if (rc < 0) {
		fprintf(stderr, "chansyncctl: %s\n", err);
		return EX_TEMPFAIL;
	}
	if (rc == 1) {
		fprintf(stderr, "chansyncctl: %s\n", r.final);
		return EX_CONFIG;
	}
	printf("configuration reloaded (sha256 %s)\n", r.final);
	return EX_OK;
}

static int
list_opts(int argc, char **argv, const char **source, int64_t *limit)
{
	static const struct option opts[] = {
		{ "source", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 's')
			*source = optarg;
		else if (ch == 'n' && (*limit = strtoll(optarg, NULL, 10)) > 0)
			;
		else {
			usage(stderr);
			return -1;
		}
	}
	return 0;
}

typedef int (*list_fn)(struct store *, const char *, int64_t, store_row_fn,
    void *);

/* quarantine and registrations: [--source S] [--limit N] listings */
static int
cmd_list(struct ctl *c, int argc, char **argv, list_fn list, int64_t limit,
    const char *empty, int maxw)
{
	const char *source = NULL;
	struct out o;
	int rc;

	if (list_opts(argc, argv, &source, &limit) < 0)
		return EX_USAGE;
	if ((rc = open_store(c)) != 0)
		return rc;
	out_init(&o, c->json);
	if (list(c->st, source, limit, collect, &o) < 0) {
		fprintf(stderr, "chansyncctl: %s\n", store_errmsg(c->st));
		out_print(&o, "", 0);
		return EX_IOERR;
	}
	out_print(&o, empty, maxw);
	return EX_OK;
}

/* ---- conflicts ---- */

/*
 * conflicts and alerts: the open ones, or with --all every one, through
 * list (a store listing with an "all" flag).
 */
static int
list_open(struct ctl *c, int argc, char **argv,
    int (*list)(struct store *, int, store_row_fn, void *), const char *what,
    int maxw)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	struct out o;
	char empty[64];
	int ch, all = 0, rc;

	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (ch != 'a') {
			usage(stderr);
			return EX_USAGE;
		}
		all = 1;
	}
	if (optind < argc) {
		usage(stderr);
		return EX_USAGE;
	}
	if ((rc = open_store(c)) != 0)
		return rc;
	out_init(&o, c->json);
	if (list(c->st, all, collect, &o) < 0) {
		fprintf(stderr, "chansyncctl: %s\n", store_errmsg(c->st));
		out_print(&o, "", 0);
		return EX_IOERR;
	}
	snprintf(empty, sizeof(empty), "no %s%s", all ? "" : "open ", what);
	out_print(&o, empty, maxw);
	return EX_OK;
}

static int
cmd_conflicts(struct ctl *c, int argc, char **argv)
{
	return list_open(c, argc, argv, store_list_conflicts, "conflicts", 40);
}

struct one {
	struct jval *row;		/* the conflict */
	struct jval *members;		/* its member rows */
};

static int
one_row(void *ctx, const struct store_row *row)
{
	struct out o;

	out_init(&o, 1);
	collect(&o, row);
	*(struct jval **)ctx = jv_copy(jv_array_at(o.arr, 0));
	jv_free(o.arr);
	return 0;
}

static int
member_rows(void *ctx, const struct store_row *row)
{
	struct out o = { 1, NULL, ctx };

	return collect(&o, row);
}

static const char *
js(const struct jval *o, const char *k)
{
	const char *v = o ? jv_object_str(o, k) : NULL;

	return v ? v : "";
}

/* One conflict for a channel manager: who, why, what to do. */
static void
print_conflict(const struct jval *row, const struct jval *members)
{
	char err[64];
	const char *evs = jv_object_str(row, "evidence");
	struct jval *ev = evs ? jv_parse(evs, strlen(evs), err, sizeof(err)) : NULL;
	const struct jval *m = ev ? jv_lookup(ev, "/members") : NULL;
	const struct jval *links = ev ? jv_lookup(ev, "/links") : NULL;
	const struct jval *w = ev ? jv_lookup(ev, "/protection_window") : NULL;
	size_t i, j;

	printf("conflict %s: %s, %s\n", js(row, "key"), js(row, "type"),
	    js(row, "status"));
	printf("customer:  %s", js(row, "customer"));
	if (*js(row, "customer_domain") || *js(row, "customer_country"))
		printf(" (%s%s%s)", js(row, "customer_domain"),
		    *js(row, "customer_domain") && *js(row, "customer_country") ?
		    ", " : "", js(row, "customer_country"));
	printf("\nwhy:       %s\n", js(ev, "rule"));
	if (w)
		printf("window:    %s to %s (protection)\n", js(w, "from"), js(w, "to"));
	printf("claims:\n");
	for (i = 0; i < jv_array_len(m); i++) {
		const struct jval *x = jv_array_at(m, i);

		printf("  %-24s %-12s partner %-20s %s", js(x, "key"), js(x, "kind"),
		    *js(x, "partner_id") ? js(x, "partner_id") : "(direct)",
		    js(x, "customer_name"));
		if (*js(x, "product"))
			printf(", product %s", js(x, "product"));
		printf(", %s", js(x, "status"));
		if (*js(x, "registered_at"))
			printf(", registered %s", js(x, "registered_at"));
		if (*js(x, "expires_at"))
			printf(", expires %s", js(x, "expires_at"));
		printf("\n");
	}
	printf("linked by:\n");
	for (i = 0; i < jv_array_len(links); i++) {
		const struct jval *l = jv_array_at(links, i);
		char *sim = NULL;

		jv_lookup_text(l, "/similarity", &sim, err, sizeof(err));
		if (strcmp(js(l, "rule"), "domain") == 0) {
			const struct jval *who = jv_lookup(l, "/members");

			printf("  the same domain %s:", js(l, "domain"));
			for (j = 0; j < jv_array_len(who); j++) {
				char *k = NULL;

				jv_lookup_text(jv_array_at(who, j), "", &k, err, sizeof(err));
				printf(" %s", k ? k : "");
				free(k);
			}
			printf("\n");
		} else if (*js(l, "name_key")) {
			printf("  the same name '%s'\n", js(l, "name_key"));
		} else
			printf("  '%s' and '%s': similarity %s (%s)\n", js(l, "name_a"),
			    js(l, "name_b"), sim ? sim : "?", js(l, "measure"));
		free(sim);
	}
	printf("policy:    %s\n", js(ev, "policy"));
	printf("recommend: %s\n", *js(row, "winner") ? js(row, "winner") : "(none)");
	printf("because:   %s\n", js(row, "reason"));
	printf("opened:    %s", js(row, "opened_at"));
	if (*js(row, "resolved_at"))
		printf(", %s %s: %s", js(row, "status"), js(row, "resolved_at"),
		    js(row, "resolution"));
	printf("\n");
	if (*js(row, "crm_status"))
		printf("in the CRM: %s\n", js(row, "crm_status"));
	for (i = 0, j = 0; i < jv_array_len(members); i++)
		if (*js(jv_array_at(members, i), "removed_at"))
			j++;
	if (j)
		printf("%zu former member%s (no longer active claims)\n", j,
		    j == 1 ? "" : "s");
	jv_free(ev);
}

static int
cmd_conflict(struct ctl *c, int argc, char **argv)
{
	struct jval *row = NULL, *members;
	int rc;

	if (argc != 2) {
		usage(stderr);
		return EX_USAGE;
	}
	if ((rc = open_store(c)) != 0)
		return rc;
	members = jv_array();
	if (store_conflict_get(c->st, argv[1], one_row, &row) < 0 ||
	    store_conflict_members(c->st, argv[1], member_rows, members) < 0) {
		fprintf(stderr, "chansyncctl: %s\n", store_errmsg(c->st));
		jv_free(row);
		jv_free(members);
		return EX_IOERR;
	}
	if (row == NULL) {
		fprintf(stderr, "chansyncctl: no conflict '%s' (see chansyncctl "
		    "conflicts --all)\n", argv[1]);
		jv_free(members);
		return EX_DATAERR;
	}
	if (c->json) {
		const char *evs = jv_object_str(row, "evidence");
		char err[64], *out;
		struct jval *ev = evs ? jv_parse(evs, strlen(evs), err,
		    sizeof(err)) : NULL;

		if (ev)
			jv_set(row, "evidence", ev);
		jv_set(row, "members", members);
		out = jv_dump_pretty(row);
		printf("%s\n", out);
		free(out);
	} else {
		print_conflict(row, members);
		jv_free(members);
	}
	jv_free(row);
	return EX_OK;
}

/* ---- alerts and scores ---- */

static int
cmd_alerts(struct ctl *c, int argc, char **argv)
{
	return list_open(c, argc, argv, store_list_alerts, "alerts", 90);
}

struct latest {
	char period[32];
};

static int
latest_row(void *ctx, const struct store_row *row)
{
	struct latest *l = ctx;
	int i;

	for (i = 0; i < row->ncol; i++)
		if (strcmp(row->names[i], "period") == 0 && row->vals[i] &&
		    strcmp(row->vals[i], l->period) > 0)
			snprintf(l->period, sizeof(l->period), "%s", row->vals[i]);
	return 0;
}

/* Ranked scores of one period: partner, score, tier, the figures. */
struct ranked {
	struct out *o;
	int rank;
};

static int
ranked_row(void *ctx, const struct store_row *row)
{
	struct ranked *r = ctx;
	const char *names[9] = { "rank", "partner_id", "name", "score", "tier",
		"attainment", "coverage", "risk_coverage", "pipeline" };
	const char *vals[9];
	enum store_type types[9];
	char rank[16], sc[32], at[32], cv[32], rc[32], pl[48];
	struct store_row out = { 9, names, vals, types };
	int i;

	snprintf(rank, sizeof(rank), "%d", ++r->rank);
	vals[0] = rank;
	types[0] = STORE_INT;
	for (i = 1; i < 9; i++) {
		int j;

		vals[i] = NULL;
		types[i] = STORE_NULL;
		for (j = 0; j < row->ncol; j++)
			if (strcmp(row->names[j], names[i]) == 0 && row->types[j] !=
			    STORE_NULL) {
				vals[i] = row->vals[j];
				types[i] = row->types[j];
			}
	}
	/* rounded for people; --json keeps two decimals too */
#define ROUND(ix, buf, fmt) if (vals[ix]) { snprintf(buf, sizeof(buf), fmt, \
	strtod(vals[ix], NULL)); vals[ix] = buf; types[ix] = STORE_REAL; }
	ROUND(3, sc, "%.1f");
	ROUND(5, at, "%.2f");
	ROUND(6, cv, "%.2f");
	ROUND(7, rc, "%.2f");
	ROUND(8, pl, "%.0f");
#undef ROUND
	return collect(r->o, &out);
}

static int
cmd_scores(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "period", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct latest l = { "" };
	struct ranked r;
	struct out o;
	const char *period = NULL;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (ch != 'p') {
			usage(stderr);
			return EX_USAGE;
		}
		period = optarg;
	}
	if (optind < argc) {
		usage(stderr);
		return EX_USAGE;
	}
	if ((rc = open_store(c)) != 0)
		return rc;
	if (period == NULL) {
		if (store_partner_periods(c->st, NULL, NULL, latest_row, &l) < 0) {
			fprintf(stderr, "chansyncctl: %s\n", store_errmsg(c->st));
			return EX_IOERR;
		}
		period = l.period;
	}
	out_init(&o, c->json);
	r.o = &o;
	r.rank = 0;
	if (store_partner_periods(c->st, NULL, period, ranked_row, &r) < 0) {
		fprintf(stderr, "chansyncctl: %s\n", store_errmsg(c->st));
		out_print(&o, "", 0);
		return EX_IOERR;
	}
	if (r.rank == 0 && *period) {
		/* a period asked for that has no scores */
		if (store_partner_periods(c->st, NULL, NULL, latest_row, &l) < 0)
			l.period[0] = '\0';
		fprintf(stderr, "chansyncctl: no scores for period '%s'%s%s%s\n",
		    period, l.period[0] ? " (the latest scored period is " : "",
		    l.period, l.period[0] ? ")" : "");
		jv_free(o.arr);
		table_free(o.t);
		return EX_DATAERR;
	}
	if (!c->json && *period)
		printf("period %s\n", period);
	out_print(&o, "no scores yet (they come with the first cycle that reads "
	    "the CRM)", 40);
	return EX_OK;
}

static int
card_row(void *ctx, const struct store_row *row)
{
	struct out o = { 1, NULL, ctx };

	return collect(&o, row);
}

struct filt {
	struct jval *arr;
	const char *id;
};

static int
alert_of(void *ctx, const struct store_row *row)
{
	struct filt *f = ctx;
	int i;

	for (i = 0; i < row->ncol; i++)
		if (strcmp(row->names[i], "partner_id") == 0 && row->vals[i] &&
		    strcmp(row->vals[i], f->id) == 0) {
			struct out o = { 1, NULL, f->arr };

			return collect(&o, row);
		}
	return 0;
}

/* A number at pointer p of o: 1 and *ret, or 0 for none. */
static int
num(const struct jval *o, const char *p, double *ret)
{
	char err[64], *v = NULL;
	int ok;

	*ret = 0;
	ok = o && jv_lookup_text(o, p, &v, err, sizeof(err)) == 1 && v;
	if (ok)
		*ret = strtod(v, NULL);
	free(v);
	return ok;
}

static void
print_card(const char *id, const struct jval *periods, const struct jval *alerts,
    const struct jval *conflicts)
{
	size_t n = jv_array_len(periods), i;
	const struct jval *cur = n ? jv_array_at(periods, n - 1) : NULL;
	const struct jval *prev = n > 1 ? jv_array_at(periods, n - 2) : NULL;
	char err[64];
	const char *ks = cur ? jv_object_str(cur, "kpis") : NULL;
	struct jval *k = ks ? jv_parse(ks, strlen(ks), err, sizeof(err)) : NULL;
	double d, e, f;

	if (cur == NULL) {
		printf("partner %s: no scorecard yet\n", id);
		return;
	}
	printf("partner %s (%s), period %s\n", id, js(cur, "name"),
	    js(cur, "period"));
	if (num(cur, "/score", &d))
		printf("score:     %.1f", d);
	else
		printf("score:     (no KPI with data)");
	if (*js(cur, "tier"))
		printf(", tier %s", js(cur, "tier"));
	if (prev && num(prev, "/score", &d))
		printf(" (previous period %s: %.1f)", js(prev, "period"), d);
	printf("\n");
	printf("figures:   closed-won %.0f, pipeline %.0f, risk-adjusted %.0f, ",
	    num(cur, "/closed_won", &d) ? d : 0, num(cur, "/pipeline", &e) ? e : 0,
	    num(cur, "/risk_adjusted", &f) ? f : 0);
	if (num(cur, "/plan_target", &d))
		printf("plan %.0f\n", d);
	else
		printf("no plan for this period\n");
	printf("%-22s %8s %10s %10s %10s\n", "KPI", "value", "peer avg",
	    "top 10%", "pctile");
	for (i = 0; k && i < SCORE_KPIS; i++) {
		const struct jval *x = jv_lookup(jv_lookup(k, "/kpis"), "");
		char path[64];
		double val, avg, top, pct;

		snprintf(path, sizeof(path), "/%s/value", score_kpi_names[i]);
		if (!num(x, path, &val)) {
			printf("%-22s %8s\n", score_kpi_names[i], "no data");
			continue;
		}
		snprintf(path, sizeof(path), "/%s/peer_average", score_kpi_names[i]);
		num(x, path, &avg);
		snprintf(path, sizeof(path), "/%s/peer_top_decile", score_kpi_names[i]);
		num(x, path, &top);
		snprintf(path, sizeof(path), "/%s/percentile", score_kpi_names[i]);
		num(x, path, &pct);
		printf("%-22s %8.1f %10.1f %10.1f %10.0f\n", score_kpi_names[i], val,
		    avg, top, pct);
	}
	if (*js(k, "flags"))
		printf("flags:     %s\n", js(k, "flags"));
	printf("trend:    ");
	for (i = 0; i < n; i++) {
		if (num(jv_array_at(periods, i), "/score", &d))
			printf(" %s %.1f", js(jv_array_at(periods, i), "period"), d);
		else
			printf(" %s -", js(jv_array_at(periods, i), "period"));
	}
	printf("\nopen alerts:\n");
	for (i = 0; i < jv_array_len(alerts); i++)
		printf("  [%s] %s\n", js(jv_array_at(alerts, i), "severity"),
		    js(jv_array_at(alerts, i), "message"));
	if (jv_array_len(alerts) == 0)
		printf("  none\n");
	printf("open conflicts:\n");
	for (i = 0; i < jv_array_len(conflicts); i++) {
		const struct jval *x = jv_array_at(conflicts, i);
		const char *claims = js(x, "claims"), *w = js(x, "winner");
		int wins = *w && strstr(claims, w) != NULL;

		printf("  %s %s on %s: this partner's %s; recommended %s%s\n",
		    js(x, "key"), js(x, "type"), js(x, "customer"), claims,
		    *w ? w : "none", wins ? " (this partner's)" : "");
	}
	if (jv_array_len(conflicts) == 0)
		printf("  none\n");
	jv_free(k);
}

static int
cmd_partner(struct ctl *c, int argc, char **argv)
{
	struct jval *periods = jv_array(), *alerts = jv_array();
	struct jval *conflicts = jv_array();
	struct out co = { 1, NULL, conflicts };
	struct filt f;
	int rc = EX_OK;

	if (argc != 2) {
		usage(stderr);
		rc = EX_USAGE;
		goto out;
	}
	if ((rc = open_store(c)) != 0)
		goto out;
	f.arr = alerts;
	f.id = argv[1];
	if (store_partner_periods(c->st, argv[1], NULL, card_row, periods) < 0 ||
	    store_list_alerts(c->st, 0, alert_of, &f) < 0 ||
	    store_partner_conflicts(c->st, argv[1], collect, &co) < 0) {
		fprintf(stderr, "chansyncctl: %s\n", store_errmsg(c->st));
		rc = EX_IOERR;
		goto out;
	}
	if (jv_array_len(periods) == 0) {
		fprintf(stderr, "chansyncctl: no scorecard for partner '%s' (see "
		    "chansyncctl scores)\n", argv[1]);
		rc = EX_DATAERR;
		goto out;
	}
	if (c->json) {
		struct jval *o = jv_object(), *ps = jv_array();
		size_t i;
		char *s;

		/* each period's scorecard as an object, not as its stored text */
		for (i = 0; i < jv_array_len(periods); i++) {
			struct jval *p = jv_copy(jv_array_at(periods, i));
			const char *ks = jv_object_str(p, "kpis");
			char err[64];
			struct jval *k = ks ? jv_parse(ks, strlen(ks), err,
			    sizeof(err)) : NULL;

			if (k)
				jv_set(p, "kpis", k);
			jv_append(ps, p);
		}
		jv_set_str(o, "partner_id", argv[1]);
		jv_set(o, "periods", ps);
		jv_set(o, "alerts", alerts);
		jv_set(o, "conflicts", conflicts);
		alerts = conflicts = NULL;
		s = jv_dump_pretty(o);
		printf("%s\n", s);
		free(s);
		jv_free(o);
		goto out;
	}
	print_card(argv[1], periods, alerts, conflicts);
out:
	jv_free(periods);
	jv_free(alerts);
	jv_free(conflicts);
	return rc;
}

static int
cmd_verify(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "anchors", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	struct audit_anchor *anchors = NULL;
	size_t nanchors = 0;
	struct secret *key = NULL;
	struct audit_report rep;
	enum audit_verdict v;
	char err[1024], *own;
	uint64_t t0, us;
	int ch, rc;

	own = xasprintf("%s/%s", c->cfg->daemon.state_dir, AUDIT_ANCHOR_FILE);
	if (access(own, F_OK) == 0 &&
	    audit_read_anchors(own, &anchors, &nanchors, err, sizeof(err)) < 0) {
		fprintf(stderr, "chansyncctl: %s\n", err);
		free(own);
		return EX_NOINPUT;
	}
	free(own);
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'a') {
			usage(stderr);
			free(anchors);
			return EX_USAGE;
		}
		if (audit_read_anchors(optarg, &anchors, &nanchors, err,
		    sizeof(err)) < 0) {
			fprintf(stderr, "chansyncctl: %s\n", err);
			free(anchors);
			return EX_NOINPUT;
		}
	}
	if (c->cfg->audit.hmac_key &&
	    secret_load(c->cfg->audit.hmac_key, &key, err, sizeof(err)) != SECRET_OK)
		fprintf(stderr, "chansyncctl: audit.hmac_key: %s; rows chained "
		    "with HMAC cannot be verified\n", err);
	if ((rc = open_store(c)) != 0) {
		secret_free(key);
		free(anchors);
		return rc;
	}
	t0 = clock_monotonic_usec();
	v = audit_verify(c->st, key, anchors, nanchors, &rep);
	us = clock_monotonic_usec() - t0;
	secret_free(key);
	free(anchors);
	if (c->json) {
		struct jval *o = jv_object();
		char *s;

		jv_set_str(o, "verdict", v == AUDIT_OK ? "intact" :
		    v == AUDIT_TAMPERED ? "tampered" : "unverifiable");
		jv_set_int(o, "rows", rep.rows);
		jv_set_int(o, "head_seq", rep.head_seq);
		jv_set_str(o, "head_hash", rep.head_hash[0] ? rep.head_hash : NULL);
		jv_set_int(o, "anchors_checked", (int64_t)rep.anchors_checked);
		jv_set(o, "first_bad_seq", rep.first_bad ? jv_int(rep.first_bad) :
		    jv_null());
		jv_set_str(o, "problem", rep.problem[0] ? rep.problem : NULL);
		jv_set(o, "rows_per_second", jv_int(us ? (int64_t)((double)rep.rows
		    * 1e6 / (double)us) : 0));
		s = jv_dump_pretty(o);
		printf("%s\n", s);
		free(s);
		jv_free(o);
	} else if (v == AUDIT_OK)
		printf("audit log intact: %lld rows, head %lld %s, %zu anchor%s "
		    "checked, %.0f rows/s\n", (long long)rep.rows,
		    (long long)rep.head_seq, rep.head_hash[0] ? rep.head_hash : "-",
		    rep.anchors_checked, rep.anchors_checked == 1 ? "" : "s",
		    us ? (double)rep.rows * 1e6 / (double)us : 0.0);
	else if (v == AUDIT_TAMPERED)
		printf("audit log TAMPERED: first bad row %lld: %s\n",
		    (long long)rep.first_bad, rep.problem);
	else
		printf("audit log cannot be verified: %s\n", rep.problem);
	return (int)v;
}

static int
cmd_audit(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "action", required_argument, NULL, 'a' },
		{ "entity", required_argument, NULL, 'e' },
		{ "limit", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct store_audit_filter f;
	char since[CLOCK_ISO_LEN], until[CLOCK_ISO_LEN];
	struct out o;
	int ch, rc;

	if (argc > 1 && strcmp(argv[1], "verify") == 0)
		return cmd_verify(c, argc - 1, argv + 1);
	memset(&f, 0, sizeof(f));
	f.limit = 100;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (parse_when(optarg, since) < 0)
				goto bad_time;
			f.since = since;
			break;
		case 'u':
			if (parse_when(optarg, until) < 0)
				goto bad_time;
			f.until = until;
			break;
		case 'a':
			f.action = optarg;
			break;
		case 'e':
			f.entity_id = optarg;
			break;
		case 'n':
			if ((f.limit = strtoll(optarg, NULL, 10)) <= 0) {
				usage(stderr);
				return EX_USAGE;
			}
			break;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EX_USAGE;
	}
	if ((rc = open_store(c)) != 0)
		return rc;
	out_init(&o, c->json);
	if (store_list_audit(c->st, &f, collect, &o) < 0) {
		fprintf(stderr, "chansyncctl: %s\n", store_errmsg(c->st));
		out_print(&o, "", 0);
		return EX_IOERR;
	}
	out_print(&o, "no audit rows match", 72);
	return EX_OK;
bad_time:
	fprintf(stderr, "chansyncctl: '%s' is not a time (ISO 8601 like "
	    "2026-11-27T08:00:00Z, a date, or a duration ago like 2h)\n", optarg);
	return EX_USAGE;
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
	struct ctl c;
	const char *cmd;
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
			usage(stdout);
			return EX_OK;
		case 'V':
			printf("chansyncctl %s\n", CHANSYNC_VERSION);
			return EX_OK;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	cmd = argv[optind];
	sub_argc = argc - optind;
	sub_argv = argv + optind;
	c.config_path = config_default_path(c.config_path);
	if ((abspath = realpath(c.config_path, NULL)) != NULL)
		c.config_path = abspath;
	optind = 1;
	if (strcmp(cmd, "reload") == 0) {
		/* the daemon reads, judges and reports the file, even a broken one */
		rc = cmd_reload(&c, sub_argc, sub_argv);
		goto out;
	}
	if ((rc = load_config(&c)) != 0)
		goto out;
	if (strcmp(cmd, "status") == 0 && sub_argc == 1)
		rc = cmd_status(&c);
	else if (strcmp(cmd, "sync") == 0)
		rc = cmd_sync(&c, sub_argc, sub_argv);
	else if (strcmp(cmd, "quarantine") == 0)
		rc = cmd_list(&c, sub_argc, sub_argv, store_list_quarantine, 100,
		    "no quarantined records", 48);
	else if (strcmp(cmd, "registrations") == 0)
		rc = cmd_list(&c, sub_argc, sub_argv, store_list_registrations, 1000,
		    "no registrations", 40);
	else if (strcmp(cmd, "conflicts") == 0)
		rc = cmd_conflicts(&c, sub_argc, sub_argv);
	else if (strcmp(cmd, "conflict") == 0)
		rc = cmd_conflict(&c, sub_argc, sub_argv);
	else if (strcmp(cmd, "alerts") == 0)
		rc = cmd_alerts(&c, sub_argc, sub_argv);
	else if (strcmp(cmd, "scores") == 0)
		rc = cmd_scores(&c, sub_argc, sub_argv);
	else if (strcmp(cmd, "partner") == 0)
		rc = cmd_partner(&c, sub_argc, sub_argv);
	else if (strcmp(cmd, "audit") == 0)
		rc = cmd_audit(&c, sub_argc, sub_argv);
	else {
		fprintf(stderr, "chansyncctl: unknown command '%s'\n", cmd);
		usage(stderr);
		rc = EX_USAGE;
	}
out:
	store_close(c.st);
	free(c.dbpath);
	config_free(c.cfg);
	normalize_shutdown();
	log_clear_secrets();
	free(abspath);
	return rc;
}
