/*
 * decisions.c - an operator's decision on a conflict (see decisions.h).
 */
#include "decisions.h"
#include "config/config.h"
#include "lib/clock.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "lib/strmap.h"
#include "store/audit.h"
#include "store/store.h"
#include "sources/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct brief {
	int found;
	char status[16], updated_at[40], decided[200];
	char *members;			/* space-separated, sorted */
};

static int
keep_brief(void *ctx, const struct store_row *r)
{
	struct brief *b = ctx;
	const char *v;

	b->found = 1;
	snprintf(b->status, sizeof(b->status), "%s", (v = store_col(r,
	    "status")) ? v : "");
	snprintf(b->updated_at, sizeof(b->updated_at), "%s", (v = store_col(r,
	    "updated_at")) ? v : "");
	snprintf(b->decided, sizeof(b->decided), "%s", (v = store_col(r,
	    "decided_winner")) ? v : "");
	b->members = xstrdup((v = store_col(r, "members")) ? v : "");
	return 0;
}

/* Is m one of the space-separated members? */
static int
is_member(const char *members, const char *m)
{
	size_t n = strlen(m);
	const char *p = members;

	while ((p = strstr(p, m)) != NULL) {
		if ((p == members || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

/* Why the request cannot be taken (0: it can), in msg. */
static int
refusal(const struct brief *b, const char *key, const char *winner,
    const char *seen, char *msg, size_t len)
{
	if (!b->found) {
		snprintf(msg, len, "no conflict '%s' (see chansyncctl conflicts "
		    "--all)", key);
		return 1;
	}
	if (seen && strcmp(seen, b->updated_at) != 0) {
		snprintf(msg, len, "conflict %s changed at %s, after it was read "
		    "(%s); look at it again with chansyncctl conflict %s", key,
		    b->updated_at, seen, key);
		return 1;
	}
	if (winner == NULL) {
		if (strcmp(b->status, "decided") != 0) {
			snprintf(msg, len, "conflict %s has no decision to withdraw "
			    "(it is %s)", key, b->status);
			return 1;
		}
		return 0;
	}
	if (strcmp(b->status, "decided") == 0) {
		snprintf(msg, len, "conflict %s is already decided for %s; reopen "
		    "it first (chansyncctl conflict %s reopen --reason ...)", key,
		    b->decided, key);
		return 1;
	}
	if (strcmp(b->status, "open") != 0) {
		snprintf(msg, len, "conflict %s is %s: nothing to decide", key,
		    b->status);
		return 1;
	}
	if (!is_member(b->members, winner)) {
		snprintf(msg, len, "%s is not a member of conflict %s (members: "
		    "%.300s)", winner, key, b->members);
		return 1;
	}
	return 0;
}

int
decision_make(struct store *st, struct audit *au, const char *key,
    const char *winner, const char *reason, const char *operator,
    const char *seen, char *msg, size_t len)
{
	struct brief b;
	struct jval *detail;
	char now[CLOCK_ISO_LEN];
	int rc;

	memset(&b, 0, sizeof(b));
	if (store_conflict_brief(st, key, keep_brief, &b) < 0)
		goto fail;
	if ((rc = refusal(&b, key, winner, seen, msg, len)) != 0) {
		free(b.members);
		return rc;
	}
	clock_now_iso(now);
	if (store_begin(st) < 0)
		goto fail;
	if (winner) {
		if (store_decision_put(st, key, winner, reason, operator,
		    b.members, now) < 0 || store_conflict_settle(st, key,
		    "decided", winner, reason, now) < 0)
			goto rollback;
	} else if (store_decision_withdraw(st, key, operator, reason, now) < 0 ||
	    store_conflict_settle(st, key, "open", NULL, NULL, now) < 0)
		goto rollback;
	detail = jv_object();
	jv_set_str(detail, "operator", operator);
	jv_set_str(detail, "winner", winner ? winner : b.decided);
	jv_set_str(detail, "reason", reason);
	jv_set_str(detail, "members", b.members);
	if (audit_log(au, 0, winner ? "conflict.decided" : "conflict.reopened",
	    "conflict", key, detail) < 0 || store_commit(st) < 0)
		goto rollback;
	if (winner)
		snprintf(msg, len, "conflict %s decided for %s by %s", key, winner,
		    operator);
	else
		snprintf(msg, len, "conflict %s reopened by %s; the decision for %s "
		    "is history", key, operator, b.decided);
	free(b.members);
	return 0;
rollback:
	store_rollback(st);
fail:
	snprintf(msg, len, "database: %s", store_errmsg(st));
	free(b.members);
	return -1;
}

int
decision_possible(struct store *st, struct audit *au, const char *key,
    int confirm, const char *reason, const char *operator, char *msg,
    size_t len)
{
	struct jval *detail;
	char now[CLOCK_ISO_LEN];
	int rc;

	clock_now_iso(now);
	if (store_begin(st) < 0)
		goto fail;
	if ((rc = store_possible_decide(st, key, confirm ? "confirmed" :
	    "rejected", operator, reason, now)) < 0)
		goto rollback;
	if (rc == 0) {
		store_rollback(st);
		snprintf(msg, len, "no possible match %s, or it is %s already "
		    "(chansyncctl conflicts --possible --all)", key, confirm ?
		    "confirmed" : "rejected");
		return 1;
	}
	detail = jv_object();
	jv_set_str(detail, "operator", operator);
	jv_set_str(detail, "reason", reason);
	if (audit_log(au, 0, confirm ? "match.confirmed" : "match.rejected",
	    "possible_match", key, detail) < 0 || store_commit(st) < 0)
		goto rollback;
	snprintf(msg, len, "possible match %s %s by %s%s", key, confirm ?
	    "confirmed" : "rejected", operator, confirm ? "; the next cycle "
	    "reads the two names as one customer" : "; it is not listed again");
	return 0;
rollback:
	store_rollback(st);
fail:
	snprintf(msg, len, "database: %s", store_errmsg(st));
	return -1;
}

int
decision_parse(char *line, const char **key, const char **winner,
    const char **seen, const char **reason)
{
	char *f[4], *p = line;
	size_t i;

	for (i = 0; i < 4; i++) {
		f[i] = p;
		if (i < 3) {
			if ((p = strchr(p, '\t')) == NULL)
				return -1;
			*p++ = '\0';
		}
	}
	if (*f[0] == '\0' || *f[3] == '\0' || strlen(f[3]) > DECISION_REASON_MAX)
		return -1;
	*key = f[0];
	*winner = strcmp(f[1], "-") == 0 ? NULL : f[1];
	*seen = strcmp(f[2], "-") == 0 ? NULL : f[2];
	*reason = f[3];
	return 0;
}

/* ---- the export to other sources' decisions: files ---- */

struct exported {
	struct strmap done;		/* "decision_id member" */
};

static int
keep_exported(void *ctx, const struct store_row *r)
{
	struct exported *e = ctx;
	char k[512];
	const char *id = store_col(r, "decision_id"), *m = store_col(r, "member");

	if (id && m) {
		snprintf(k, sizeof(k), "%s %s", id, m);
		strmap_put(&e->done, k, strlen(k), NULL);
	}
	return 0;
}

/* The (decision_id, member) of each line the file holds already. */
static int
lines_in_file(const char *path, struct strmap *in, char *err, size_t len)
{
	FILE *f = fopen(path, "re");
	char *line = NULL, k[512];
	size_t cap = 0;
	ssize_t n;

	if (f == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		char e[64];
		struct jval *o = jv_parse(line, (size_t)n, e, sizeof(e));
		const struct jval *id = o ? jv_get(o, "decision_id") : NULL;
		const char *m = o ? jv_object_str(o, "member") : NULL;
		double v = id ? jv_number_value(id) : -1;

		/* a line that is not one of ours is left alone */
		if (m && v >= 1 && v < 9e15) {
			snprintf(k, sizeof(k), "%lld %s", (long long)jv_number_value(id), m);
			strmap_put(in, k, strlen(k), NULL);
		}
		jv_free(o);
	}
	free(line);
	fclose(f);
	return 0;
}

/* The decisions file for appending, its directory made when missing
 * (one level: /var/lib/chansync/decisions under the state directory). */
static int
open_log(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0640);
	char *dir, *slash;

	if (fd >= 0 || errno != ENOENT)
		return fd;
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
			free(dir);
			return -1;
		}
	}
	free(dir);
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0640);
}

