/*
 * ctl_report_partner.c - one partner's quarterly business review page
 * (contract §16): plan against closed-won by quarter, pipeline against
 * its targets now and next quarter, the KPIs against the peers, the
 * tier and what the next one needs, registrations from submitted to won,
 * certifications, MDF and its return, open alerts with what to do. For
 * the partner's own eyes (--audience partner) nothing names another
 * partner, no conflict is shown and internal notes are left out.
 */
#include "ctl_report.h"
#include "lib/clock.h"
#include "lib/humanfmt.h"
#include "lib/json.h"
#include "lib/mem.h"
#include "lib/svg.h"
#include "model/normalize.h"
#include "rules/score.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

/* What a partner can do about an alert it is shown. */
static const struct {
	const char *type, *action;
} partner_alerts[] = {
	{ "pipeline_below_plan", "Register and progress more opportunities "
	  "for the quarter" },
	{ "risk_adjusted_below_plan", "Advance opportunities to later stages" },
	{ "pipeline_past_due", "Update the close dates or close the "
	  "opportunities that have passed them" },
	{ "registration_expiring", "Close the deal or ask for an extension "
	  "before the protection ends" },
	{ "tier_changed", "Review the program tier and what the next one needs" },
};

static void
money_axis(double v, const void *arg, char *out, size_t len)
{
	human_money_short(v, arg, out, len);
}

static void
td(struct buf *b, const char *s, int num)
{
	buf_addstr(b, num ? "<td class=\"n\">" : "<td>");
	html_escape(b, s);
	buf_addstr(b, "</td>");
}

static void
th_row(struct buf *b, const char *const *heads, size_t n, int nums_from)
{
	size_t i;

	buf_addstr(b, "<tr>");
	for (i = 0; i < n; i++) {
		buf_addstr(b, (int)i >= nums_from ? "<th class=\"n\">" : "<th>");
		html_escape(b, heads[i]);
		buf_addstr(b, "</th>");
	}
	buf_addstr(b, "</tr>");
}

/* A figure card: big value, small label. */
static void
card(struct buf *b, const char *value, const char *label)
{
	buf_addstr(b, "<div class=\"card\"><b>");
	html_escape(b, value);
	buf_addstr(b, "</b><span>");
	html_escape(b, label);
	buf_addstr(b, "</span></div>");
}

static double
num(const struct jval *o, const char *ptr, double dflt)
{
	double d;

	return ctl_num(o, ptr, &d) ? d : dflt;
}

/* A money chart of one series against a target per category. */
static void
money_bars(struct report *r, const char *title, const char **labels,
    size_t n, const struct svg_series *s, const double *target,
    const char *target_name, int height)
{
	struct svg_bars c;

	memset(&c, 0, sizeof(c));
	c.title = title;
	c.labels = labels;
	c.n = n;
	c.series = s;
	c.nseries = 1;
	c.target = target;
	c.target_name = target_name;
	c.fmt = money_axis;
	c.arg = r->currency;
	c.width = 720;
	c.height = height;
	svg_bars(r->b, &c);
}

/* ---- plan against closed-won, by period ---- */

