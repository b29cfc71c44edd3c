/*
 * ctl_report_program.c - the partner program's page (contract §16): the
 * partners ranked, the tier distribution, the conflicts waiting for a
 * decision and the approval queue. An internal page: it names everyone.
 */
#include "ctl_report.h"
#include "lib/humanfmt.h"
#include "lib/json.h"
#include "lib/mem.h"
#include "lib/svg.h"
#include "rules/queue.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

static void
cell(struct buf *b, const char *s, int num)
{
	buf_addstr(b, num ? "<td class=\"n\">" : "<td>");
	html_escape(b, s);
	buf_addstr(b, "</td>");
}

/* Ranked partners; places shared by equal scores (as shown) say "=". */
static void
section_ranking(struct report *r, const struct jval *rows)
{
	size_t i, n = jv_array_len(rows), place = 0;
	double last = -1;

	report_h2(r, "Partners ranked");
	buf_addstr(r->b, "<table><tr><th class=\"n\">#</th><th>Partner</th>"
	    "<th>Tier</th><th class=\"n\">Score</th><th class=\"n\">Attainment"
	    "</th><th class=\"n\">Closed-won</th><th class=\"n\">Plan</th></tr>");
	for (i = 0; i < n; i++) {
		const struct jval *x = jv_array_at(rows, i);
		char a[HUMAN_LEN], p[24];
		double d, shown;
		int shared;

		if (!ctl_num(x, "/score", &d)) {
			snprintf(p, sizeof(p), "-");
			shown = -1;
		} else {
			shown = round(d * 10);
			if (shown != last)
				place = i + 1;
			shared = (i + 1 < n && ctl_num(jv_array_at(rows, i + 1),
			    "/score", &d) && round(d * 10) == shown) || shown == last;
			snprintf(p, sizeof(p), "%s%zu", shared ? "=" : "", place);
		}
		last = shown;
		buf_addstr(r->b, "<tr>");
		cell(r->b, p, 1);
		cell(r->b, *ctl_js(x, "name") ? ctl_js(x, "name") :
		    ctl_js(x, "partner_id"), 0);
		cell(r->b, *ctl_js(x, "tier") ? ctl_js(x, "tier") : "-", 0);
		if (ctl_num(x, "/score", &d))
			snprintf(a, sizeof(a), "%.1f", d);
		else
			snprintf(a, sizeof(a), "-");
		cell(r->b, a, 1);
		if (ctl_num(x, "/attainment", &d))
			human_percent(d, a, sizeof(a));
		else
			snprintf(a, sizeof(a), "-");
		cell(r->b, a, 1);
		report_money(r, ctl_num(x, "/closed_won", &d) ? d : 0, a, sizeof(a));
		cell(r->b, a, 1);
		if (ctl_num(x, "/plan_target", &d))
			report_money(r, d, a, sizeof(a));
		else
			snprintf(a, sizeof(a), "no plan");
		cell(r->b, a, 1);
		buf_addstr(r->b, "</tr>");
	}
	buf_addstr(r->b, "</table>\n");
}

/* How many partners each configured tier holds, top down. */
static void
section_tiers(struct report *r, const struct jval *rows)
{
	const struct config *cfg = r->c->cfg;
	size_t nt = cfg->scoring.ntiers, i, j, n = jv_array_len(rows);
	struct svg_hbar *bars = xcalloc(nt + 2, sizeof(*bars));
	char (*t)[HUMAN_LEN] = xcalloc(nt + 2, HUMAN_LEN);
	static const char *const colors[] = { "#4e79a7", "#f28e2b", "#bab0ac",
		"#a0522d", "#59a14f", "#76b7b2" };
	size_t none = 0;

	for (i = 0; i < nt; i++) {
		bars[i].label = cfg->scoring.tiers[i].name;
		bars[i].color = colors[i % 6];
	}
	for (j = 0; j < n; j++) {
		const char *tier = ctl_js(jv_array_at(rows, j), "tier");

		for (i = 0; i < nt; i++)
			if (strcasecmp(tier, cfg->scoring.tiers[i].name) == 0) {
				bars[i].value++;
				break;
			}
		none += i == nt;
	}
	for (i = 0; i < nt; i++) {
		snprintf(t[i], HUMAN_LEN, "%.0f (%.0f%%)", bars[i].value, n ?
		    100.0 * bars[i].value / (double)n : 0);
		bars[i].text = t[i];
	}
	report_h2(r, "Tier distribution");
	svg_hbars(r->b, "Partners by tier", bars, nt, 720);
	if (none)
		buf_addf(r->b, "<p class=\"note\">%zu without a score, so without "
		    "a tier.</p>", none);
	free(bars);
	free(t);
}

