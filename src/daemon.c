/*
 * daemon.c - the main loop and what the signals and control requests do.
 */
#include "daemon.h"
#include "pass_notify.h"
#include "decisions.h"
#include "store/audit.h"
#include "lib/clock.h"
#include "lib/control_socket.h"
#include "rules/conflicts.h"
#include "cycle.h"
#include "crm/crm_check.h"
#include "lib/digest.h"
#include "lib/http.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "lib/notify.h"
#include "model/normalize.h"
#include "crm/salesforce.h"
#include "sources/watermarks.h"
#include "store/store.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#define MAX_CLIENTS 16

enum waiting { WAIT_NONE, WAIT_RELOAD, WAIT_SYNC };

struct client {
	int fd;
	struct buf in;
	enum waiting waiting;
	uint64_t sync_target;	/* answered once this many cycles have ended */
	char operator[64];	/* the Unix user on the other end */
};

struct daemon {
	struct config *cfg;
	const char *config_path;
	int once, dry_run;
	struct store *st;
	struct audit *au;
	struct http *http;
	struct sf *sf;			/* NULL without a crm: section */
	struct conflicts *conflicts;	/* the conflict index, kept across cycles */
	int sfd, lfd, pidfd;
	struct client clients[MAX_CLIENTS];
	size_t nclients;
	int stop, reload_pending, sync_signal, sync_ctl;
	int in_cycle;
	uint64_t cycles_started, cycles_done;
	int64_t *last_run;
	uint64_t next_cycle;		/* monotonic usec */
	uint64_t last_cycle_start;	/* monotonic usec */
	char last_summary[256];
	enum cycle_status last_status;
	int last_store_failed;
	char stop_reason[64];
};

static uint64_t
jitter_usec(const struct config *cfg)
{
	uint64_t r = 0;

	if (cfg->daemon.jitter <= 0 || random_bytes(&r, sizeof(r)) < 0)
		return 0;
	return r % ((uint64_t)cfg->daemon.jitter * 1000000u + 1);
}

static void
schedule_next(struct daemon *d)
{
	d->next_cycle = d->last_cycle_start +
	    (uint64_t)d->cfg->daemon.interval * 1000000u + jitter_usec(d->cfg);
}

static const char *
signame(uint32_t sig)
{
	switch (sig) {
	case SIGTERM: return "SIGTERM";
	case SIGINT: return "SIGINT";
	case SIGHUP: return "SIGHUP";
	case SIGUSR1: return "SIGUSR1";
	default: return "signal";
	}
}

/* Reads every pending signal; never blocks. */
static void
read_signals(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			if (!d->stop) {
				d->stop = 1;
				snprintf(d->stop_reason, sizeof(d->stop_reason),
				    "%s from pid %u", signame(si.ssi_signo),
				    si.ssi_pid);
				notify_stopping();
				log_notice("received %s from pid %u; stopping%s",
				    signame(si.ssi_signo), si.ssi_pid, d->in_cycle ?
				    " after rolling back the unit of work in progress" :
				    "");
			}
			break;
		case SIGHUP:
			d->reload_pending = 1;
			if (d->in_cycle)
				log_info("SIGHUP received during a cycle; reloading "
				    "when it ends");
			break;
		case SIGUSR1:
			if (d->in_cycle && !d->sync_signal)
				log_info("SIGUSR1 received during a cycle; another "
				    "cycle follows this one");
			d->sync_signal = 1;
			break;
		default:
			break;
		}
	}
}

/* The cycle's callback between units of work. */
static int
tick(void *arg)
{
	struct daemon *d = arg;

	read_signals(d);
	notify_watchdog_ping();
	return d->stop;
}

static void
client_close(struct daemon *d, size_t i)
{
	close(d->clients[i].fd);
	buf_free(&d->clients[i].in);
	d->clients[i] = d->clients[--d->nclients];
}