static void
section_plan(struct report *r, const struct jval *periods)
{
	size_t n = jv_array_len(periods), i, k = 0;
	const char **labels = xcalloc(n + 1, sizeof(char *));
	double *won = xcalloc(n + 1, sizeof(double));
	double *plan = xcalloc(n + 1, sizeof(double));
	static const char *const heads[] = { "Period", "Plan", "Closed-won",
		"Attainment", "Score", "Tier" };
	struct svg_series s = { "Closed-won", "#4e79a7", won };
	char a[HUMAN_LEN], t[HUMAN_LEN];

	report_h2(r, "Plan and closed-won by quarter");
	buf_addstr(r->b, "<table>");
	th_row(r->b, heads, 6, 1);
	for (i = 0; i < n; i++) {
		const struct jval *p = jv_array_at(periods, i);
		double d;

		labels[k] = ctl_js(p, "period");
		won[k] = num(p, "/closed_won", 0);
		plan[k] = num(p, "/plan_target", 0);
		k++;
		buf_addstr(r->b, "<tr>");
		td(r->b, ctl_js(p, "period"), 0);
		if (ctl_num(p, "/plan_target", &d))
			report_money(r, d, a, sizeof(a));
		else
			snprintf(a, sizeof(a), "no plan");
		td(r->b, a, 1);
		report_money(r, num(p, "/closed_won", 0), a, sizeof(a));
		td(r->b, a, 1);
		if (ctl_num(p, "/attainment", &d))
			human_percent(d, a, sizeof(a));
		else
			snprintf(a, sizeof(a), "-");
		td(r->b, a, 1);
		if (ctl_num(p, "/score", &d))
			snprintf(t, sizeof(t), "%.1f", d);
		else
			snprintf(t, sizeof(t), "-");
		td(r->b, t, 1);
		td(r->b, *ctl_js(p, "tier") ? ctl_js(p, "tier") : "-", 1);
		buf_addstr(r->b, "</tr>");
	}
	buf_addstr(r->b, "</table>\n");
	money_bars(r, "Closed-won against plan (dashed) by quarter", labels, k,
	    &s, plan, "plan", 260);
	free(labels);
	free(won);
	free(plan);
}

/* ---- pipeline now and next quarter ---- */

static int
plan_now(struct report *r, const struct plan_period *per, int later,
    const char *pid, struct plan_row *out, struct plan_result *res)
{
	struct plan_input in;
	const struct plan_row *row;

	memset(res, 0, sizeof(*res));	/* freed by the caller either way */
	if (store_plan_input(r->c->st, per, later ? NULL : r->today, &in) < 0)
		return -1;
	in.today = r->today;
	in.later = later;
	plan_compute(r->c->cfg, &in, per, res);
	plan_input_free(&in);
	row = plan_find(res, pid);
	if (row)
		*out = *row;
	return row ? 1 : 0;
}

static void
section_pipeline(struct report *r, const char *pid)
{
	const struct plan_period *per[2] = { &r->cur, &r->next };
	static const char *const heads[] = { "Quarter", "Pipeline",
		"Target (2x)", "Coverage", "Risk-adjusted", "Target (1x)",
		"Coverage" };
	struct plan_result res[2];
	struct plan_row row[2];
	const char *labels[4];
	double pipe[4], target[4];
	char names[4][48], a[HUMAN_LEN];
	struct svg_series s = { "pipeline", "#59a14f", pipe };
	size_t i;

	report_h2(r, "Pipeline against its targets");
	buf_addf(r->b, "<p class=\"note\">Open opportunities closing in the "
	    "quarter; risk-adjusted weighs each by its stage's probability. The "
	    "targets are %.1fx and %.1fx of what is still to close.</p>",
	    r->c->cfg->rules.pipeline.total_index,
	    r->c->cfg->rules.pipeline.risk_adjusted_index);
	buf_addstr(r->b, "<table>");
	th_row(r->b, heads, 7, 1);
	for (i = 0; i < 2; i++) {
		memset(&row[i], 0, sizeof(row[i]));
		/* no row: a partner without plan or pipeline there, zeros;
		 * a read that failed shows zeros too, and says so below */
		if (plan_now(r, per[i], (int)i, pid, &row[i], &res[i]) < 0)
			fprintf(stderr, "chansyncctl: the pipeline of %s: %s\n",
			    per[i]->name, store_errmsg(r->c->st));
		buf_addstr(r->b, "<tr>");
		td(r->b, per[i]->name, 0);
		report_money(r, row[i].pipeline, a, sizeof(a));
		td(r->b, a, 1);
		if (row[i].has_plan)
			report_money(r, row[i].total_target, a, sizeof(a));
		td(r->b, row[i].has_plan ? a : "no plan", 1);
		if (row[i].has_coverage)
			human_percent(row[i].coverage, a, sizeof(a));
		td(r->b, row[i].has_coverage ? a : "-", 1);
		report_money(r, row[i].risk_adjusted, a, sizeof(a));
		td(r->b, a, 1);
		if (row[i].has_plan)
			report_money(r, row[i].risk_target, a, sizeof(a));
		td(r->b, row[i].has_plan ? a : "no plan", 1);
		if (row[i].has_risk_coverage)
			human_percent(row[i].risk_coverage, a, sizeof(a));
		td(r->b, row[i].has_risk_coverage ? a : "-", 1);
		buf_addstr(r->b, "</tr>");
		snprintf(names[2 * i], sizeof(names[0]), "%s total", per[i]->name);
		snprintf(names[2 * i + 1], sizeof(names[0]), "%s risk-adj.",
		    per[i]->name);
		labels[2 * i] = names[2 * i];
		labels[2 * i + 1] = names[2 * i + 1];
		pipe[2 * i] = row[i].pipeline;
		pipe[2 * i + 1] = row[i].risk_adjusted;
		target[2 * i] = row[i].has_plan ? row[i].total_target : 0;
		target[2 * i + 1] = row[i].has_plan ? row[i].risk_target : 0;
	}
	buf_addstr(r->b, "</table>\n");
	money_bars(r, "Pipeline against its target (dashed), this and next "
	    "quarter", labels, 4, &s, target, "target", 240);
	plan_result_free(&res[0]);
	plan_result_free(&res[1]);
}

