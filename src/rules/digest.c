/*
 * digest.c - one owner's daily digest (see digest.h).
 */
#include "rules/digest.h"
#include "lib/humanfmt.h"
#include "lib/mem.h"
#include "lib/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An alert line's text at most this long (a mail line stays short). */
#define LINE_MAX_CHARS 400

static int
after(const char *t, const char *since)
{
	return t && (since == NULL || strcmp(t, since) > 0);
}

static int
is_open(const struct digest_alert *a)
{
	return a->status && strcmp(a->status, "open") == 0;
}

static int
is_critical(const struct digest_alert *a)
{
	return a->severity && strcmp(a->severity, "critical") == 0;
}

static int
is_conflict(const struct digest_alert *a)
{
	return a->type && (strcmp(a->type, "partner_conflict") == 0 ||
	    strcmp(a->type, "double_approval") == 0 ||
	    strcmp(a->type, "direct_conflict") == 0);
}

enum section { S_CRITICAL, S_NEW, S_ESCALATED, S_WAITING, S_RESOLVED };

static int
in_section(const struct digest_input *in, const struct digest_alert *a,
    enum section s)
{
	switch (s) {
	case S_CRITICAL:
		return is_open(a) && is_critical(a);
	case S_NEW:
		return is_open(a) && !is_critical(a) &&
		    after(a->first_seen, in->since);
	case S_ESCALATED:
		return is_open(a) && !is_critical(a) &&
		    !after(a->first_seen, in->since) &&
		    after(a->escalated_at, in->since);
	case S_WAITING:
		return is_open(a) && is_conflict(a);
	case S_RESOLVED:
		return !is_open(a) && after(a->resolved_at, in->since);
	}
	return 0;
}

/* "  - text", the text cut at a character boundary. */
static void
line(struct buf *b, const char *mark, const char *text)
{
	char *cut = utf8_cut(text ? text : "", LINE_MAX_CHARS);

	buf_addf(b, "  - %s%s%s\n", mark, cut, strlen(cut) < strlen(text ?
	    text : "") ? "..." : "");
	free(cut);
}

static int
section(struct buf *b, const struct digest_input *in, enum section s,
    const char *title)
{
	size_t i, n = 0, shown = 0;

	for (i = 0; i < in->nalerts; i++)
		n += in_section(in, &in->alerts[i], s) != 0;
	if (n == 0)
		return 0;
	buf_addf(b, "\n%s (%zu)\n", title, n);
	for (i = 0; i < in->nalerts && shown < DIGEST_MAX_LINES; i++) {
		const struct digest_alert *a = &in->alerts[i];
		char mark[64];

		if (!in_section(in, a, s))
			continue;
		shown++;
		if (s == S_CRITICAL)
			snprintf(mark, sizeof(mark), "%s", after(a->first_seen,
			    in->since) ? "[new] " : after(a->escalated_at,
			    in->since) ? "[escalated] " : "");
		else
			mark[0] = '\0';
		if (s == S_WAITING) {
			char *t = xasprintf("%s %s: decide with chansyncctl conflict "
			    "%s decide --winner MEMBER --reason TEXT", a->subject ?
			    a->subject : a->key, a->type, a->subject ? a->subject :
			    a->key);

			line(b, "", t);
			free(t);
		} else if (s == S_RESOLVED) {
			char *t = xasprintf("%s (resolved %.10s)", a->key,
			    a->resolved_at);

			line(b, "", t);
			free(t);
		} else
			line(b, mark, a->message);
	}
	if (n > shown)
		buf_addf(b, "  ... and %zu more: chansyncctl alerts --owner \"%s\"\n",
		    n - shown, in->owner);
	return (int)n;
}

static void
money(double v, char *out, size_t len)
{
	human_thousands(v, 0, out, len);
}

/* The approval queue in one paragraph: counts by business age, value,
 * and the oldest claims not yet stale. */
static int
queue_part(struct buf *b, const struct digest_input *in)
{
	const struct queue_result *q = in->queue;
	double total = 0;
	size_t i, shown = 0;
	char v[48];

	if (q == NULL || q->n == 0)
		return 0;
	for (i = 0; i < QB_COUNT; i++)
		total += q->value[i];
	money(total, v, sizeof(v));
	buf_addf(b, "\nApproval queue (%zu pending, %s %s)\n", q->n, v,
	    in->currency ? in->currency : "USD");
	buf_addf(b, "  business days: 0-2: %lld, 2-4: %lld, 4-10: %lld, "
	    "over 10: %lld, stale: %lld\n", (long long)q->count[QB_0_2],
	    (long long)q->count[QB_2_4], (long long)q->count[QB_4_10],
	    (long long)q->count[QB_OVER_10], (long long)q->count[QB_STALE]);
	for (i = 0; i < q->n && shown < 5; i++) {
		const struct queue_row *r = &q->rows[i];
		char *t;

		if (r->bucket == QB_STALE || r->age < 2)
			continue;
		money(r->claim->has_amount ? r->claim->amount : 0, v, sizeof(v));
		t = xasprintf("%s by %s for %s: waiting %.1f business days, %s %s",
		    r->claim->key, r->claim->partner ? r->claim->partner :
		    r->claim->partner_id ? r->claim->partner_id : "?",
		    r->claim->customer ? r->claim->customer : "?", r->age, v,
		    in->currency ? in->currency : "USD");
		line(b, "", t);
		free(t);
		shown++;
	}
	buf_addf(b, "  chansyncctl queue --owner \"%s\"\n", in->owner);
	return 1;
}

int
digest_compose(const struct digest_input *in, struct digest *out)
{
	struct buf b;
	int queue;

	memset(out, 0, sizeof(*out));
	buf_init(&b, 0);
	buf_addf(&b, "chansync digest for %s, %s\n", in->owner, in->day);
	out->critical = section(&b, in, S_CRITICAL, "Needs you today");
	out->fresh = section(&b, in, S_NEW, "New since the last digest");
	out->escalated = section(&b, in, S_ESCALATED, "Escalated");
	out->waiting = section(&b, in, S_WAITING, "Conflicts waiting for your "
	    "decision");
	queue = queue_part(&b, in);
	out->resolved = section(&b, in, S_RESOLVED, "Resolved since the last "
	    "digest");
	if (!out->critical && !out->fresh && !out->escalated && !out->waiting &&
	    !queue && !out->resolved) {
		buf_free(&b);
		memset(out, 0, sizeof(*out));
		return 0;
	}
	out->body = buf_steal(&b);
	buf_free(&b);
	out->subject = xasprintf("chansync digest for %s, %s: %d critical, %d "
	    "new, %d resolved", in->owner, in->day, out->critical, out->fresh,
	    out->resolved);
	return 1;
}

void
digest_free(struct digest *d)
{
	free(d->subject);
	free(d->body);
	memset(d, 0, sizeof(*d));
}
