/*
 * ctl_daemon.c - the commands that talk to the running daemon: status,
 * sync, reload.
 */
#include "ctl_internal.h"
#include "lib/clock.h"
#include "lib/control_socket.h"
#include "lib/digest.h"
#include "lib/json.h"
#include "lib/mem.h"
#include "store/store.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

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

/* What status shows, gathered from the daemon and the database. */
struct status {
	struct status_info si;
	pid_t pid;
	int64_t quarantined, audit_rows, writes_queued, writes_failing, head_seq;
	char head[65];
	char *crm_user, *crm_instance;
	int64_t api_used, api_limit;
	struct ctl_out cycles, sources;
};

/* The daemon's own word, when it runs: its state and next cycle. */
static void
ask_daemon(struct ctl *c, struct status *s)
{
	char err[256];
	int fd;

	s->pid = control_daemon_pid(c->cfg->daemon.state_dir);
	if (s->pid < 0) {
		snprintf(s->si.state, sizeof(s->si.state), "unknown");
		fprintf(stderr, "chansyncctl: cannot tell whether chansyncd runs "
		    "on %s: permission denied (run as its user or root)\n",
		    c->cfg->daemon.state_dir);
		s->pid = 0;
		return;
	}
	if (s->pid == 0)
		return;
	fd = control_connect(c->cfg->daemon.state_dir, err, sizeof(err));
	if (fd >= 0) {
		control_request(fd, "status", 5000, status_line, &s->si, err,
		    sizeof(err));
		close(fd);
	}
}

/* The database's side; -1 when it cannot be read (said on stderr). */
static int
read_status(struct ctl *c, struct status *s)
{
	unsigned char h[32];
	char *v;

	s->quarantined = store_count(c->st, "quarantine");
	s->audit_rows = store_count(c->st, "audit");
	s->writes_queued = store_count(c->st, "outbox");
	s->writes_failing = store_outbox_failures(c->st);
	if (store_audit_head(c->st, &s->head_seq, h) == 1)
		hex_encode(h, 32, s->head);
	ctl_out_init(&s->cycles, c->json);
	ctl_out_init(&s->sources, c->json);
	if (store_list_cycles(c->st, 5, ctl_collect, &s->cycles) < 0 ||
	    store_list_sources(c->st, ctl_collect, &s->sources) < 0) {
		fprintf(stderr, "chansyncctl: %s\n", store_errmsg(c->st));
		ctl_out_print(&s->cycles, "", 0);
		ctl_out_print(&s->sources, "", 0);
		return -1;
	}
	if (c->cfg->crm.present) {
		store_meta_get(c->st, "crm_user", &s->crm_user);
		store_meta_get(c->st, "crm_instance", &s->crm_instance);
		if (store_meta_get(c->st, "crm_api_used", &v) == 1) {
			s->api_used = strtoll(v, NULL, 10);
			free(v);
		}
		if (store_meta_get(c->st, "crm_api_limit", &v) == 1) {
			s->api_limit = strtoll(v, NULL, 10);
			free(v);
		}
	}
	return 0;
}

static void
status_json(struct ctl *c, struct status *s)
{
	struct jval *o = jv_object(), *dm = jv_object(), *au = jv_object();
	char *text;

	if (c->cfg->crm.present) {
		struct jval *crm = jv_object();

		jv_set_str(crm, "user", s->crm_user);
		jv_set_str(crm, "instance_url", s->crm_instance);
		jv_set(crm, "api_used", s->api_used >= 0 ? jv_int(s->api_used) :
		    jv_null());
		jv_set(crm, "api_limit", s->api_limit > 0 ? jv_int(s->api_limit) :
		    jv_null());
		jv_set_int(crm, "api_budget_percent", c->cfg->crm.api_budget_percent);
		jv_set(o, "crm", crm);
	}
	jv_set(dm, "running", jv_bool(s->pid != 0));
	jv_set(dm, "pid", s->pid ? jv_int(s->pid) : jv_null());
	jv_set_str(dm, "state", s->pid ? (s->si.state[0] ? s->si.state :
	    "unknown") : "stopped");
	jv_set(dm, "next_cycle_in", s->si.next_in >= 0 ? jv_int(s->si.next_in) :
	    jv_null());
	jv_set(dm, "interval", s->si.interval > 0 ? jv_int(s->si.interval) :
	    jv_null());
	jv_set(o, "daemon", dm);
	jv_set_str(o, "config", c->config_path);
	jv_set_str(o, "database", c->dbpath);
	jv_set(o, "cycles", s->cycles.arr);
	jv_set(o, "sources", s->sources.arr);
	if (ctl_queue_status(c, o) < 0)
		jv_set(o, "approvals", jv_null());
	if (ctl_outbox_status(c, o) < 0)
		jv_set(o, "notifications", jv_null());
	jv_set_int(o, "quarantined", s->quarantined);
	jv_set_int(o, "writes_queued", s->writes_queued);
	jv_set_int(o, "writes_failing", s->writes_failing);
	jv_set_int(au, "rows", s->audit_rows);
	jv_set_int(au, "head_seq", s->head_seq);
	jv_set_str(au, "head_hash", s->head[0] ? s->head : NULL);
	jv_set(o, "audit", au);
	text = jv_dump_pretty(o);
	printf("%s\n", text);
	free(text);
	jv_free(o);
}