/* ---- KPIs against the peers ---- */

static void
section_kpis(struct report *r, const struct jval *card_json)
{
	const struct jval *k = jv_get(card_json, "kpis");
	struct svg_compare_row rows[SCORE_KPIS];
	char txt[SCORE_KPIS][3][HUMAN_LEN], p[64];
	static const char *const heads[] = { "KPI", "This partner",
		"Peer average", "Top decile", "Percentile" };
	size_t i, n = 0;

	report_h2(r, "KPIs against the peers");
	buf_addstr(r->b, "<table>");
	th_row(r->b, heads, 5, 1);
	for (i = 0; i < SCORE_KPIS; i++) {
		const struct jval *x = jv_get(k, score_kpi_names[i]);
		double raw, avg, top, pct;

		if (x == NULL || !ctl_num(x, "/raw", &raw))
			continue;
		avg = num(x, "/peer_average", 0);
		top = num(x, "/peer_top_decile", 0);
		pct = num(x, "/percentile", 0);
		ctl_kpi_figure((int)i, raw, txt[n][0], HUMAN_LEN);
		ctl_kpi_figure((int)i, avg, txt[n][1], HUMAN_LEN);
		ctl_kpi_figure((int)i, top, txt[n][2], HUMAN_LEN);
		buf_addstr(r->b, "<tr>");
		td(r->b, ctl_kpi_label((int)i), 0);
		td(r->b, txt[n][0], 1);
		td(r->b, txt[n][1], 1);
		td(r->b, txt[n][2], 1);
		snprintf(p, sizeof(p), "%.0f", pct);
		td(r->b, p, 1);
		buf_addstr(r->b, "</tr>");
		rows[n].label = ctl_kpi_label((int)i);
		rows[n].value = raw;
		rows[n].avg = avg;
		rows[n].top = top;
		rows[n].value_text = txt[n][0];
		rows[n].avg_text = txt[n][1];
		rows[n].top_text = txt[n][2];
		n++;
	}
	buf_addstr(r->b, "</table>\n");
	if (*ctl_js(card_json, "flags")) {
		buf_addstr(r->b, "<p class=\"note\">Not scored for lack of data: ");
		html_escape(r->b, ctl_js(card_json, "flags"));
		buf_addstr(r->b, ".</p>");
	}
	if (n)
		svg_compare(r->b, "Each KPI against the peer average and the top "
		    "decile", rows, n, 720);
}

/* ---- the tier and the trend ---- */

