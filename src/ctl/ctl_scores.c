/*
 * ctl_scores.c - partner scores ranked, and one partner's scorecard.
 */
#include "ctl_internal.h"
#include "lib/humanfmt.h"
#include "lib/json.h"
#include "lib/mem.h"
#include "lib/text_table.h"
#include "rules/score.h"
#include "store/store.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

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
	struct ctl_out *o;
	int rank;
	const char *only;	/* one partner's row, or NULL: every one */
	int shown;
	int place;		/* the rank shown: shared when all ties hold */
	char last[96];		/* score, attainment, closed-won of the last */
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

	/* ties broken by attainment, then closed-won (the query's order);
	 * what still ties shares the place, shown as "=N" */
	{
		char key[96];
		const char *vs = NULL, *va = NULL, *vc = NULL;

		for (i = 0; i < row->ncol; i++) {
			if (strcmp(row->names[i], "score") == 0)
				vs = row->vals[i];
			else if (strcmp(row->names[i], "attainment") == 0)
				va = row->vals[i];
			else if (strcmp(row->names[i], "closed_won") == 0)
				vc = row->vals[i];
		}
		snprintf(key, sizeof(key), "%.1f|%.4f|%.2f", vs ? strtod(vs, NULL) :
		    -1, va ? strtod(va, NULL) : -1, vc ? strtod(vc, NULL) : -1);
		r->rank++;
		if (r->rank > 1 && vs && strcmp(key, r->last) == 0)
			snprintf(rank, sizeof(rank), "=%d", r->place);
		else {
			r->place = r->rank;
			snprintf(rank, sizeof(rank), "%d", r->rank);
		}
		snprintf(r->last, sizeof(r->last), "%s", key);
	}
	if (r->only) {		/* one partner, ranked among all */
		for (i = 0; i < row->ncol; i++)
			if (strcmp(row->names[i], "partner_id") == 0)
				break;
		if (i == row->ncol || row->vals[i] == NULL ||
		    strcmp(row->vals[i], r->only) != 0)
			return 0;
		r->shown++;
	}
	vals[0] = rank;
	types[0] = rank[0] == '=' ? STORE_TEXT : STORE_INT;
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
	return ctl_collect(r->o, &out);
}

int
ctl_cmd_scores(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "period", required_argument, NULL, 'p' },
		{ "partner", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	struct latest l = { "" };
	struct ranked r;
	struct ctl_out o;
	const char *period = NULL, *partner = NULL;
	char pid[64];
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (ch == 'p')
			period = optarg;
		else if (ch == 'P')
			partner = optarg;
		else {
			ctl_usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc) {
		ctl_usage(stderr);
		return EX_USAGE;
	}
	if ((rc = ctl_open_store(c)) != 0)
		return rc;
	if (partner && (rc = ctl_partner_id(c, partner, pid)) != 0)
		return rc;
	if (period == NULL) {
		if (store_partner_periods(c->st, NULL, NULL, latest_row, &l) < 0) {
			fprintf(stderr, "chansyncctl: %s\n", store_errmsg(c->st));
			return EX_IOERR;
		}
		period = l.period;
	}
	ctl_out_init(&o, c->json);
	r.o = &o;
	r.rank = 0;
	r.shown = 0;
	r.place = 0;
	r.last[0] = '\0';
	r.only = partner ? pid : NULL;
	if (store_partner_periods(c->st, NULL, period, ranked_row, &r) < 0) {
		fprintf(stderr, "chansyncctl: %s\n", store_errmsg(c->st));
		ctl_out_print(&o, "", 0);
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
	if (r.only && r.shown == 0) {
		fprintf(stderr, "chansyncctl: partner '%s' has no score in period "
		    "'%s'\n", partner, period);
		jv_free(o.arr);
		table_free(o.t);
		return EX_DATAERR;
	}
	if (!c->json && *period)
		printf("period %s\n", period);
	ctl_out_print(&o, "no scores yet (they come with the first cycle that reads "
	    "the CRM)", 40);
	return EX_OK;
}

static int
card_row(void *ctx, const struct store_row *row)
{
	struct ctl_out o = { 1, NULL, ctx, 0 };

	return ctl_collect(&o, row);
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
			struct ctl_out o = { 1, NULL, f->arr, 0 };

			return ctl_collect(&o, row);
		}
	return 0;
}

static const struct {
	const char *label;
	char unit;		/* %: a ratio shown as a percentage, n: a count,
				 * x: a multiple */
} kpi_info[SCORE_KPIS] = {
	[K_ATTAIN] = { "Plan attainment", '%' },
	[K_COVERAGE] = { "Risk-adjusted pipeline vs target", '%' },
	[K_WINRATE] = { "Win rate (trailing year)", '%' },
	[K_QUALITY] = { "Registrations approved", '%' },
	[K_CONVERT] = { "Registrations won", '%' },
	[K_ENGAGE] = { "Engagement (activities)", 'n' },
	[K_CERTS] = { "Active certifications", 'n' },
	[K_MDF_APPROVAL] = { "MDF claims approved", '%' },
	[K_MDF_ROI] = { "MDF return (revenue / paid)", 'x' },
};

const char *
ctl_kpi_label(int kpi)
{
	return kpi >= 0 && kpi < SCORE_KPIS ? kpi_info[kpi].label : "";
}