static void
status_text(struct ctl *c, struct status *s)
{
	const struct config *cfg = c->cfg;

	if (s->pid)
		printf("chansyncd:   running (pid %ld), %s", (long)s->pid,
		    s->si.state[0] ? s->si.state : "not answering");
	else
		printf("chansyncd:   not running");
	if (s->pid && s->si.next_in >= 0)
		printf(", next cycle in %lldm %llds", s->si.next_in / 60,
		    s->si.next_in % 60);
	printf("\nconfig:      %s\ndatabase:    %s\n", c->config_path, c->dbpath);
	if (cfg->crm.present) {
		printf("crm:         %s at %s", s->crm_user ? s->crm_user :
		    "(not logged in yet)", s->crm_instance ? s->crm_instance :
		    cfg->crm.login_url);
		if (s->api_limit > 0)
			printf("; API usage %lld/%lld (%lld%%, budget %lld%%%s)",
			    (long long)s->api_used, (long long)s->api_limit,
			    (long long)(s->api_used * 100 / s->api_limit),
			    (long long)cfg->crm.api_budget_percent,
			    s->api_used * 100 >= s->api_limit *
			    cfg->crm.api_budget_percent ?
			    ": reached, CRM calls paused" : "");
		printf("\n");
	}
	printf("quarantine:  %lld record%s\n", (long long)s->quarantined,
	    s->quarantined == 1 ? "" : "s");
	if (s->writes_queued > 0)
		printf("write-back:  %lld CRM write%s queued, %lld refused by the CRM "
		    "(retried each cycle; chansyncctl audit --action crm.write_failed)\n",
		    (long long)s->writes_queued, s->writes_queued == 1 ? "" : "s",
		    (long long)s->writes_failing);
	printf("audit:       %lld rows, head %lld %.16s\n\n",
	    (long long)s->audit_rows, (long long)s->head_seq,
	    s->head[0] ? s->head : "-");
	if (ctl_queue_status(c, NULL) < 0)
		printf("approvals:   unreadable: %s\n", store_errmsg(c->st));
	printf("\nrecent cycles:\n");
	ctl_out_print(&s->cycles, "  (none yet)", 0);
	printf("\nsources:\n");
	ctl_out_print(&s->sources, "  (none has run yet)", 60);
	if (c->cfg->notify.present && ctl_outbox_status(c, NULL) < 0)
		printf("notifications: unreadable: %s\n", store_errmsg(c->st));
}

int
ctl_cmd_status(struct ctl *c, int argc, char **argv)
{
	struct status s;
	int rc;

	(void)argv;
	if (argc > 1) {
		ctl_usage(stderr);
		return EX_USAGE;
	}
	memset(&s, 0, sizeof(s));
	s.si.next_in = -1;
	s.api_used = s.api_limit = -1;
	ask_daemon(c, &s);
	if ((rc = ctl_open_store(c)) != 0) {
		if (!c->json)
			printf("chansyncd: %s\n", s.pid ? "running" : "not running");
		return rc;
	}
	if (read_status(c, &s) < 0)
		rc = EX_IOERR;
	else if (c->json)
		status_json(c, &s);
	else
		status_text(c, &s);
	free(s.crm_user);
	free(s.crm_instance);
	return rc ? rc : EX_OK;
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

int
ctl_cmd_sync(struct ctl *c, int argc, char **argv)
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
		else if (ch == 't' && ctl_parse_secs(optarg, &timeout) == 0)
			;
		else {
			ctl_usage(stderr);
			return EX_USAGE;
		}
	}
	if (!wait) {
		pid = control_daemon_pid(c->cfg->daemon.state_dir);
		if (pid < 0) {
			fprintf(stderr, "chansyncctl: cannot reach chansyncd on %s: "
			    "permission denied (run as its user or root)\n",
			    c->cfg->daemon.state_dir);
			return EX_NOPERM;
		}
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

int
ctl_cmd_reload(struct ctl *c, int argc, char **argv)
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
		if (ch == 't' && ctl_parse_secs(optarg, &timeout) == 0)
			continue;
		ctl_usage(stderr);
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
		int e = errno;

		fprintf(stderr, "chansyncctl: %s\n", err);
		return e == EACCES || e == EPERM ? EX_NOPERM : EX_UNAVAILABLE;
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
		/* the daemon was busy, not the file wrong: try again later */
		return strncmp(r.final, CONTROL_BUSY, strlen(CONTROL_BUSY)) == 0 ?
		    EX_TEMPFAIL : EX_CONFIG;
	}
	printf("configuration reloaded (sha256 %s)\n", r.final);
	return EX_OK;
}

/* The last line of an answer: "ok" or "error", with its text. */
struct final {
	char text[CONTROL_LINE_MAX];
};

static void
final_line(void *ctx, const char *kind, const char *text)
{
	struct final *f = ctx;

	if (strcmp(kind, "ok") == 0 || strcmp(kind, "error") == 0)
		snprintf(f->text, sizeof(f->text), "%s", text);
}

int
ctl_daemon_ask(struct ctl *c, const char *req, int timeout_ms,
    const char *why)
{
	struct final f;
	char err[512];
	int fd, rc;

	fd = control_connect(c->cfg->daemon.state_dir, err, sizeof(err));
	if (fd < 0) {
		int e = errno;

		fprintf(stderr, "chansyncctl: %s (%s: start it first)\n", err, why);
		return e == EACCES || e == EPERM ? EX_NOPERM : EX_UNAVAILABLE;
	}
	memset(&f, 0, sizeof(f));
	rc = control_request(fd, req, timeout_ms, final_line, &f, err,
	    sizeof(err));
	close(fd);
	if (rc < 0) {
		fprintf(stderr, "chansyncctl: %s\n", err);
		return EX_TEMPFAIL;
	}
	if (rc == 1) {
		fprintf(stderr, "chansyncctl: %s\n", f.text);
		return strncmp(f.text, CONTROL_BUSY, strlen(CONTROL_BUSY)) == 0 ?
		    EX_TEMPFAIL : EX_DATAERR;
	}
	printf("%s\n", f.text);
	return EX_OK;
}