struct pending {
	const struct config_source *src;
	struct strmap *done;
	struct jval *unsent;		/* the lines not yet exported */
};

/* One decision's members of the source: a line each, unless exported. */
static int
export_row(void *ctx, const struct store_row *r)
{
	struct pending *p = ctx;
	const char *id = store_col(r, "id"), *winner = store_col(r, "winner");
	const char *members = store_col(r, "members");
	size_t sl = strlen(p->src->name);
	char *list, *m, *save = NULL, k[512];

	if (id == NULL || winner == NULL || members == NULL)
		return 0;
	list = xstrdup(members);
	for (m = strtok_r(list, " ", &save); m; m = strtok_r(NULL, " ", &save)) {
		struct jval *o;

		if (strncmp(m, p->src->name, sl) != 0 || m[sl] != ':')
			continue;
		snprintf(k, sizeof(k), "%s %s", id, m);
		if (strmap_get(p->done, k, strlen(k)))
			continue;
		o = jv_object();
		jv_set_int(o, "decision_id", strtoll(id, NULL, 10));
		jv_set_str(o, "conflict", store_col(r, "conflict_key"));
		jv_set_str(o, "member", m);
		jv_set_str(o, "external_id", m + sl + 1);
		jv_set_str(o, "decision", strcmp(m, winner) == 0 ? "approved" :
		    "rejected");
		jv_set_str(o, "winner", winner);
		jv_set_str(o, "reason", store_col(r, "reason"));
		jv_set_str(o, "operator", store_col(r, "operator"));
		jv_set_str(o, "decided_at", store_col(r, "decided_at"));
		jv_append(p->unsent, o);
	}
	free(list);
	return 0;
}

