/* test_digest.c - one owner's digest on structs: which alert goes in which
 * section, the order, the cap per section, the queue paragraph, and
 * nothing to say. */
#include "rules/digest.h"
#include "t.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SINCE "2026-12-06T07:00:00Z"

static void
test_sections(void)
{
	const struct digest_alert alerts[] = {
		/* critical and new */
		{ "double_approval:DA-1", "double_approval", "critical",
		  "double_approval: 2 claims on Müller", "open",
		  "2026-12-07T06:00:00Z", NULL, NULL, "DA-1" },
		/* critical, older, escalated since */
		{ "approval_sla_breach:crm:1", "approval_sla_breach", "critical",
		  "approval_sla_breach: waited 5 business days", "open",
		  "2026-12-01T06:00:00Z", NULL, "2026-12-07T05:00:00Z", "crm:1" },
		/* critical, older, nothing new: still needs them today */
		{ "pipeline_below_plan:P1:2026-Q4", "pipeline_below_plan",
		  "critical", "pipeline_below_plan: 0.2x", "open",
		  "2026-11-01T06:00:00Z", NULL, NULL, "P1" },
		/* a warning, new */
		{ "partner_conflict:PC-1", "partner_conflict", "warning",
		  "partner_conflict: 2 claims on Acme", "open",
		  "2026-12-07T06:30:00Z", NULL, NULL, "PC-1" },
		/* a warning escalated from info */
		{ "pipeline_past_due:P2", "pipeline_past_due", "warning",
		  "pipeline_past_due: 3 open", "open", "2026-11-01T06:00:00Z",
		  NULL, "2026-12-06T09:00:00Z", "P2" },
		/* an old warning: not in the digest */
		{ "registration_expiring:crm:2", "registration_expiring",
		  "warning", "registration_expiring: soon", "open",
		  "2026-11-01T06:00:00Z", NULL, NULL, "crm:2" },
		/* resolved since, and resolved before */
		{ "approval_sla_warning:crm:3", "approval_sla_warning", "warning",
		  "x", "resolved", "2026-12-01T06:00:00Z", "2026-12-06T10:00:00Z",
		  NULL, "crm:3" },
		{ "approval_sla_warning:crm:4", "approval_sla_warning", "warning",
		  "y", "resolved", "2026-11-01T06:00:00Z", "2026-12-05T10:00:00Z",
		  NULL, "crm:4" },
	};
	struct digest_input in;
	struct digest d;
	const char *want =
	    "chansync digest for Ana Ruiz, 2026-12-07\n"
	    "\n"
	    "Needs you today (3)\n"
	    "  - [new] double_approval: 2 claims on Müller\n"
	    "  - [escalated] approval_sla_breach: waited 5 business days\n"
	    "  - pipeline_below_plan: 0.2x\n"
	    "\n"
	    "New since the last digest (1)\n"
	    "  - partner_conflict: 2 claims on Acme\n"
	    "\n"
	    "Escalated (1)\n"
	    "  - pipeline_past_due: 3 open\n"
	    "\n"
	    "Conflicts waiting for your decision (2)\n"
	    "  - DA-1 double_approval: decide with chansyncctl conflict DA-1 "
	    "decide --winner MEMBER --reason TEXT\n"
	    "  - PC-1 partner_conflict: decide with chansyncctl conflict PC-1 "
	    "decide --winner MEMBER --reason TEXT\n"
	    "\n"
	    "Resolved since the last digest (1)\n"
	    "  - approval_sla_warning:crm:3 (resolved 2026-12-06)\n";

	memset(&in, 0, sizeof(in));
	in.owner = "Ana Ruiz";
	in.day = "2026-12-07";
	in.since = SINCE;
	in.alerts = alerts;
	in.nalerts = sizeof(alerts) / sizeof(alerts[0]);
	CHECK_INT(digest_compose(&in, &d), 1);
	CHECK_STR(d.body, want);
	CHECK_STR(d.subject, "chansync digest for Ana Ruiz, 2026-12-07: 3 "
	    "critical, 1 new, 1 resolved");
	digest_free(&d);
	/* the same input, the same text */
	CHECK_INT(digest_compose(&in, &d), 1);
	CHECK_STR(d.body, want);
	digest_free(&d);
}

