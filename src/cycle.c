/*
 * cycle.c - one cycle: its books (the cycles row, the audit log's start
 * and end, the journal line, the audit anchor) around the passes, run in
 * order (pass.h): the CRM, the sources, conflicts, rules, write-back.
 */
#include "cycle.h"
#include "pass.h"
#include "lib/clock.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
cycle_status_name(enum cycle_status s)
{
	static const char *const names[] = { "ok", "partial", "failed",
		"interrupted" };

	return names[s];
}

/* The passes in order; cpu names where their CPU time is counted. */
static const struct {
	const char *cpu;
	void (*run)(struct pass *);
	int scans;		/* scans tables once: a small page cache */
} passes[] = {
	{ "sync", pass_crm, 0 },
	{ "sync", pass_sources, 0 },
	{ "conflicts", pass_conflicts, 1 },
	{ "rules", pass_rules, 1 },
	{ "writeback", pass_writeback, 1 },
	{ "notify", pass_notify, 1 },
};

/* The cycle's row and its start in the audit log; -1 when not even the
 * row can be written. */
static int
cycle_begin(const struct cycle_env *env, const char *trigger,
    struct cycle_result *res)
{
	struct jval *detail;
	char now[CLOCK_ISO_LEN];

	clock_now_iso(now);
	if (store_cycle_begin(env->st, trigger, now, &res->id) < 0) {
		snprintf(res->summary, sizeof(res->summary), "cannot start a "
		    "cycle: %s", store_errmsg(env->st));
		res->status = CYCLE_FAILED;
		return -1;
	}
	detail = jv_object();
	jv_set_str(detail, "trigger", trigger);
	if (audit_log(env->au, res->id, "cycle.start", "cycle", NULL, detail) < 0)
		res->store_failed = 1;
	log_info("cycle %lld started (%s)", (long long)res->id, trigger);
	return 0;
}

/* The status from what the passes reported, and the one-line summary. */
static void
summarize(struct cycle_result *res, int stopped)
{
	size_t len;

	if (stopped)
		res->status = CYCLE_INTERRUPTED;
	else if (res->store_failed || (res->sources_run > 0 &&
	    res->sources_failed == res->sources_run))
		res->status = CYCLE_FAILED;
	else if (res->sources_failed)
		res->status = CYCLE_PARTIAL;
	else
		res->status = CYCLE_OK;
	snprintf(res->summary, sizeof(res->summary), "cycle %lld %s: %d "
	    "source%s run, %d failed, %lld records, %lld quarantined",
	    (long long)res->id, cycle_status_name(res->status), res->sources_run,
	    res->sources_run == 1 ? "" : "s", res->sources_failed,
	    (long long)res->records, (long long)res->quarantined);
	len = strlen(res->summary);
	if (res->conflicts_open >= 0)
		len += (size_t)snprintf(res->summary + len, sizeof(res->summary) -
		    len, ", %lld conflict%s open", (long long)res->conflicts_open,
		    res->conflicts_open == 1 ? "" : "s");
	if (res->alerts_open >= 0 && len < sizeof(res->summary))
		len += (size_t)snprintf(res->summary + len, sizeof(res->summary) -
		    len, ", %lld alert%s open", (long long)res->alerts_open,
		    res->alerts_open == 1 ? "" : "s");
	if ((res->writes || res->write_failures) && len < sizeof(res->summary))
		snprintf(res->summary + len, sizeof(res->summary) - len, ", %lld "
		    "CRM write%s, %lld failed", (long long)res->writes,
		    res->writes == 1 ? "" : "s", (long long)res->write_failures);
}

/* The cycle's end: its row, the audit log, the journal, the anchor. */
static void
cycle_end(const struct cycle_env *env, struct cycle_result *res,
    struct jval *per, struct jval *cpu)
{
	struct jval *detail = jv_object();
	char now[CLOCK_ISO_LEN], *det, idf[48];
	const char *fields[2] = { idf, NULL };
	int rc;

	jv_set_str(detail, "status", cycle_status_name(res->status));
	jv_set_int(detail, "records", res->records);
	jv_set_int(detail, "quarantined", res->quarantined);
	jv_set_int(detail, "files", res->files);
	jv_set_int(detail, "failed_files", res->failed_files);
	jv_set_int(detail, "sources_run", res->sources_run);
	jv_set_int(detail, "sources_failed", res->sources_failed);
	jv_set(detail, "sources", per);
	/* where the cycle's CPU went, for an operator sizing the machine */
	jv_set(detail, "cpu_ms", cpu);
	det = jv_dump_canonical(detail);
	clock_now_iso(now);
	rc = store_cycle_end(env->st, res->id, cycle_status_name(res->status),
	    det, now);
	if (rc == 0)
		rc = audit_log(env->au, res->id, "cycle.end", "cycle", NULL, detail);
	else
		jv_free(detail);	/* audit_log would have taken it */
	if (rc < 0) {
		log_err("cycle %lld: cannot record its end: %s",
		    (long long)res->id, store_errmsg(env->st));
		res->status = CYCLE_FAILED;
	}
	free(det);
	snprintf(idf, sizeof(idf), "CHANSYNC_CYCLE=%lld", (long long)res->id);
	log_event(res->status == CYCLE_OK ? LOG_INFO : LOG_WARNING,
	    res->status == CYCLE_OK ? MSGID_CYCLE_DONE : MSGID_CYCLE_FAILED,
	    fields, "%s", res->summary);
	if (audit_anchor(env->au, env->cfg->daemon.state_dir) < 0)
		log_warning("cannot write the audit anchor to %s/%s",
		    env->cfg->daemon.state_dir, AUDIT_ANCHOR_FILE);
}

int
cycle_run(struct cycle_env *env, const char *trigger, int force,
    struct cycle_result *res)
{
	struct pass p;
	struct jval *cpu = jv_object();
	const char *key = NULL;
	int64_t t0, spent = 0;
	size_t i;
	int small = 0;

	memset(res, 0, sizeof(*res));
	res->conflicts_open = res->alerts_open = -1;
	t0 = clock_cpu_ms();
	if (cycle_begin(env, trigger, res) < 0) {
		jv_free(cpu);
		return -1;
	}
	memset(&p, 0, sizeof(p));
	p.env = env;
	p.res = res;
	p.detail = jv_object();
	p.force = force;
	for (i = 0; i < sizeof(passes) / sizeof(passes[0]); i++) {
		int64_t t;

		/* the passes after the sync scan tables once: the cache's
		 * memory serves the conflict index better */
		if (passes[i].scans && !small)
			small = store_cache_small(env->st, 1) == 0;
		passes[i].run(&p);
		t = clock_cpu_ms();
		if (key && strcmp(key, passes[i].cpu) != 0) {
			jv_set_int(cpu, key, spent);
			spent = 0;
		}
		key = passes[i].cpu;
		spent += t - t0;
		t0 = t;
	}
	jv_set_int(cpu, key, spent);
	if (small)
		store_cache_small(env->st, 0);
	pass_partner_map_free(&p);
	summarize(res, p.stopped);
	cycle_end(env, res, p.detail, cpu);
	return 0;
}
