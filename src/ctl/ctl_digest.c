/*
 * ctl_digest.c - chansyncctl digest [--owner O] [--send]: the daily
 * digest as each owner would get it now (contract §15), printed; with
 * --send the daemon queues and sends that owner's at once. And the
 * outbox's state for status.
 */
#include "ctl_internal.h"
#include "lib/clock.h"
#include "lib/json.h"
#include "lib/mem.h"
#include "lib/text_table.h"
#include "rules/digest.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

struct owner_list {
	struct jval *rows;
};

static int
owner_row(void *ctx, const struct store_row *r)
{
	struct ctl_out o = { 1, NULL, ((struct owner_list *)ctx)->rows, 0 };

	return ctl_collect(&o, r);
}

static int
matches(const struct jval *o, const char *who)
{
	const char *id = jv_object_str(o, "id"), *name = jv_object_str(o, "name");
	const char *mail = jv_object_str(o, "email");

	return who == NULL || (id && strcmp(id, who) == 0) ||
	    (name && strcasecmp(name, who) == 0) ||
	    (mail && strcasecmp(mail, who) == 0);
}

/* --send: the daemon queues and sends (it alone writes the outbox). */
static int
send_digest(struct ctl *c, const char *who)
{
	char *req = xasprintf("digest %s", who);
	int rc = ctl_daemon_ask(c, req, 120000, "the daemon sends digests, so "
	    "that each is recorded and sent once");

	free(req);
	return rc;
}

int
ctl_cmd_digest(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "owner", required_argument, NULL, 'o' },
		{ "send", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct owner_list ol;
	struct jval *out;
	const char *who = NULL;
	int ch, rc, send = 0, shown = 0, found = 0;
	size_t i;

	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (ch == 'o')
			who = optarg;
		else if (ch == 's')
			send = 1;
		else {
			ctl_usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc || (send && who == NULL)) {
		if (send && who == NULL)
			fprintf(stderr, "chansyncctl: digest --send needs --owner\n");
		else
			ctl_usage(stderr);
		return EX_USAGE;
	}
	if (send)
		return send_digest(c, who);
	if ((rc = ctl_open_store(c)) != 0)
		return rc;
	ol.rows = jv_array();
	if (store_digest_owners(c->st, owner_row, &ol) < 0) {
		fprintf(stderr, "chansyncctl: %s\n", store_errmsg(c->st));
		jv_free(ol.rows);
		return EX_IOERR;
	}
	out = jv_array();
	for (i = 0; i < jv_array_len(ol.rows); i++) {
		const struct jval *o = jv_array_at(ol.rows, i);
		struct digest dg;
		struct jval *x;

		if (!matches(o, who))
			continue;
		found++;
		rc = store_digest_compose(c->st, c->cfg, jv_object_str(o, "id"),
		    jv_object_str(o, "name"), clock_now(), &dg);
		if (rc < 0) {
			fprintf(stderr, "chansyncctl: %s\n", store_errmsg(c->st));
			jv_free(out);
			jv_free(ol.rows);
			return EX_IOERR;
		}
		if (rc == 0)
			continue;
		shown++;
		if (c->json) {
			x = jv_object();
			jv_set_str(x, "owner_id", jv_object_str(o, "id"));
			jv_set_str(x, "owner", jv_object_str(o, "name"));
			jv_set_str(x, "email", jv_object_str(o, "email"));
			jv_set_str(x, "subject", dg.subject);
			jv_set_str(x, "body", dg.body);
			jv_append(out, x);
		} else
			printf("%sSubject: %s\nTo: %s\n\n%s", shown > 1 ? "\n" : "",
			    dg.subject, jv_object_str(o, "email") ?
			    jv_object_str(o, "email") : "(no e-mail in the CRM)",
			    dg.body);
		digest_free(&dg);
	}
	if (c->json) {
		char *s = jv_dump_pretty(out);

		printf("%s\n", s);
		free(s);
	} else if (shown == 0)
		printf("%s\n", who && !found ? "that owner owns nothing to digest" :
		    "nothing to tell anyone");
	jv_free(out);
	jv_free(ol.rows);
	if (who && !found) {
		fprintf(stderr, "chansyncctl: no owner '%s' has alerts or pending "
		    "registrations (an owner is a CRM user's id, name or e-mail)\n",
		    who);
		return EX_DATAERR;
	}
	return EX_OK;
}

int
ctl_outbox_status(struct ctl *c, struct jval *status)
{
	struct ctl_out o;

	ctl_out_init(&o, status != NULL);
	if (store_notify_status(c->st, ctl_collect, &o) < 0) {
		if (status)
			jv_free(o.arr);
		table_free(o.t);
		return -1;
	}
	if (status) {
		jv_set(status, "notifications", o.arr);
		return 0;
	}
	printf("\nnotifications:\n");
	ctl_out_print(&o, "  (none sent yet)", 60);
	return 0;
}