static char *
fmt_duration(int64_t s)
{
	if (s >= 86400 && s % 86400 == 0)
		return xasprintf("%lldd", (long long)(s / 86400));
	if (s >= 3600 && s % 3600 == 0)
		return xasprintf("%lldh", (long long)(s / 3600));
	if (s >= 60 && s % 60 == 0)
		return xasprintf("%lldm", (long long)(s / 60));
	return xasprintf("%llds", (long long)s);
}

static void
set_idle_status(struct daemon *d)
{
	uint64_t now = clock_monotonic_usec();
	int64_t in = d->next_cycle > now ?
	    (int64_t)((d->next_cycle - now) / 1000000u) : 0;
	char *next = fmt_duration(in);

	notify_status("idle; %s; next cycle in %s", d->last_summary[0] ?
	    d->last_summary : "no cycle yet", next);
	free(next);
}

/* The daemon's parts as a cycle (or a request between cycles) uses them. */
static void
env_of(struct daemon *d, struct cycle_env *env)
{
	memset(env, 0, sizeof(*env));
	env->cfg = d->cfg;
	env->st = d->st;
	env->au = d->au;
	env->tick = tick;
	env->tick_arg = d;
	env->http = d->http;
	env->sf = d->sf;
	env->conflicts = d->conflicts;
	env->dry_run = d->dry_run;
	env->last_run = d->last_run;
}

static void
run_cycle(struct daemon *d, const char *trigger, int force)
{
	struct cycle_env env;
	struct cycle_result res;
	size_t i;

	d->cycles_started++;
	d->last_cycle_start = clock_monotonic_usec();
	d->in_cycle = 1;
	notify_status("cycle running (%s)", trigger);
	env_of(d, &env);
	if (cycle_run(&env, trigger, force, &res) < 0)
		log_err("%s", res.summary);
	d->in_cycle = 0;
	d->cycles_done++;
	snprintf(d->last_summary, sizeof(d->last_summary), "%s", res.summary);
	d->last_status = res.status;
	d->last_store_failed = res.store_failed;
	schedule_next(d);
	for (i = 0; i < d->nclients;) {
		struct client *c = &d->clients[i];

		if (c->waiting == WAIT_SYNC && d->cycles_done >= c->sync_target) {
			control_reply(c->fd, res.status == CYCLE_OK ? "ok" : "error",
			    "%s", res.summary);
			client_close(d, i);
		} else
			i++;
	}
	if (!d->once)
		set_idle_status(d);
}

static void
reply_reload(struct daemon *d, const char *kind, const char *text)
{
	size_t i;

	for (i = 0; i < d->nclients;) {
		if (d->clients[i].waiting == WAIT_RELOAD) {
			control_reply(d->clients[i].fd, kind, "%s", text);
			if (strcmp(kind, "ok") == 0 || strcmp(kind, "error") == 0) {
				client_close(d, i);
				continue;
			}
		}
		i++;
	}
}

/* Maps last_run times of sources kept across a reload, by name. */
static int64_t *
carry_last_run(const struct config *old, const int64_t *last,
    const struct config *new)
{
	int64_t *v = xcalloc(new->nsources ? new->nsources : 1, sizeof(*v));
	size_t i, j;

	for (i = 0; i < new->nsources; i++)
		for (j = 0; j < old->nsources; j++)
			if (strcmp(new->sources[i].name, old->sources[j].name) == 0)
				v[i] = last[j];
	return v;
}