static void
section_conflicts(struct report *r)
{
	struct store_conflict_filter f;
	struct ctl_out o;
	struct jval *rows;
	size_t i, n;

	memset(&f, 0, sizeof(f));
	ctl_out_init(&o, 1);
	rows = report_rows(store_list_conflicts(r->c->st, &f, ctl_collect, &o),
	    &o);
	n = jv_array_len(rows);
	report_h2(r, "Conflicts waiting for a decision");
	buf_addf(r->b, "<p>%zu open. Decide with chansyncctl conflict KEY decide "
	    "--winner MEMBER --reason TEXT.</p>", n);
	buf_addstr(r->b, "<table><tr><th>Conflict</th><th>Type</th><th>Customer"
	    "</th><th class=\"n\">Partners</th><th>Recommended</th><th>Open "
	    "since</th></tr>");
	for (i = 0; i < n && i < 40; i++) {
		const struct jval *x = jv_array_at(rows, i);
		char p[24];
		double d;

		snprintf(p, sizeof(p), "%.0f", ctl_num(x, "/partners", &d) ? d : 0);
		buf_addstr(r->b, "<tr>");
		cell(r->b, ctl_js(x, "key"), 0);
		cell(r->b, ctl_js(x, "type"), 0);
		cell(r->b, ctl_js(x, "customer"), 0);
		cell(r->b, p, 1);
		cell(r->b, ctl_js(x, "winner"), 0);
		cell(r->b, ctl_js(x, "opened_at"), 0);
		buf_addstr(r->b, "</tr>");
	}
	buf_addstr(r->b, "</table>");
	if (n > 40)
		buf_addf(r->b, "<p class=\"note\">The first 40 of %zu "
		    "(chansyncctl conflicts lists them all).</p>", n);
	jv_free(rows);
}

static int
section_queue(struct report *r)
{
	struct queue_claim *claims = NULL;
	struct queue_decided *d = NULL;
	struct queue_result q;
	struct svg_hbar bars[QB_COUNT];
	char t[QB_COUNT][2 * HUMAN_LEN], v[HUMAN_LEN];
	struct arena a;
	size_t i;

	memset(&a, 0, sizeof(a));
	if (ctl_queue_now(r->c, NULL, NULL, &a, &claims, &d, &q) < 0) {
		arena_free(&a);
		return -1;
	}
	report_h2(r, "Approval queue");
	buf_addf(r->b, "<p>%zu registrations wait for approval.</p>", q.n);
	for (i = 0; i < QB_COUNT; i++) {
		report_money(r, q.value[i], v, sizeof(v));
		snprintf(t[i], sizeof(t[i]), "%lld (%s)", (long long)q.count[i], v);
		bars[i].label = i == QB_STALE ? "stale" : queue_bucket_name((int)i);
		bars[i].value = (double)q.count[i];
		bars[i].text = t[i];
		bars[i].color = i >= QB_4_10 ? "#e15759" : "#4e79a7";
	}
	svg_hbars(r->b, "Waiting, by business days since submitted", bars,
	    QB_COUNT, 720);
	buf_addstr(r->b, "<table><tr><th>Source</th><th class=\"n\">Decided "
	    "(90 days)</th><th class=\"n\">Median</th><th class=\"n\">p90</th>"
	    "</tr>");
	for (i = 0; i < q.nta; i++) {
		char n[24], m[24], p[24];

		snprintf(n, sizeof(n), "%d", q.ta[i].decided);
		snprintf(m, sizeof(m), "%.1f days", q.ta[i].median);
		snprintf(p, sizeof(p), "%.1f days", q.ta[i].p90);
		buf_addstr(r->b, "<tr>");
		cell(r->b, q.ta[i].source, 0);
		cell(r->b, n, 1);
		cell(r->b, m, 1);
		cell(r->b, p, 1);
		buf_addstr(r->b, "</tr>");
	}
	buf_addstr(r->b, "</table>\n");
	queue_result_free(&q);
	free(claims);
	free(d);
	arena_free(&a);
	return 0;
}

int
report_program(struct report *r)
{
	struct ctl_out o;
	struct jval *rows;
	char *title, *sub;
	int rc = EX_OK;

	ctl_out_init(&o, 1);
	rows = report_rows(store_partner_periods(r->c->st, NULL, r->period,
	    ctl_collect, &o), &o);
	if (rows == NULL) {
		fprintf(stderr, "chansyncctl: %s\n", store_errmsg(r->c->st));
		return EX_IOERR;
	}
	title = xasprintf("Partner program review, %s", r->period);
	sub = xasprintf("Internal report prepared %s: %zu partners scored",
	    r->today, jv_array_len(rows));
	report_open(r, title, sub);
	section_ranking(r, rows);
	section_tiers(r, rows);
	section_conflicts(r);
	if (section_queue(r) < 0) {
		fprintf(stderr, "chansyncctl: %s\n", store_errmsg(r->c->st));
		rc = EX_IOERR;
	}
	report_close(r);
	free(title);
	free(sub);
	jv_free(rows);
	return rc;
}
