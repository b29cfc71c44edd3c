/*
 * ctl_lists.c - listings: quarantine, registrations, conflicts and one
 * conflict, alerts.
 */
#include "ctl_internal.h"
#include "lib/json.h"
#include "lib/mem.h"
#include "lib/text_table.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

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
			ctl_usage(stderr);
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
	struct ctl_out o;
	int rc;

	if (list_opts(argc, argv, &source, &limit) < 0)
		return EX_USAGE;
	if ((rc = ctl_open_store(c)) != 0)
		return rc;
	ctl_out_init(&o, c->json);
	if (list(c->st, source, limit, ctl_collect, &o) < 0) {
		fprintf(stderr, "chansyncctl: %s\n", store_errmsg(c->st));
		ctl_out_print(&o, "", 0);
		return EX_IOERR;
	}
	ctl_out_print(&o, empty, maxw);
	return EX_OK;
}

/* ---- conflicts ---- */

struct named {
	char id[64];
	int n;
};

static int
keep_named(void *ctx, const struct store_row *r)
{
	struct named *nm = ctx;
	const char *id = store_col(r, "id");

	if (nm->n++ == 0)
		snprintf(nm->id, sizeof(nm->id), "%s", id ? id : "");
	return 0;
}

int
ctl_partner_id(struct ctl *c, const char *text, char out[64])
{
	struct named nm;

	memset(&nm, 0, sizeof(nm));
	if (store_partner_named(c->st, text, keep_named, &nm) < 0) {
		fprintf(stderr, "chansyncctl: %s\n", store_errmsg(c->st));
		return EX_IOERR;
	}
	if (nm.n == 0) {
		/* an id the CRM does not know may still name claims */
		snprintf(out, 64, "%s", text);
		return 0;
	}
	if (nm.n > 1 && strcmp(nm.id, text) != 0) {
		fprintf(stderr, "chansyncctl: %d partners are named '%s'; give the "
		    "Account Id (chansyncctl partners)\n", nm.n, text);
		return EX_DATAERR;
	}
	snprintf(out, 64, "%s", nm.id);
	return 0;
}

int
ctl_cmd_conflicts(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "partner", required_argument, NULL, 'p' },
		{ "type", required_argument, NULL, 't' },
		{ "product", required_argument, NULL, 'x' },
		{ "possible", no_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	struct store_conflict_filter f;
	const char *partner = NULL;
	char pid[64];
	struct ctl_out o;
	int ch, rc, possible = 0;

	memset(&f, 0, sizeof(f));
	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (ch == 'a')
			f.all = 1;
		else if (ch == 'p')
			partner = optarg;
		else if (ch == 't')
			f.type = optarg;
		else if (ch == 'x')
			f.product = optarg;
		else if (ch == 'P')
			possible = 1;
		else {
			ctl_usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc || (possible && (partner || f.type || f.product))) {
		ctl_usage(stderr);
		return EX_USAGE;
	}
	if (possible)
		return ctl_possible_list(c, f.all);
	if (f.type && strcmp(f.type, "partner_conflict") != 0 &&
	    strcmp(f.type, "double_approval") != 0 &&
	    strcmp(f.type, "direct_conflict") != 0 &&
	    strcmp(f.type, "duplicate") != 0) {
		fprintf(stderr, "chansyncctl: --type %s: a conflict is a "
		    "partner_conflict, double_approval, direct_conflict or "
		    "duplicate\n", f.type);
		return EX_USAGE;
	}
	if ((rc = ctl_open_store(c)) != 0)
		return rc;
	if (partner && (rc = ctl_partner_id(c, partner, pid)) != 0)
		return rc;
	f.partner_id = partner ? pid : NULL;
	ctl_out_init(&o, c->json);
	if (store_list_conflicts(c->st, &f, ctl_collect, &o) < 0) {
		fprintf(stderr, "chansyncctl: %s\n", store_errmsg(c->st));
		ctl_out_print(&o, "", 0);
		return EX_IOERR;
	}
	ctl_out_print(&o, f.all ? "no conflicts" : "no open conflicts", 40);
	return EX_OK;
}

struct one {
	struct jval *row;		/* the conflict */
	struct jval *members;		/* its member rows */
};

static int
one_row(void *ctx, const struct store_row *row)
{
	struct ctl_out o;

	ctl_out_init(&o, 1);
	ctl_collect(&o, row);
	*(struct jval **)ctx = jv_copy(jv_array_at(o.arr, 0));
	jv_free(o.arr);
	return 0;
}

static int
member_rows(void *ctx, const struct store_row *row)
{
	struct ctl_out o = { 1, NULL, ctx, 0 };

	return ctl_collect(&o, row);
}

