/*
 * ctl_audit.c - the audit log: listed, and its chain verified.
 */
#include "ctl_internal.h"
#include "store/audit.h"
#include "lib/clock.h"
#include "lib/digest.h"
#include "lib/json.h"
#include "lib/mem.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

int
ctl_cmd_verify(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "anchors", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	struct audit_anchor *anchors = NULL;
	size_t nanchors = 0;
	struct secret *key = NULL;
	struct audit_report rep;
	enum audit_verdict v;
	char err[1024], *own;
	uint64_t t0, us;
	int ch, rc;

	own = xasprintf("%s/%s", c->cfg->daemon.state_dir, AUDIT_ANCHOR_FILE);
	if (access(own, F_OK) == 0 &&
	    audit_read_anchors(own, &anchors, &nanchors, err, sizeof(err)) < 0) {
		fprintf(stderr, "chansyncctl: %s\n", err);
		free(own);
		return EX_NOINPUT;
	}
	free(own);
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'a') {
			ctl_usage(stderr);
			free(anchors);
			return EX_USAGE;
		}
		if (audit_read_anchors(optarg, &anchors, &nanchors, err,
		    sizeof(err)) < 0) {
			fprintf(stderr, "chansyncctl: %s\n", err);
			free(anchors);
			return EX_NOINPUT;
		}
	}
	if (c->cfg->audit.hmac_key &&
	    secret_load(c->cfg->audit.hmac_key, &key, err, sizeof(err)) != SECRET_OK)
		fprintf(stderr, "chansyncctl: audit.hmac_key: %s; rows chained "
		    "with HMAC cannot be verified\n", err);
	if ((rc = ctl_open_store(c)) != 0) {
		secret_free(key);
		free(anchors);
		return rc;
	}
	t0 = clock_monotonic_usec();
	v = audit_verify(c->st, key, anchors, nanchors, &rep);
	us = clock_monotonic_usec() - t0;
	secret_free(key);
	free(anchors);
	/* a chain that does not hold on a damaged file proves damage, not
	 * tampering: told apart by SQLite's own check of the pages */
	if (v != AUDIT_OK && store_quick_check(c->st, err, sizeof(err))) {
		snprintf(rep.problem, sizeof(rep.problem), "the database file is "
		    "damaged (%.200s): that is corruption, not proof of "
		    "tampering; restore %.200s from a backup", err, c->dbpath);
		v = AUDIT_UNVERIFIABLE;
		rep.first_bad = 0;
	}
	if (c->json) {
		struct jval *o = jv_object();
		char *s;

		jv_set_str(o, "verdict", v == AUDIT_OK ? "intact" :
		    v == AUDIT_TAMPERED ? "tampered" : "unverifiable");
		jv_set_int(o, "rows", rep.rows);
		jv_set_int(o, "head_seq", rep.head_seq);
		jv_set_str(o, "head_hash", rep.head_hash[0] ? rep.head_hash : NULL);
		jv_set_int(o, "anchors_checked", (int64_t)rep.anchors_checked);
		jv_set(o, "first_bad_seq", rep.first_bad ? jv_int(rep.first_bad) :
		    jv_null());
		jv_set_str(o, "problem", rep.problem[0] ? rep.problem : NULL);
		jv_set(o, "rows_per_second", jv_int(us ? (int64_t)((double)rep.rows
		    * 1e6 / (double)us) : 0));
		s = jv_dump_pretty(o);
		printf("%s\n", s);
		free(s);
		jv_free(o);
	} else if (v == AUDIT_OK)
		printf("audit log intact: %lld rows, head %lld %s, %zu anchor%s "
		    "checked, %.0f rows/s\n", (long long)rep.rows,
		    (long long)rep.head_seq, rep.head_hash[0] ? rep.head_hash : "-",
		    rep.anchors_checked, rep.anchors_checked == 1 ? "" : "s",
		    us ? (double)rep.rows * 1e6 / (double)us : 0.0);
	else if (v == AUDIT_TAMPERED)
		printf("audit log TAMPERED: first bad row %lld: %s\n",
		    (long long)rep.first_bad, rep.problem);
	else
		printf("audit log cannot be verified: %s\n", rep.problem);
	return (int)v;
}

int
ctl_cmd_audit(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "action", required_argument, NULL, 'a' },
		{ "entity", required_argument, NULL, 'e' },
		{ "limit", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct store_audit_filter f;
	char since[CLOCK_ISO_LEN], until[CLOCK_ISO_LEN];
	struct ctl_out o;
	int ch, rc;

	if (argc > 1 && strcmp(argv[1], "verify") == 0)
		return ctl_cmd_verify(c, argc - 1, argv + 1);
	memset(&f, 0, sizeof(f));
	f.limit = 100;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (ctl_parse_when(optarg, since) < 0)
				goto bad_time;
			f.since = since;
			break;
		case 'u':
			if (ctl_parse_when(optarg, until) < 0)
				goto bad_time;
			f.until = until;
			break;
		case 'a':
			f.action = optarg;
			break;
		case 'e':
			f.entity_id = optarg;
			break;
		case 'n':
			if ((f.limit = strtoll(optarg, NULL, 10)) <= 0) {
				ctl_usage(stderr);
				return EX_USAGE;
			}
			break;
		default:
			ctl_usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		ctl_usage(stderr);
		return EX_USAGE;
	}
	if ((rc = ctl_open_store(c)) != 0)
		return rc;
	ctl_out_init(&o, c->json);
	if (store_list_audit(c->st, &f, ctl_collect, &o) < 0) {
		fprintf(stderr, "chansyncctl: %s\n", store_errmsg(c->st));
		ctl_out_print(&o, "", 0);
		return EX_IOERR;
	}
	ctl_out_print(&o, "no audit rows match", 72);
	return EX_OK;
bad_time:
	fprintf(stderr, "chansyncctl: '%s' is not a time (ISO 8601 like "
	    "2026-11-27T08:00:00Z, a date, or a duration ago like 2h)\n", optarg);
	return EX_USAGE;
}