static void
section_tier(struct report *r, const struct jval *cur, const struct jval *card_json,
    const struct jval *periods)
{
	size_t n = jv_array_len(periods), i, from = n > 4 ? n - 4 : 0, k = 0;
	struct svg_hbar bars[4];
	char t[4][HUMAN_LEN];

	report_h2(r, "Program tier");
	buf_addstr(r->b, "<p>Tier <b>");
	html_escape(r->b, *ctl_js(cur, "tier") ? ctl_js(cur, "tier") : "none");
	buf_addstr(r->b, "</b>");
	if (*ctl_js(card_json, "tier_rule")) {
		buf_addstr(r->b, ", placed by the rule ");
		html_escape(r->b, ctl_js(card_json, "tier_rule"));
	}
	buf_addstr(r->b, ".");
	if (*ctl_js(card_json, "next_tier")) {
		buf_addstr(r->b, " For ");
		html_escape(r->b, ctl_js(card_json, "next_tier"));
		buf_addstr(r->b, " it still needs: ");
		html_escape(r->b, ctl_js(card_json, "next_tier_needs"));
		buf_addstr(r->b, ".");
	} else
		buf_addstr(r->b, " This is the program's top tier.");
	buf_addstr(r->b, "</p>\n");
	for (i = from; i < n; i++) {
		const struct jval *p = jv_array_at(periods, i);
		double d;

		bars[k].label = ctl_js(p, "period");
		bars[k].value = ctl_num(p, "/score", &d) ? d : 0;
		if (ctl_num(p, "/score", &d))
			snprintf(t[k], sizeof(t[k]), "%.1f %s", d, ctl_js(p, "tier"));
		else
			snprintf(t[k], sizeof(t[k]), "no score");
		bars[k].text = t[k];
		bars[k].color = NULL;
		k++;
	}
	svg_hbars(r->b, "Score over the last four periods (0-100)", bars, k, 720);
}

/* ---- registrations from submitted to won ---- */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
section_registrations(struct report *r, const char *pid)
{
	struct ctl_out o;
	struct jval *rows;
	char since[CLOCK_ISO_LEN], a[3][HUMAN_LEN], med[HUMAN_LEN];
	double submitted = 0, approved = 0, won = 0, *days;
	size_t i, n, nd = 0;
	struct svg_hbar bars[3];
	static const char *const heads[] = { "Customer", "Product", "Status",
		"Registered", "Decided" };

	norm_time_format(clock_now() - 365 * 86400, since);
	ctl_out_init(&o, 1);
	rows = report_rows(store_report_registrations(r->c->st, pid, since,
	    ctl_collect, &o), &o);
	n = jv_array_len(rows);
	days = xcalloc(n + 1, sizeof(double));
	for (i = 0; i < n; i++) {
		const struct jval *x = jv_array_at(rows, i);
		const char *st = ctl_js(x, "status");
		int64_t t0, t1;

		submitted++;
		if (!strcmp(st, "approved") || !strcmp(st, "won") ||
		    !strcmp(st, "lost") || !strcmp(st, "expired"))
			approved++;
		if (!strcmp(st, "won"))
			won++;
		if (*ctl_js(x, "decided_at") && norm_time(ctl_js(x,
		    "registered_at"), TIME_ISO8601, &t0) == 0 && norm_time(ctl_js(x,
		    "decided_at"), TIME_ISO8601, &t1) == 0 && t1 >= t0)
			days[nd++] = (double)(t1 - t0) / 86400.0;
	}
	qsort(days, nd, sizeof(double), cmp_double);
	if (nd)
		snprintf(med, sizeof(med), "%.1f days", nd % 2 ? days[nd / 2] :
		    (days[nd / 2 - 1] + days[nd / 2]) / 2);
	else
		snprintf(med, sizeof(med), "none decided");
	report_h2(r, "Deal registrations (trailing year)");
	buf_addstr(r->b, "<div class=\"cards\">");
	human_thousands(submitted, 0, a[0], HUMAN_LEN);
	card(r->b, a[0], "submitted");
	human_thousands(approved, 0, a[1], HUMAN_LEN);
	card(r->b, a[1], "approved");
	human_thousands(won, 0, a[2], HUMAN_LEN);
	card(r->b, a[2], "won");
	card(r->b, med, "median approval turnaround");
	buf_addstr(r->b, "</div>");
	bars[0] = (struct svg_hbar){ "submitted", submitted, a[0], "#bab0ac" };
	bars[1] = (struct svg_hbar){ "approved", approved, a[1], "#4e79a7" };
	bars[2] = (struct svg_hbar){ "won", won, a[2], "#59a14f" };
	svg_hbars(r->b, "Registrations: submitted, approved, won", bars, 3, 720);
	buf_addstr(r->b, "<table>");
	th_row(r->b, heads, 5, 5);
	for (i = 0; i < n && i < 12; i++) {
		const struct jval *x = jv_array_at(rows, i);

		buf_addstr(r->b, "<tr>");
		td(r->b, ctl_js(x, "customer_name"), 0);
		td(r->b, ctl_js(x, "product"), 0);
		td(r->b, ctl_js(x, "status"), 0);
		td(r->b, ctl_js(x, "registered_at"), 0);
		td(r->b, *ctl_js(x, "decided_at") ? ctl_js(x, "decided_at") : "-", 0);
		buf_addstr(r->b, "</tr>");
	}
	buf_addstr(r->b, "</table>");
	if (n > 12)
		buf_addf(r->b, "<p class=\"note\">The latest 12 of %zu.</p>", n);
	free(days);
	jv_free(rows);
}