/* " (N days ago)" for an ISO time, "" when unreadable. */
static const char *
age_of(const char *iso, char *out, size_t len)
{
	int64_t t, d;

	if (norm_time(iso, TIME_ISO8601, &t) < 0 || (d = (clock_now() - t) /
	    86400) < 0)
		return "";
	snprintf(out, len, " (%lld day%s ago)", (long long)d, d == 1 ? "" : "s");
	return out;
}

/* One member of a conflict: who, what, when, and why it wins or loses. */
static void
print_member(const struct jval *x, const char *owner)
{
	char age[40];

	const char *pid = ctl_js(x, "partner_id"), *pname = ctl_js(x, "partner_name");
	char *amount = NULL, *prob = NULL, err[64];

	printf("  %s  ", ctl_js(x, "key"));
	if (*pname)
		printf("%s (%s)", pname, pid);
	else if (*pid)
		printf("partner %s (not a known CRM partner)", pid);
	else
		printf("the direct team");
	printf(": %s", ctl_js(x, "customer_name"));
	if (*ctl_js(x, "product"))
		printf(", product %s", ctl_js(x, "product"));
	printf(", %s", *ctl_js(x, "status") ? ctl_js(x, "status") :
	    ctl_js(x, "stage"));
	jv_lookup_text(x, "/amount", &amount, err, sizeof(err));
	jv_lookup_text(x, "/probability", &prob, err, sizeof(err));
	if (amount)
		printf(", amount %s", amount);
	if (prob)
		printf(", probability %s%%", prob);
	if (*ctl_js(x, "registered_at"))
		printf(", registered %.10s%s", ctl_js(x, "registered_at"),
		    age_of(ctl_js(x, "registered_at"), age, sizeof(age)));
	if (*ctl_js(x, "created_at"))
		printf(", opened %.10s", ctl_js(x, "created_at"));
	if (*ctl_js(x, "decided_at"))
		printf(", decided %.10s", ctl_js(x, "decided_at"));
	if (*ctl_js(x, "protected_until"))
		printf(", protected until %.10s", ctl_js(x, "protected_until"));
	if (*ctl_js(x, "stale_at"))
		printf(", stale from %.10s", ctl_js(x, "stale_at"));
	if (*ctl_js(x, "close_date"))
		printf(", closes %.10s", ctl_js(x, "close_date"));
	if (owner && *owner)
		printf(", owner %s", owner);
	printf("\n");
	if (*ctl_js(x, "verdict"))
		printf("      %s\n", ctl_js(x, "verdict"));
	free(amount);
	free(prob);
}

/* The decisions on a conflict, oldest first: the standing one and those
 * withdrawn (history). */
static void
print_decisions(const struct jval *decisions)
{
	size_t i;

	for (i = 0; i < jv_array_len(decisions); i++) {
		const struct jval *x = jv_array_at(decisions, i);

		printf("%s %s for %s by %s: %s\n", i == 0 ? "decisions:" :
		    "          ", ctl_js(x, "decided_at"), ctl_js(x, "winner"),
		    ctl_js(x, "operator"), ctl_js(x, "reason"));
		if (*ctl_js(x, "withdrawn_at"))
			printf("             withdrawn %s by %s: %s\n",
			    ctl_js(x, "withdrawn_at"), ctl_js(x, "withdrawn_by"),
			    ctl_js(x, "withdrawn_why"));
	}
}