/* "decision_id member", the key a line is known by. */
static void
line_key(const struct jval *o, char *out, size_t len)
{
	snprintf(out, len, "%lld %s", (long long)jv_number_value(jv_get(o,
	    "decision_id")), jv_object_str(o, "member"));
}

/* The lines appended to the source's file and synced (those the file
 * holds already are not written again); 0 or -1. */
static int
to_file(const struct config_source *src, const struct jval *unsent,
    int64_t *written, char *err, size_t errlen)
{
	struct strmap in_file;
	char k[512];
	size_t i;
	int fd = -1, rc = -1;

	memset(&in_file, 0, sizeof(in_file));
	if (lines_in_file(src->decisions, &in_file, err, errlen) < 0)
		return -1;
	for (i = 0; i < jv_array_len(unsent); i++) {
		const struct jval *o = jv_array_at(unsent, i);
		char *text;
		int bad;

		line_key(o, k, sizeof(k));
		if (strmap_get(&in_file, k, strlen(k)))
			continue;	/* written before a crash: not again */
		if (fd < 0 && (fd = open_log(src->decisions)) < 0)
			goto fail;
		text = jv_dump_canonical(o);
		bad = dprintf(fd, "%s\n", text) < 0;
		free(text);
		if (bad)
			goto fail;
		(*written)++;
	}
	if (fd >= 0 && fsync(fd) < 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	snprintf(err, errlen, "%s: %s", src->decisions, strerror(errno));
out:
	if (fd >= 0)
		close(fd);
	strmap_free(&in_file);
	return rc;
}

/* The lines POSTed, one request each with an idempotency key: a POST
 * repeated after a crash is the same decision to the vendor. Those sent
 * before a failure are kept (*sent); -1 at the first that fails. */
static int
to_url(struct http *h, const struct config_source *src,
    const struct jval *unsent, size_t *sent, char *err, size_t errlen)
{
	char k[512], idem[600];
	size_t i;

	for (i = 0; i < jv_array_len(unsent); i++) {
		const struct jval *o = jv_array_at(unsent, i);
		char *text = jv_dump_canonical(o);
		int rc;

		line_key(o, k, sizeof(k));
		snprintf(idem, sizeof(idem), "chansync-decision-%s", k);
		*strchr(idem, ' ') = '-';
		rc = decision_post(h, src, text, idem, err, errlen);
		free(text);
		if (rc < 0)
			return -1;
		(*sent)++;
	}
	return 0;
}

/* One source's export; lines written or sent, or -1. */
static int64_t
export_source(const struct config_source *src, struct store *st,
    struct audit *au, struct http *h, int64_t cycle_id, char *err,
    size_t errlen)
{
	struct exported done;
	struct pending p;
	struct jval *detail, *kept;
	char now[CLOCK_ISO_LEN];
	int64_t written = 0;
	size_t i, nkeep = 0;
	int rc = -1, failed = 0;

	memset(&done, 0, sizeof(done));
	memset(&p, 0, sizeof(p));
	p.src = src;
	p.done = &done.done;
	p.unsent = jv_array();
	if (store_decision_exported(st, src->name, keep_exported, &done) < 0 ||
	    store_decisions_all(st, export_row, &p) < 0)
		goto db;
	if (jv_array_len(p.unsent) == 0) {
		rc = 0;
		goto out;
	}
	if (src->decisions_url) {
		if (h == NULL) {
			snprintf(err, errlen, "no HTTP client");
			goto out;
		}
		failed = to_url(h, src, p.unsent, &nkeep, err, errlen) < 0;
		written = (int64_t)nkeep;
	} else {
		if (to_file(src, p.unsent, &written, err, errlen) < 0)
			goto out;
		nkeep = jv_array_len(p.unsent);
	}
	if (nkeep == 0)
		goto out;
	/* the vendor holds them: now they count as exported */
	clock_now_iso(now);
	kept = jv_array();
	if (store_begin(st) < 0) {
		jv_free(kept);
		goto db;
	}
	for (i = 0; i < nkeep; i++) {
		const struct jval *x = jv_array_at(p.unsent, i);
		struct jval *one = jv_object();

		jv_set(one, "decision_id", jv_copy(jv_get(x, "decision_id")));
		jv_set_str(one, "member", jv_object_str(x, "member"));
		jv_append(kept, one);
		if (store_decision_export_put(st, (int64_t)jv_number_value(jv_get(x,
		    "decision_id")), jv_object_str(x, "member"), src->name,
		    now) < 0) {
			store_rollback(st);
			jv_free(kept);
			goto db;
		}
	}
	detail = jv_object();
	jv_set_str(detail, src->decisions_url ? "url" : "file",
	    src->decisions_url ? src->decisions_url : src->decisions);
	jv_set_int(detail, "written", written);
	jv_set(detail, "lines", kept);
	if (audit_log(au, cycle_id, "decision.exported", "source", src->name,
	    detail) < 0 || store_commit(st) < 0) {
		store_rollback(st);
		goto db;
	}
	rc = failed ? -1 : 0;
	goto out;
db:
	snprintf(err, errlen, "database: %s", store_errmsg(st));
out:
	jv_free(p.unsent);
	strmap_free(&done.done);
	return rc < 0 ? -1 : written;
}

int
decisions_export(const struct config *cfg, struct store *st, struct audit *au,
    struct http *h, int64_t cycle_id, char *err, size_t errlen)
{
	int64_t n, total = 0;
	size_t i;
	int failed = 0;

	for (i = 0; i < cfg->nsources; i++) {
		const struct config_source *src = &cfg->sources[i];

		if (src->decisions == NULL && src->decisions_url == NULL)
			continue;
		if ((n = export_source(src, st, au, h, cycle_id, err,
		    errlen)) < 0) {
			log_err("decisions for source %s: %s; tried again next "
			    "cycle", src->name, err);
			failed = 1;
			continue;
		}
		if (n > 0)
			log_notice("decisions: %lld line%s %s %s", (long long)n,
			    n == 1 ? "" : "s", src->decisions_url ? "sent to" :
			    "appended to", src->decisions_url ? src->decisions_url :
			    src->decisions);
		total += n;
	}
	return failed ? -1 : (int)total;
}