/* ---- certifications and MDF ---- */

static void
section_certs_mdf(struct report *r, const char *pid, const struct jval *card_json)
{
	const struct jval *m = jv_get(card_json, "mdf");
	struct ctl_out o;
	struct jval *rows;
	char since[CLOCK_ISO_LEN], a[6][HUMAN_LEN];
	size_t i, n, active = 0;
	struct svg_hbar bars[4];
	double paid = num(m, "/paid", 0), rev = num(m, "/attributed_revenue", 0);

	norm_time_format(clock_now() - r->c->cfg->scoring.certification_valid,
	    since);
	ctl_out_init(&o, 1);
	rows = report_rows(store_report_activities(r->c->st, pid, "certification",
	    ctl_collect, &o), &o);
	n = jv_array_len(rows);
	for (i = 0; i < n; i++)
		if (strcmp(ctl_js(jv_array_at(rows, i), "occurred_at"), since) >= 0)
			active++;
	report_h2(r, "Certifications");
	buf_addf(r->b, "<p>%zu active (completed in the last %lld days) of %zu "
	    "on record.</p><table><tr><th>Completed</th><th>Record</th>"
	    "<th>Status</th></tr>", active, (long long)(r->c->cfg->scoring.
	    certification_valid / 86400), n);
	for (i = 0; i < n && i < 12; i++) {
		const struct jval *x = jv_array_at(rows, i);

		buf_addstr(r->b, "<tr>");
		td(r->b, ctl_js(x, "occurred_at"), 0);
		td(r->b, ctl_js(x, "external_id"), 0);
		td(r->b, strcmp(ctl_js(x, "occurred_at"), since) >= 0 ? "active" :
		    "lapsed", 0);
		buf_addstr(r->b, "</tr>");
	}
	buf_addstr(r->b, "</table>");
	jv_free(rows);
	report_h2(r, "Market development funds (trailing year)");
	report_money(r, num(m, "/claimed", 0), a[0], HUMAN_LEN);
	report_money(r, num(m, "/approved", 0), a[1], HUMAN_LEN);
	report_money(r, num(m, "/rejected", 0), a[2], HUMAN_LEN);
	report_money(r, paid, a[3], HUMAN_LEN);
	report_money(r, rev, a[4], HUMAN_LEN);
	if (paid > 0)
		human_multiple(rev / paid, a[5], HUMAN_LEN);
	else
		snprintf(a[5], HUMAN_LEN, "no MDF paid");
	buf_addstr(r->b, "<div class=\"cards\">");
	card(r->b, a[0], "claimed");
	card(r->b, a[1], "approved");
	card(r->b, a[2], "rejected");
	card(r->b, a[3], "paid");
	card(r->b, a[4], "closed-won from funded campaigns");
	card(r->b, a[5], "MDF return (revenue / paid)");
	buf_addstr(r->b, "</div>");
	bars[0] = (struct svg_hbar){ "claimed", num(m, "/claimed", 0), a[0], "#bab0ac" };
	bars[1] = (struct svg_hbar){ "approved", num(m, "/approved", 0), a[1], "#4e79a7" };
	bars[2] = (struct svg_hbar){ "paid", paid, a[3], "#59a14f" };
	bars[3] = (struct svg_hbar){ "rejected", num(m, "/rejected", 0), a[2], "#e15759" };
	svg_hbars(r->b, "MDF claimed, approved, paid, rejected", bars, 4, 720);
}