/* One conflict for a channel manager: who, why, what to do. */
/* "Ana Ruiz <ana@example.com>", flagged when the CRM has them inactive. */
static void
print_user(const char *label, const struct jval *u)
{
	const char *name = jv_object_str(u, "name"), *mail = jv_object_str(u,
	    "email");
	const struct jval *act = jv_lookup(u, "/is_active");

	printf("%s%s", label, name ? name : ctl_js(u, "id"));
	if (mail)
		printf(" <%s>", mail);
	if (act && jv_number_value(act) == 0)	/* NAN (null): unknown */
		printf(" (inactive in the CRM: reassign the partner)");
	printf("\n");
}

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

	printf("conflict %s: %s, %s\n", ctl_js(row, "key"), ctl_js(row, "type"),
	    ctl_js(row, "status"));
	printf("customer:  %s", ctl_js(row, "customer"));
	if (*ctl_js(row, "customer_domain") || *ctl_js(row, "customer_country"))
		printf(" (%s%s%s)", ctl_js(row, "customer_domain"),
		    *ctl_js(row, "customer_domain") && *ctl_js(row, "customer_country") ?
		    ", " : "", ctl_js(row, "customer_country"));
	printf("\n");
	if (jv_lookup(row, "/owner") && jv_object_str(jv_lookup(row, "/owner"), "id"))
		print_user("owner:     ", jv_lookup(row, "/owner"));
	if (jv_lookup(row, "/account_owner") &&
	    jv_object_str(jv_lookup(row, "/account_owner"), "id"))
		print_user("sales:     ", jv_lookup(row, "/account_owner"));
	printf("why:       %s\n", ctl_js(ev, "rule"));
	if (w)
		printf("window:    %s to %s (protection)\n", ctl_js(w, "from"), ctl_js(w, "to"));
	if (*ctl_js(ev, "product_line"))
		printf("product:   %s\n", ctl_js(ev, "product_line"));
	printf("claims:\n");
	for (i = 0; i < jv_array_len(m); i++) {
		const char *key = ctl_js(jv_array_at(m, i), "key"), *owner = NULL;

		for (j = 0; j < jv_array_len(members); j++)
			if (strcmp(ctl_js(jv_array_at(members, j), "member"), key) == 0)
				owner = ctl_js(jv_array_at(members, j), "owner");
		print_member(jv_array_at(m, i), owner);
	}
	printf("linked by:\n");
	for (i = 0; i < jv_array_len(links); i++) {
		const struct jval *l = jv_array_at(links, i);
		char *sim = NULL;

		jv_lookup_text(l, "/similarity", &sim, err, sizeof(err));
		if (strcmp(ctl_js(l, "rule"), "domain") == 0) {
			const struct jval *who = jv_lookup(l, "/members");

			printf("  the same domain %s:", ctl_js(l, "domain"));
			for (j = 0; j < jv_array_len(who); j++) {
				char *k = NULL;

				jv_lookup_text(jv_array_at(who, j), "", &k, err, sizeof(err));
				printf(" %s", k ? k : "");
				free(k);
			}
			printf("\n");
		} else if (*ctl_js(l, "name_key")) {
			printf("  the same name '%s'\n", ctl_js(l, "name_key"));
		} else
			printf("  '%s' and '%s': similarity %s (%s)\n", ctl_js(l, "name_a"),
			    ctl_js(l, "name_b"), sim ? sim : "?", ctl_js(l, "measure"));
		free(sim);
	}
	printf("policy:    %s\n", ctl_js(ev, "policy"));
	printf("recommend: %s\n", *ctl_js(row, "winner") ? ctl_js(row, "winner") : "(none)");
	if (*ctl_js(row, "decided_winner"))
		printf("decided:   %s (%s)\n", ctl_js(row, "decided_winner"),
		    ctl_js(row, "decision"));
	printf("because:   %s\n", ctl_js(row, "reason"));
	printf("opened:    %s", ctl_js(row, "opened_at"));
	if (*ctl_js(row, "resolved_at"))
		printf(", %s %s: %s", ctl_js(row, "status"), ctl_js(row, "resolved_at"),
		    ctl_js(row, "resolution"));
	printf("\n");
	if (*ctl_js(row, "crm_status"))
		printf("in the CRM: %s\n", ctl_js(row, "crm_status"));
	for (i = 0, j = 0; i < jv_array_len(members); i++)
		if (*ctl_js(jv_array_at(members, i), "removed_at"))
			j++;
	if (j)
		printf("%zu former member%s (no longer active claims)\n", j,
		    j == 1 ? "" : "s");
	jv_free(ev);
}

/* Sets row[as] to the CRM user that row[idcol] names: { id, name,
 * email, is_active }, or null. Returns 0 or -1. */
static int
add_user(struct ctl *c, struct jval *row, const char *idcol, const char *as)
{
	const char *id = jv_object_str(row, idcol);
	struct jval *u = NULL;

	if (id && store_user_get(c->st, id, one_row, &u) < 0)
		return -1;
	if (id && u == NULL) {		/* not (yet) read from the CRM */
		u = jv_object();
		jv_set_str(u, "id", id);
	}
	jv_set(row, as, u ? u : jv_null());
	return 0;
}