static void
do_reload(struct daemon *d)
{
	struct diags dg;
	struct config *new;
	struct jval *detail, *errs;
	size_t i;

	d->reload_pending = 0;
	notify_reloading();
	log_info("reloading %s", d->config_path);
	diags_init(&dg, d->config_path);
	new = config_load(d->config_path, 0, &dg);
	if (new == NULL) {
		char *first = dg.n ? diags_format(&dg, 0) : xstrdup("unknown error");

		errs = jv_array();
		for (i = 0; i < dg.n; i++) {
			char *s = diags_format(&dg, i);

			log_event(LOG_ERR, MSGID_CONFIG_REJECTED, NULL, "%s", s);
			jv_append(errs, jv_str(s));
			reply_reload(d, "diag", s);
			free(s);
		}
		log_err("configuration %s rejected (%zu error%s); still running "
		    "the previous one", d->config_path, dg.n, dg.n == 1 ? "" : "s");
		detail = jv_object();
		jv_set_str(detail, "path", d->config_path);
		jv_set(detail, "errors", errs);
		jv_set_str(detail, "running_sha256", d->cfg->sha256);
		if (audit_log(d->au, 0, "config.rejected", "config",
		    d->config_path, detail) < 0)
			log_err("audit: %s", store_errmsg(d->st));
		notify_ready("reload failed; running the previous configuration");
		notify_status("reload failed: %s", first);
		reply_reload(d, "error", "configuration rejected; chansyncd keeps "
		    "running the previous one");
		free(first);
		diags_free(&dg);
		return;
	}
	diags_free(&dg);
	if (strcmp(new->daemon.state_dir, d->cfg->daemon.state_dir) != 0) {
		log_warning("daemon.state_dir changed to %s: that needs a restart; "
		    "still using %s", new->daemon.state_dir,
		    d->cfg->daemon.state_dir);
		reply_reload(d, "info", "daemon.state_dir changes need a restart");
		free(new->daemon.state_dir);
		new->daemon.state_dir = xstrdup(d->cfg->daemon.state_dir);
	}
	{
		int64_t *lr = carry_last_run(d->cfg, d->last_run, new);
		struct config *old = d->cfg;

		free(d->last_run);
		d->last_run = lr;
		detail = jv_object();
		jv_set_str(detail, "path", d->config_path);
		jv_set_str(detail, "sha256", new->sha256);
		jv_set_str(detail, "previous_sha256", old->sha256);
		jv_set(detail, "reload", jv_bool(1));
		d->cfg = new;
		/* matching rules may have changed: the index is built again */
		conflicts_free(d->conflicts);
		d->conflicts = conflicts_new();
		audit_set_key(d->au, new->audit.hmac_key_value);
		if (new->crm.present && d->sf)
			sf_set_config(d->sf, new);
		else if (new->crm.present)
			d->sf = sf_new(new, d->http);
		else {
			sf_free(d->sf);
			d->sf = NULL;
		}
		config_free(old);
	}
	log_set_level(d->cfg->daemon.log_level);
	if (d->cycles_started)
		schedule_next(d);
	if (audit_log(d->au, 0, "config.loaded", "config", d->config_path,
	    detail) < 0)
		log_err("audit: %s", store_errmsg(d->st));
	log_event(LOG_NOTICE, MSGID_CONFIG_LOADED, NULL, "configuration %s "
	    "reloaded (sha256 %s)", d->config_path, d->cfg->sha256);
	notify_ready("reloaded");
	set_idle_status(d);
	reply_reload(d, "ok", d->cfg->sha256);
}

/* The Unix user on the other end of a control connection (its peer
 * credentials), as the audit log names an operator. */
static void
peer_user(int fd, char *out, size_t len)
{
	struct ucred cr;
	socklen_t n = sizeof(cr);
	struct passwd pw, *res = NULL;
	char buf[1024];

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &n) < 0) {
		snprintf(out, len, "unknown");
		return;
	}
	if (getpwuid_r(cr.uid, &pw, buf, sizeof(buf), &res) == 0 && res)
		snprintf(out, len, "%s", res->pw_name);
	else
		snprintf(out, len, "uid %ld", (long)cr.uid);
}

/* Answers an operator's request by what its function returned: 0 done
 * (logged), 1 refused, -1 failed (logged as an error). */
static void
answer(struct daemon *d, size_t i, int rc, const char *what, const char *msg)
{
	if (rc < 0)
		log_err("%s: %s", what, msg);
	else if (rc == 0)
		log_notice("%s", msg);
	control_reply(d->clients[i].fd, rc == 0 ? "ok" : "error", "%s", msg);
}

/* "decide KEY\tWINNER\tSEEN\tREASON" (WINNER "-": reopen): stored and
 * audited before it is answered; between cycles, like every request. */