static void
test_cap_and_queue(void)
{
	struct digest_alert a[DIGEST_MAX_LINES + 3];
	char keys[DIGEST_MAX_LINES + 3][32];
	struct queue_claim claims[2] = {
		{ "hub:1", "hub", "P1", "Alpha", "Acme", NULL, "005A", "Ana",
		  "2026-11-30T09:00:00Z", 1, 12000 },
		{ "hub:2", "hub", "P1", "Alpha", "Initech", NULL, "005A", "Ana",
		  "2026-12-07T08:00:00Z", 1, 3000 },
	};
	struct queue_row rows[2] = { { &claims[0], 5.0, QB_4_10 },
		{ &claims[1], 0.1, QB_0_2 } };
	struct queue_result q;
	struct digest_input in;
	struct digest d;
	size_t i;

	for (i = 0; i < DIGEST_MAX_LINES + 3; i++) {
		snprintf(keys[i], sizeof(keys[i]), "score_drop:P%02zu", i);
		memset(&a[i], 0, sizeof(a[i]));
		a[i].key = a[i].message = keys[i];
		a[i].type = "score_drop";
		a[i].severity = "warning";
		a[i].status = "open";
		a[i].first_seen = "2026-12-07T06:00:00Z";
	}
	memset(&q, 0, sizeof(q));
	q.rows = rows;
	q.n = 2;
	q.count[QB_4_10] = 1;
	q.count[QB_0_2] = 1;
	q.value[QB_4_10] = 12000;
	q.value[QB_0_2] = 3000;
	memset(&in, 0, sizeof(in));
	in.owner = "Ana Ruiz";
	in.day = "2026-12-07";
	in.since = SINCE;
	in.alerts = a;
	in.nalerts = DIGEST_MAX_LINES + 3;
	in.queue = &q;
	in.currency = "EUR";
	CHECK_INT(digest_compose(&in, &d), 1);
	CHECK(strstr(d.body, "New since the last digest (15)\n") != NULL);
	CHECK(strstr(d.body, "  - score_drop:P11\n") != NULL);
	CHECK(strstr(d.body, "score_drop:P12") == NULL);
	CHECK(strstr(d.body, "  ... and 3 more: chansyncctl alerts --owner "
	    "\"Ana Ruiz\"\n") != NULL);
	/* the queue: counts by age, the claims waiting 2 days or more */
	CHECK(strstr(d.body, "Approval queue (2 pending, 15,000 EUR)\n"
	    "  business days: 0-2: 1, 2-4: 0, 4-10: 1, over 10: 0, stale: 0\n"
	    "  - hub:1 by Alpha for Acme: waiting 5.0 business days, 12,000 EUR\n"
	    "  chansyncctl queue --owner \"Ana Ruiz\"\n") != NULL);
	CHECK(strstr(d.body, "hub:2") == NULL);
	digest_free(&d);
}

static void
test_nothing_to_say(void)
{
	const struct digest_alert old[] = {
		{ "score_drop:P1:2026-Q4", "score_drop", "warning", "m", "open",
		  "2026-11-01T06:00:00Z", NULL, NULL, "P1" },
	};
	struct queue_result empty;
	struct digest_input in;
	struct digest d;

	memset(&empty, 0, sizeof(empty));
	memset(&in, 0, sizeof(in));
	in.owner = "Ben";
	in.day = "2026-12-07";
	in.since = SINCE;
	in.alerts = old;
	in.nalerts = 1;
	in.queue = &empty;
	CHECK_INT(digest_compose(&in, &d), 0);
	CHECK(d.body == NULL && d.subject == NULL);
}

int
main(void)
{
	T_RUN(test_sections);
	T_RUN(test_cap_and_queue);
	T_RUN(test_nothing_to_say);
	return t_done("digest");
}