int
ctl_cmd_conflict(struct ctl *c, int argc, char **argv)
{
	struct jval *row = NULL, *members, *decisions;
	int rc;

	if (argc >= 3)
		return ctl_conflict_decide(c, argc, argv);
	if (argc != 2) {
		ctl_usage(stderr);
		return EX_USAGE;
	}
	if ((rc = ctl_open_store(c)) != 0)
		return rc;
	members = jv_array();
	decisions = jv_array();
	if (store_conflict_get(c->st, argv[1], one_row, &row) < 0 ||
	    store_conflict_members(c->st, argv[1], member_rows, members) < 0 ||
	    store_conflict_decisions(c->st, argv[1], member_rows, decisions) < 0) {
		fprintf(stderr, "chansyncctl: %s\n", store_errmsg(c->st));
		jv_free(row);
		jv_free(members);
		jv_free(decisions);
		return EX_IOERR;
	}
	if (row == NULL) {
		fprintf(stderr, "chansyncctl: no conflict '%s' (see chansyncctl "
		    "conflicts --all)\n", argv[1]);
		jv_free(members);
		jv_free(decisions);
		return EX_DATAERR;
	}
	if (add_user(c, row, "owner_id", "owner") < 0 ||
	    add_user(c, row, "account_owner_id", "account_owner") < 0) {
		fprintf(stderr, "chansyncctl: %s\n", store_errmsg(c->st));
		jv_free(row);
		jv_free(members);
		jv_free(decisions);
		return EX_IOERR;
	}
	if (c->json) {
		const char *evs = jv_object_str(row, "evidence");
		char err[64], *out;
		struct jval *ev = evs ? jv_parse(evs, strlen(evs), err,
		    sizeof(err)) : NULL;

		if (ev)
			jv_set(row, "evidence", ev);
		jv_set(row, "members", members);
		jv_set(row, "decisions", decisions);
		out = jv_dump_pretty(row);
		printf("%s\n", out);
		free(out);
	} else {
		print_conflict(row, members);
		print_decisions(decisions);
		jv_free(members);
		jv_free(decisions);
	}
	jv_free(row);
	return EX_OK;
}

/* ---- alerts and scores ---- */

/* The alert types of contract §8, and the sources' own. */
static const char *const alert_types[] = { "partner_conflict",
	"direct_conflict", "double_approval", "duplicate_registration",
	"approval_sla_warning", "approval_sla_breach", "stale_registrations",
	"registration_expiring", "pipeline_below_plan",
	"risk_adjusted_below_plan", "pipeline_past_due", "score_drop",
	"tier_changed", "unknown_partner", "source_page_skipped", NULL };

static int
known(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/*
 * alerts [--all] [--type T] [--partner P] [--owner O] [--severity S]:
 * open alerts (--all: every one), worst first. A partner by Account Id
 * or name; an owner by User id, name or e-mail.
 */
int
ctl_cmd_alerts(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "type", required_argument, NULL, 't' },
		{ "partner", required_argument, NULL, 'p' },
		{ "owner", required_argument, NULL, 'o' },
		{ "severity", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const severities[] = { "info", "warning",
		"critical", NULL };
	struct store_alert_filter f;
	const char *partner = NULL;
	struct ctl_out o;
	char pid[64];
	int ch, rc;

	memset(&f, 0, sizeof(f));
	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (ch == 'a')
			f.all = 1;
		else if (ch == 't')
			f.type = optarg;
		else if (ch == 'p')
			partner = optarg;
		else if (ch == 'o')
			f.owner = optarg;
		else if (ch == 's')
			f.severity = optarg;
		else {
			ctl_usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc) {
		ctl_usage(stderr);
		return EX_USAGE;
	}
	if (f.type && !known(alert_types, f.type)) {
		fprintf(stderr, "chansyncctl: --type %s: not an alert type (see "
		    "chansyncctl(8), ALERTS)\n", f.type);
		return EX_USAGE;
	}
	if (f.severity && !known(severities, f.severity)) {
		fprintf(stderr, "chansyncctl: --severity %s: info, warning or "
		    "critical\n", f.severity);
		return EX_USAGE;
	}
	if ((rc = ctl_open_store(c)) != 0)
		return rc;
	if (partner && (rc = ctl_partner_id(c, partner, pid)) != 0)
		return rc;
	f.partner_id = partner ? pid : NULL;
	ctl_out_init(&o, c->json);
	o.columns = 8;		/* not the ids and the type */
	if (store_list_alerts(c->st, &f, ctl_collect, &o) < 0) {
		fprintf(stderr, "chansyncctl: %s\n", store_errmsg(c->st));
		ctl_out_print(&o, "", 0);
		return EX_IOERR;
	}
	ctl_out_print(&o, f.all ? "no alerts" : "no open alerts", 90);
	return EX_OK;
}

int
ctl_cmd_quarantine(struct ctl *c, int argc, char **argv)
{
	return cmd_list(c, argc, argv, store_list_quarantine, 100,
	    "no quarantined records", 48);
}

int
ctl_cmd_registrations(struct ctl *c, int argc, char **argv)
{
	return cmd_list(c, argc, argv, store_list_registrations, 1000,
	    "no registrations", 40);
}