void
ctl_kpi_figure(int kpi, double v, char *out, size_t len)
{
	char u = kpi >= 0 && kpi < SCORE_KPIS ? kpi_info[kpi].unit : 'n';

	if (u == '%')
		human_percent(v, out, len);
	else if (u == 'x')
		human_multiple(v, out, len);
	else
		human_thousands(v, 0, out, len);
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
	printf("partner %s (%s), period %s\n", id, ctl_js(cur, "name"),
	    ctl_js(cur, "period"));
	if (ctl_num(cur, "/score", &d))
		printf("score:     %.1f", d);
	else
		printf("score:     (no KPI with data)");
	if (*ctl_js(cur, "tier"))
		printf(", tier %s", ctl_js(cur, "tier"));
	if (prev && ctl_num(prev, "/score", &d))
		printf(" (previous period %s: %.1f)", ctl_js(prev, "period"), d);
	printf("\n");
	printf("figures:   closed-won %.0f, pipeline %.0f, risk-adjusted %.0f, ",
	    ctl_num(cur, "/closed_won", &d) ? d : 0, ctl_num(cur, "/pipeline", &e) ? e : 0,
	    ctl_num(cur, "/risk_adjusted", &f) ? f : 0);
	if (ctl_num(cur, "/plan_target", &d))
		printf("plan %.0f\n", d);
	else
		printf("no plan for this period\n");
	printf("%-34s %10s %10s %10s %7s\n", "KPI", "value", "peer avg",
	    "top 10%", "pctile");
	for (i = 0; k && i < SCORE_KPIS; i++) {
		const struct jval *x = jv_get(jv_get(k, "kpis"), score_kpi_names[i]);
		char v[3][HUMAN_LEN];
		double raw;

		if (!ctl_num(x, "/raw", &raw)) {
			printf("%-34s %10s\n", kpi_info[i].label, "no data");
			continue;
		}
		ctl_kpi_figure((int)i, raw, v[0], HUMAN_LEN);
		ctl_kpi_figure((int)i, ctl_num(x, "/peer_average", &d) ? d : 0, v[1],
		    HUMAN_LEN);
		ctl_kpi_figure((int)i, ctl_num(x, "/peer_top_decile", &d) ? d : 0,
		    v[2], HUMAN_LEN);
		printf("%-34s %10s %10s %10s %7.0f\n", kpi_info[i].label, v[0], v[1],
		    v[2], ctl_num(x, "/percentile", &d) ? d : 0);
	}
	if (*ctl_js(k, "tier_rule"))
		printf("tier:      %s\n", ctl_js(k, "tier_rule"));
	if (*ctl_js(k, "next_tier"))
		printf("next tier: %s needs %s\n", ctl_js(k, "next_tier"),
		    ctl_js(k, "next_tier_needs"));
	if (ctl_num(k, "/mdf/claimed", &d) && d > 0)
		printf("MDF:       claimed %.0f, approved %.0f, rejected %.0f, paid "
		    "%.0f; closed-won of the funded campaigns %.0f (trailing year)\n",
		    d, ctl_num(k, "/mdf/approved", &e) ? e : 0,
		    ctl_num(k, "/mdf/rejected", &f) ? f : 0,
		    ctl_num(k, "/mdf/paid", &e) ? e : 0,
		    ctl_num(k, "/mdf/attributed_revenue", &f) ? f : 0);
	if (*ctl_js(k, "flags"))
		printf("flags:     %s\n", ctl_js(k, "flags"));
	printf("trend:    ");
	for (i = n > 4 ? n - 4 : 0; i < n; i++) {	/* the last four periods */
		if (ctl_num(jv_array_at(periods, i), "/score", &d))
			printf(" %s %.1f", ctl_js(jv_array_at(periods, i), "period"), d);
		else
			printf(" %s -", ctl_js(jv_array_at(periods, i), "period"));
	}
	printf("\nopen alerts:\n");
	for (i = 0; i < jv_array_len(alerts); i++)
		printf("  [%s] %s\n", ctl_js(jv_array_at(alerts, i), "severity"),
		    ctl_js(jv_array_at(alerts, i), "message"));
	if (jv_array_len(alerts) == 0)
		printf("  none\n");
	printf("open conflicts:\n");
	for (i = 0; i < jv_array_len(conflicts); i++) {
		const struct jval *x = jv_array_at(conflicts, i);
		const char *claims = ctl_js(x, "claims"), *w = ctl_js(x, "winner");
		int wins = *w && strstr(claims, w) != NULL;

		printf("  %s %s on %s: this partner's %s; recommended %s%s\n",
		    ctl_js(x, "key"), ctl_js(x, "type"), ctl_js(x, "customer"), claims,
		    *w ? w : "none", wins ? " (this partner's)" : "");
	}
	if (jv_array_len(conflicts) == 0)
		printf("  none\n");
	jv_free(k);
}

int
ctl_cmd_partner(struct ctl *c, int argc, char **argv)
{
	struct jval *periods = jv_array(), *alerts = jv_array();
	struct jval *conflicts = jv_array();
	struct ctl_out co = { 1, NULL, conflicts, 0 };
	struct store_alert_filter af;
	struct filt f;
	char pid[64];
	int rc = EX_OK;

	if (argc != 2) {
		ctl_usage(stderr);
		rc = EX_USAGE;
		goto out;
	}
	if ((rc = ctl_open_store(c)) != 0 ||
	    (rc = ctl_partner_id(c, argv[1], pid)) != 0)
		goto out;
	argv[1] = pid;		/* by id or by name: the Account Id from here */
	memset(&af, 0, sizeof(af));
	af.partner_id = pid;
	f.arr = alerts;
	f.id = argv[1];
	if (store_partner_periods(c->st, argv[1], NULL, card_row, periods) < 0 ||
	    store_list_alerts(c->st, &af, alert_of, &f) < 0 ||
	    store_partner_conflicts(c->st, argv[1], ctl_collect, &co) < 0) {
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