static void
decide(struct daemon *d, size_t i, char *args)
{
	const char *key, *winner, *seen, *reason;
	char msg[512];
	int rc;

	if (decision_parse(args, &key, &winner, &seen, &reason) < 0) {
		control_reply(d->clients[i].fd, "error", "decide needs a conflict "
		    "key, a winner or -, a time or -, and a reason of at most %d "
		    "bytes, tab-separated", DECISION_REASON_MAX);
	} else {
		rc = decision_make(d->st, d->au, key, winner, reason,
		    d->clients[i].operator, seen, msg, sizeof(msg));
		answer(d, i, rc, "decision on a conflict", msg);
	}
	client_close(d, i);
}

/* "possible KEY\tconfirm|reject\tREASON": an operator's word on a
 * possible match, stored and audited before it is answered. */
static void
possible_request(struct daemon *d, size_t i, char *args)
{
	char *what = strchr(args, '\t'), *reason = NULL, msg[512];
	int rc;

	if (what) {
		*what++ = '\0';
		if ((reason = strchr(what, '\t')) != NULL)
			*reason++ = '\0';
	}
	if (what == NULL || reason == NULL || *args == '\0' || *reason == '\0' ||
	    (strcmp(what, "confirm") != 0 && strcmp(what, "reject") != 0) ||
	    strlen(reason) > DECISION_REASON_MAX) {
		control_reply(d->clients[i].fd, "error", "possible needs a key, "
		    "confirm or reject, and a reason of at most %d bytes, "
		    "tab-separated", DECISION_REASON_MAX);
	} else {
		rc = decision_possible(d->st, d->au, args, strcmp(what, "confirm")
		    == 0, reason, d->clients[i].operator, msg, sizeof(msg));
		answer(d, i, rc, "possible match", msg);
	}
	client_close(d, i);
}

/* "digest OWNER": that owner's digest queued and sent now (chansyncctl
 * digest --send), between cycles like every request. */
static void
digest_request(struct daemon *d, size_t i, const char *who)
{
	struct cycle_env env;
	char msg[512];
	int rc;

	env_of(d, &env);
	if (*who == '\0')
		control_reply(d->clients[i].fd, "error", "digest needs an owner");
	else if (d->dry_run || d->cfg->daemon.dry_run)
		control_reply(d->clients[i].fd, "error", "the daemon runs dry: "
		    "nothing is sent");
	else if ((rc = pass_notify_digest_now(&env, who, 0, msg, sizeof(msg))) != 0) {
		if (rc < 0)
			log_err("digest for %s: %s", who, msg);
		control_reply(d->clients[i].fd, "error", "%s", msg);
	} else {
		log_notice("%s (asked by %s)", msg, d->clients[i].operator);
		control_reply(d->clients[i].fd, "ok", "%s", msg);
	}
	client_close(d, i);
}

/* "reset-watermark NAME [TIME]": requests are read between cycles, so no
 * source is reading while its watermark changes. */
static void
reset_watermark(struct daemon *d, size_t i, const char *args)
{
	char name[128], to[64], msg[512];
	int n = sscanf(args, "%127s %63s", name, to);

	if (n < 1) {
		control_reply(d->clients[i].fd, "error", "reset-watermark needs "
		    "a source name");
	} else if (watermark_reset(d->cfg, d->st, d->au, name, n == 2 ? to :
	    NULL, msg, sizeof(msg)) < 0) {
		log_warning("watermark reset of %s refused: %s", name, msg);
		control_reply(d->clients[i].fd, "error", "%s", msg);
	} else {
		log_notice("watermark reset by chansyncctl: %s", msg);
		control_reply(d->clients[i].fd, "ok", "%s", msg);
	}
	client_close(d, i);
}