/* ---- open alerts and what to do ---- */

static const char *
partner_action(const char *type)
{
	size_t i;

	for (i = 0; i < sizeof(partner_alerts) / sizeof(partner_alerts[0]); i++)
		if (strcmp(partner_alerts[i].type, type) == 0)
			return partner_alerts[i].action;
	return NULL;
}

static void
section_alerts(struct report *r, const char *pid)
{
	struct store_alert_filter f;
	struct ctl_out o;
	struct jval *rows;
	size_t i, n, shown = 0;

	memset(&f, 0, sizeof(f));
	f.partner_id = pid;
	ctl_out_init(&o, 1);
	rows = report_rows(store_list_alerts(r->c->st, &f, ctl_collect, &o), &o);
	n = jv_array_len(rows);
	report_h2(r, "Open alerts and actions");
	buf_addstr(r->b, "<table><tr><th>Severity</th><th>What</th>"
	    "<th>Action</th></tr>");
	for (i = 0; i < n; i++) {
		const struct jval *x = jv_array_at(rows, i);
		const char *msg = ctl_js(x, "message");
		const char *advice = strstr(msg, " To do:");	/* the alert's own */
		const char *action = partner_action(ctl_js(x, "type"));
		char *what;

		if (r->partner_audience && action == NULL)
			continue;	/* about others, or internal */
		what = advice ? xasprintf("%.*s", (int)(advice - msg), msg) :
		    xstrdup(msg);
		buf_addf(r->b, "<tr><td class=\"sev-%s\">", ctl_js(x, "severity"));
		html_escape(r->b, ctl_js(x, "severity"));
		buf_addstr(r->b, "</td>");
		td(r->b, what, 0);
		td(r->b, r->partner_audience ? action : advice ? advice + 7 : "", 0);
		buf_addstr(r->b, "</tr>");
		free(what);
		shown++;
	}
	if (shown == 0)
		buf_addstr(r->b, "<tr><td colspan=\"3\">None open.</td></tr>");
	buf_addstr(r->b, "</table>\n");
	jv_free(rows);
}

/* Conflicts name the other partners: internal pages only. */
static void
section_conflicts(struct report *r, const char *pid)
{
	struct ctl_out o;
	struct jval *rows;
	size_t i, n;

	ctl_out_init(&o, 1);
	rows = report_rows(store_partner_conflicts(r->c->st, pid, ctl_collect,
	    &o), &o);
	n = jv_array_len(rows);
	report_h2(r, "Open conflicts (internal)");
	buf_addstr(r->b, "<table><tr><th>Conflict</th><th>Type</th><th>Customer"
	    "</th><th>Against</th><th>This partner's claims</th><th>Recommended"
	    "</th></tr>");
	for (i = 0; i < n; i++) {
		const struct jval *x = jv_array_at(rows, i);

		buf_addstr(r->b, "<tr>");
		td(r->b, ctl_js(x, "key"), 0);
		td(r->b, ctl_js(x, "type"), 0);
		td(r->b, ctl_js(x, "customer"), 0);
		td(r->b, ctl_js(x, "others"), 0);
		td(r->b, ctl_js(x, "claims"), 0);
		td(r->b, ctl_js(x, "winner"), 0);
		buf_addstr(r->b, "</tr>");
	}
	if (n == 0)
		buf_addstr(r->b, "<tr><td colspan=\"6\">None open.</td></tr>");
	buf_addstr(r->b, "</table>\n");
	jv_free(rows);
}

/* ---- the page ---- */

