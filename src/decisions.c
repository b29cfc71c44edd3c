/*
 * decisions.c - an operator's decision on a conflict (see decisions.h).
 */
#include "decisions.h"
#include "lib/clock.h"
#include "lib/json.h"
#include "lib/mem.h"
#include "store/audit.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