static void
handle_request(struct daemon *d, size_t i, const char *line)
{
	struct client *c = &d->clients[i];

	if (strcmp(line, "reload") == 0) {
		c->waiting = WAIT_RELOAD;
		d->reload_pending = 1;
	} else if (strcmp(line, "sync") == 0) {
		c->waiting = WAIT_SYNC;
		/* served by the next cycle to start */
		c->sync_target = d->cycles_started + 1;
		d->sync_ctl = 1;
	} else if (strcmp(line, "status") == 0) {
		uint64_t now = clock_monotonic_usec();

		control_reply(c->fd, "info", "pid %ld", (long)getpid());
		control_reply(c->fd, "info", "config %s sha256 %s",
		    d->config_path, d->cfg->sha256);
		control_reply(c->fd, "info", "interval %lld jitter %lld",
		    (long long)d->cfg->daemon.interval,
		    (long long)d->cfg->daemon.jitter);
		control_reply(c->fd, "info", "next_cycle_in %lld",
		    d->next_cycle > now ?
		    (long long)((d->next_cycle - now) / 1000000u) : 0LL);
		control_reply(c->fd, "info", "dry_run %d",
		    d->dry_run || d->cfg->daemon.dry_run);
		control_reply(c->fd, "ok", "%s", d->in_cycle ? "syncing" : "idle");
		client_close(d, i);
	} else if (strncmp(line, "reset-watermark ", 16) == 0) {
		reset_watermark(d, i, line + 16);
	} else if (strncmp(line, "decide ", 7) == 0) {
		decide(d, i, (char *)line + 7);
	} else if (strncmp(line, "possible ", 9) == 0) {
		possible_request(d, i, (char *)line + 9);
	} else if (strncmp(line, "digest ", 7) == 0) {
		digest_request(d, i, line + 7);
	} else {
		control_reply(c->fd, "error", "unknown request; expected reload, "
		    "sync, status, reset-watermark, decide, possible or digest");
		client_close(d, i);
	}
}

static void
client_read(struct daemon *d, size_t i)
{
	struct client *c = &d->clients[i];
	char chunk[512], *nl;
	ssize_t n = read(c->fd, chunk, sizeof(chunk));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || buf_add(&c->in, chunk, (size_t)n) < 0) {
		client_close(d, i);
		return;
	}
	if (c->waiting == WAIT_NONE && (nl = memchr(c->in.data, '\n', c->in.len))) {
		*nl = '\0';
		handle_request(d, i, c->in.data);
	}
}