/* The place of pid among period's scores: 1-based, and how many share it. */
static void
rank_of(struct report *r, const char *pid, size_t *place, size_t *shared,
    size_t *of)
{
	struct ctl_out o;
	struct jval *rows;
	double mine = -1, d;
	size_t i, n;

	*place = *shared = 0;
	ctl_out_init(&o, 1);
	rows = report_rows(store_partner_periods(r->c->st, NULL, r->period,
	    ctl_collect, &o), &o);
	n = jv_array_len(rows);
	*of = 0;
	for (i = 0; i < n; i++)
		if (strcmp(ctl_js(jv_array_at(rows, i), "partner_id"), pid) == 0)
			mine = round(num(jv_array_at(rows, i), "/score", -1) * 10);
	for (i = 0; i < n; i++) {
		if (!ctl_num(jv_array_at(rows, i), "/score", &d))
			continue;
		(*of)++;
		if (round(d * 10) > mine)
			(*place)++;
		else if (round(d * 10) == mine)
			(*shared)++;
	}
	(*place)++;
	jv_free(rows);
}

static void
header(struct report *r, const char *pid, const struct jval *cur)
{
	size_t place, shared, of;
	char a[HUMAN_LEN], b[HUMAN_LEN];
	double d;

	rank_of(r, pid, &place, &shared, &of);
	buf_addstr(r->b, "<div class=\"cards\">");
	if (ctl_num(cur, "/score", &d)) {
		snprintf(a, sizeof(a), "%.1f", d);
		card(r->b, a, "score (0-100, against the peers)");
		snprintf(b, sizeof(b), "%s%zu of %zu", shared > 1 ? "=" : "", place,
		    of);
		card(r->b, b, "rank among the partners");
	}
	card(r->b, *ctl_js(cur, "tier") ? ctl_js(cur, "tier") : "none", "tier");
	if (ctl_num(cur, "/attainment", &d)) {
		human_percent(d, a, sizeof(a));
		card(r->b, a, "plan attainment");
	}
	report_money(r, num(cur, "/closed_won", 0), a, sizeof(a));
	card(r->b, a, "closed-won");
	buf_addstr(r->b, "</div>\n");
}

int
report_partner(struct report *r, const char *pid)
{
	struct ctl_out o;
	struct jval *periods, *card_json = NULL;
	const struct jval *cur = NULL;
	char *title, *sub, err[64];
	size_t i;

	ctl_out_init(&o, 1);
	periods = report_rows(store_partner_periods(r->c->st, pid, NULL,
	    ctl_collect, &o), &o);
	if (periods == NULL) {
		fprintf(stderr, "chansyncctl: %s\n", store_errmsg(r->c->st));
		return EX_IOERR;
	}
	for (i = 0; i < jv_array_len(periods); i++)
		if (strcmp(ctl_js(jv_array_at(periods, i), "period"), r->period) == 0)
			cur = jv_array_at(periods, i);
	if (cur == NULL) {
		fprintf(stderr, "chansyncctl: partner %s has no scorecard for %s "
		    "(chansyncd scores every period with a plan; chansyncctl scores "
		    "--partner %s lists them)\n", pid, r->period, pid);
		jv_free(periods);
		return EX_DATAERR;
	}
	if (*ctl_js(cur, "kpis"))
		card_json = jv_parse(ctl_js(cur, "kpis"), strlen(ctl_js(cur, "kpis")),
		    err, sizeof(err));
	if (card_json == NULL)
		card_json = jv_object();
	title = xasprintf("%s: quarterly business review, %s", ctl_js(cur,
	    "name"), r->period);
	sub = xasprintf("%s report prepared %s; pipeline as of today for %s and "
	    "%s", r->partner_audience ? "Partner" : "Internal", r->today,
	    r->cur.name, r->next.name);
	report_open(r, title, sub);
	header(r, pid, cur);
	section_plan(r, periods);
	section_pipeline(r, pid);
	section_kpis(r, card_json);
	section_tier(r, cur, card_json, periods);
	section_registrations(r, pid);
	section_certs_mdf(r, pid, card_json);
	section_alerts(r, pid);
	if (!r->partner_audience)
		section_conflicts(r, pid);
	report_close(r);
	free(title);
	free(sub);
	jv_free(card_json);
	jv_free(periods);
	return EX_OK;
}