static void
accept_clients(struct daemon *d)
{
	int fd;

	while ((fd = accept4(d->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (d->nclients == MAX_CLIENTS) {
			control_reply(fd, "error", CONTROL_BUSY " too many clients; "
			    "try again");
			close(fd);
			continue;
		}
		d->clients[d->nclients].fd = fd;
		peer_user(fd, d->clients[d->nclients].operator,
		    sizeof(d->clients[d->nclients].operator));
		buf_init(&d->clients[d->nclients].in, CONTROL_LINE_MAX);
		d->clients[d->nclients].waiting = WAIT_NONE;
		d->nclients++;
	}
}

static void
loop(struct daemon *d)
{
	while (!d->stop) {
		struct pollfd p[2 + MAX_CLIENTS];
		uint64_t now;
		int64_t timeout;
		size_t i, n = 0, nc;

		if (d->reload_pending) {
			do_reload(d);
			continue;
		}
		now = clock_monotonic_usec();
		if (d->sync_signal || d->sync_ctl || now >= d->next_cycle) {
			const char *trigger = d->cycles_started == 0 ? "startup" :
			    d->sync_signal ? "signal" : d->sync_ctl ? "ctl" :
			    "schedule";
			int force = d->sync_signal || d->sync_ctl ||
			    d->cycles_started == 0;

			d->sync_signal = d->sync_ctl = 0;
			run_cycle(d, trigger, force);
			continue;
		}
		timeout = (int64_t)((d->next_cycle - now + 999) / 1000);
		if (timeout > notify_watchdog_due_ms())
			timeout = notify_watchdog_due_ms();
		p[n].fd = d->sfd;
		p[n++].events = POLLIN;
		p[n].fd = d->lfd;
		p[n++].events = POLLIN;
		nc = d->nclients;
		for (i = 0; i < nc; i++) {
			p[n].fd = d->clients[i].fd;
			p[n++].events = POLLIN;
		}
		if (poll(p, n, (int)timeout) < 0 && errno != EINTR) {
			log_err("poll: %s", strerror(errno));
			d->stop = 1;
			break;
		}
		if (p[0].revents & POLLIN)
			read_signals(d);
		if (p[1].revents & POLLIN)
			accept_clients(d);
		/* clients in reverse: closing one moves the last into its slot */
		for (i = nc; i-- > 0;)
			if (p[2 + i].revents & (POLLIN | POLLHUP | POLLERR))
				client_read(d, i);
		notify_watchdog_ping();
	}
}

static int
ensure_state_dir(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			log_err("daemon.state_dir %s is not a directory", dir);
			return -1;
		}
		return 0;
	}
	if (mkdir(dir, 0750) < 0) {
		log_err("cannot create daemon.state_dir %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * What this process may write: the state directory must be writable, and
 * under the hardened unit the system is not (ProtectSystem=strict makes
 * /usr and /etc read-only, ProtectHome hides /home and /root). One line
 * at start, so an operator (and the T17 test) can see the sandbox hold.
 */
/*
 * 0 when this process can create a file in dir, else the errno. root asks
 * access(2), which answers EROFS for a read-only mount without touching
 * anything; another user's access(2) would answer EACCES first, so it
 * creates (and at once removes) a probe file, which a read-only mount
 * refuses with EROFS.
 */
static int
probe_write(const char *dir)
{
	char p[PATH_MAX];
	int fd;

	if (geteuid() == 0)
		return access(dir, W_OK) == 0 ? 0 : errno;
	snprintf(p, sizeof(p), "%s/.chansyncd-probe-%ld", dir, (long)getpid());
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return errno;
	close(fd);
	unlink(p);
	return 0;
}

static void
log_write_access(const char *state_dir)
{
	static const char *const dirs[] = { "/usr", "/etc", "/home", "/root" };
	struct buf b;
	size_t i;
	int e;

	buf_init(&b, 0);
	e = probe_write(state_dir);
	buf_addf(&b, "write access: %s %s", state_dir, e == 0 ? "writable" :
	    strerror(e));
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if ((e = probe_write(dirs[i])) == 0)
			buf_addf(&b, "; %s writable", dirs[i]);
		else
			buf_addf(&b, "; %s not writable (%s)", dirs[i], strerror(e));
	}
	log_info("%s", buf_str(&b));
	buf_free(&b);
}

/*
 * PRAGMA quick_check before anything reads or writes: a database with
 * damaged pages would otherwise be read as data, and the audit chain over
 * it reported as tampered. A damaged file stops the daemon (EX_IOERR) with
 * what SQLite found; the operator restores it or moves it aside. The
 * check reads every page (about 3 s for a million opportunities), so the
 * daemon makes it at every start, and a --once run (a timer's, every few
 * minutes) when the last check is more than a day old.
 */
static int
check_database(struct daemon *d)
{
	char err[512], now[CLOCK_ISO_LEN], *last = NULL;
	uint64_t t0 = clock_monotonic_usec();
	int64_t when;

	if (d->once && store_meta_get(d->st, "quick_check_at", &last) == 1 &&
	    norm_time(last, TIME_ISO8601, &when) == 0 &&
	    clock_now() - when < 86400) {
		log_info("database checked at %s; a --once run checks it again "
		    "a day later", last);
		free(last);
		return EX_OK;
	}
	free(last);
	if (store_quick_check(d->st, err, sizeof(err))) {
		log_err("the database %s/%s is damaged (%s); chansyncd will not "
		    "use it: restore it from a backup, or move it aside to start "
		    "over from the sources", d->cfg->daemon.state_dir,
		    STORE_DB_NAME, err);
		notify_fatal(EIO, "the database is damaged");
		return EX_IOERR;
	}
	clock_now_iso(now);
	if (store_meta_set(d->st, "quick_check_at", now) < 0)
		log_warning("cannot note the database check: %s",
		    store_errmsg(d->st));
	log_info("database checked in %llu ms",
	    (unsigned long long)(clock_monotonic_usec() - t0) / 1000);
	return EX_OK;
}

/*
 * The org checked against the configuration before the first cycle
 * (crm.preflight): each problem logged with its configuration key; with
 * strict, one that blocks a read or a write stops the start (78). An org
 * that cannot be asked now is left to the first cycle. Not with --once:
 * a cron job would pay the describes on every run (chansyncctl crm
 * check is its check).
 */
static int
preflight(struct daemon *d)
{
	struct crm_check out;
	struct sf_error e;
	struct jval *detail;
	size_t i, blocking = 0;

	memset(&e, 0, sizeof(e));
	if (crm_check_run(d->cfg, d->sf, &out, &e) < 0) {
		log_warning("preflight: the org could not be checked (%s%s%s); the "
		    "first cycle tries the CRM again", e.code[0] ? e.code : "",
		    e.code[0] ? ": " : "", e.message);
		return EX_OK;
	}
	for (i = 0; i < out.n; i++) {
		char *m = crm_problem_format(d->cfg, &out.v[i]);

		log_warning("preflight: %s", m);
		free(m);
		blocking += out.v[i].blocks != 0;
	}
	log_info("preflight: %zu objects described, %zu fields checked, %zu "
	    "problem%s", out.objects, out.fields, out.n, out.n == 1 ? "" : "s");
	detail = jv_object();
	jv_set_int(detail, "objects", (int64_t)out.objects);
	jv_set_int(detail, "fields", (int64_t)out.fields);
	jv_set_int(detail, "problems", (int64_t)out.n);
	jv_set_int(detail, "blocking", (int64_t)blocking);
	crm_check_free(&out);
	if (audit_log(d->au, 0, "crm.preflight", "crm", NULL, detail) < 0)
		return EX_IOERR;
	if (blocking && d->cfg->crm.preflight == PREFLIGHT_STRICT) {
		log_err("preflight: %zu problem%s block reads or writes and "
		    "crm.preflight is strict: not starting (chansyncctl crm check "
		    "lists them)", blocking, blocking == 1 ? "" : "s");
		notify_fatal(EINVAL, "the CRM org lacks what the configuration needs");
		return EX_CONFIG;
	}
	return EX_OK;
}

/*
 * The daemon's parts: the state directory and its lock, the database,
 * the audit log's start, the clients, the control socket. Returns
 * EX_OK, or the exit status to stop with (logged).
 */
static int
daemon_open(struct daemon *d)
{
	struct jval *detail;
	char err[1024], *dbpath;
	pid_t other = 0;
	int n, rc;

	if (ensure_state_dir(d->cfg->daemon.state_dir) < 0)
		return EX_CANTCREAT;
	d->pidfd = control_pidfile_lock(d->cfg->daemon.state_dir, &other, err,
	    sizeof(err));
	if (d->pidfd == -1) {
		log_err("another chansyncd (pid %ld) is running on %s",
		    (long)other, d->cfg->daemon.state_dir);
		return EX_TEMPFAIL;
	} else if (d->pidfd < 0) {
		log_err("%s", err);
		return EX_CANTCREAT;
	}
	dbpath = xasprintf("%s/%s", d->cfg->daemon.state_dir, STORE_DB_NAME);
	d->st = store_open(dbpath, STORE_RW, err, sizeof(err));
	free(dbpath);
	if (d->st == NULL) {
		log_err("cannot open the database: %s", err);
		notify_fatal(EIO, "cannot open the database");
		return EX_IOERR;
	}
	if ((rc = check_database(d)) != EX_OK)
		return rc;
	d->au = audit_new(d->st, "chansyncd", d->cfg->audit.hmac_key_value);
	d->http = http_new(tick, d);
	d->conflicts = conflicts_new();
	if (d->cfg->crm.present)
		d->sf = sf_new(d->cfg, d->http);
	clock_now_iso(err);
	if ((n = store_cycles_interrupted(d->st, err)) > 0)
		log_notice("%d cycle%s interrupted by an earlier stop or crash",
		    n, n == 1 ? " was" : "s were");
	detail = jv_object();
	jv_set_str(detail, "version", CHANSYNC_VERSION);
	jv_set_int(detail, "pid", getpid());
	jv_set(detail, "once", jv_bool(d->once));
	jv_set(detail, "dry_run", jv_bool(d->dry_run || d->cfg->daemon.dry_run));
	if (audit_log(d->au, 0, "daemon.start", "daemon", NULL, detail) < 0) {
		log_err("cannot write the audit log: %s", store_errmsg(d->st));
		return EX_IOERR;
	}
	detail = jv_object();
	jv_set_str(detail, "path", d->config_path);
	jv_set_str(detail, "sha256", d->cfg->sha256);
	if (audit_log(d->au, 0, "config.loaded", "config", d->config_path,
	    detail) < 0) {
		log_err("cannot write the audit log: %s", store_errmsg(d->st));
		return EX_IOERR;
	}
	if (!d->once && d->sf && d->cfg->crm.preflight != PREFLIGHT_OFF &&
	    (rc = preflight(d)) != EX_OK)
		return rc;
	if (!d->once) {
		d->lfd = control_listen(d->cfg->daemon.state_dir, err, sizeof(err));
		if (d->lfd < 0) {
			log_err("%s", err);
			return EX_CANTCREAT;
		}
	}
	return EX_OK;
}

/* Everything daemon_open made, in reverse. */
static void
daemon_close(struct daemon *d)
{
	size_t i;

	for (i = d->nclients; i-- > 0;)
		client_close(d, i);
	if (d->lfd >= 0) {
		char *sp = xasprintf("%s/%s", d->cfg->daemon.state_dir,
		    CONTROL_SOCKET);

		close(d->lfd);
		unlink(sp);
		free(sp);
	}
	sf_free(d->sf);
	conflicts_free(d->conflicts);
	http_free(d->http);
	audit_free(d->au);
	store_close(d->st);
	if (d->pidfd >= 0)
		close(d->pidfd);
	free(d->last_run);
	config_free(d->cfg);
}

int
daemon_run(struct daemon_opts *o)
{
	struct daemon d;
	struct jval *detail;
	int rc;

	memset(&d, 0, sizeof(d));
	d.cfg = o->cfg;
	d.config_path = o->config_path;
	d.once = o->once;
	d.dry_run = o->dry_run;
	d.sfd = o->sfd;
	d.lfd = -1;
	d.pidfd = -1;
	d.last_run = xcalloc(d.cfg->nsources ? d.cfg->nsources : 1,
	    sizeof(*d.last_run));
	if ((rc = daemon_open(&d)) != EX_OK)
		goto out;
	{
		const char *fields[2];
		char *f0 = xasprintf("CHANSYNC_CONFIG_SHA256=%s", d.cfg->sha256);

		fields[0] = f0;
		fields[1] = NULL;
		log_event(LOG_NOTICE, MSGID_DAEMON_START, fields,
		    "chansyncd %s started (config %s, state %s%s)",
		    CHANSYNC_VERSION, d.config_path, d.cfg->daemon.state_dir,
		    d.dry_run || d.cfg->daemon.dry_run ? ", dry run" : "");
		free(f0);
	}
	log_write_access(d.cfg->daemon.state_dir);
	notify_ready("ready; first cycle starting");
	if (d.once) {
		run_cycle(&d, "once", 1);
		read_signals(&d);
		/* the exit status says whether the cycle succeeded */
		if (d.last_status == CYCLE_OK)
			rc = EX_OK;
		else if (d.last_store_failed)
			rc = EX_IOERR;
		else
			rc = EX_TEMPFAIL;
	} else
		loop(&d);
	detail = jv_object();
	jv_set_str(detail, "reason", d.stop_reason[0] ? d.stop_reason :
	    d.once ? "one cycle done" : "stopped");
	if (audit_log(d.au, 0, "daemon.stop", "daemon", NULL, detail) < 0)
		log_err("cannot write the audit log: %s", store_errmsg(d.st));
	log_event(LOG_NOTICE, MSGID_DAEMON_STOP, NULL, "chansyncd stopped (%s)",
	    d.stop_reason[0] ? d.stop_reason : d.once ? "one cycle done" :
	    "stopped");
out:
	daemon_close(&d);
	return rc;
}
