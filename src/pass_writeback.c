/*
 * pass_writeback.c - the write-back pass: what changed, written to the
 * CRM (or, dry, planned in the audit log), after everything else.
 */
#include "pass.h"
#include "decisions.h"
#include "crm/writeback.h"
#include "lib/log.h"

#include <string.h>

/* Operators' decisions to the other sources' decisions: files (not in a
 * dry run: it writes nothing outside the database). */
static void
export_decisions(struct pass *p, int dry)
{
	const struct cycle_env *env = p->env;
	char err[512];
	int n;

	if (dry || p->stopped || p->res->store_failed)
		return;
	if ((n = decisions_export(env->cfg, env->st, env->au, env->http,
	    p->res->id, err, sizeof(err))) < 0) {
		if (strncmp(err, "database", 8) == 0)
			p->res->store_failed = 1;
		else
			p->res->sources_failed++;
		jv_set_str(p->detail, "decisions_error", err);
	} else if (n > 0)
		jv_set_int(p->detail, "decisions_exported", n);
}

void
pass_writeback(struct pass *p)
{
	const struct cycle_env *env = p->env;
	struct cycle_result *res = p->res;
	struct writeback_result wr;
	struct jval *o;
	int dry = env->dry_run || env->cfg->daemon.dry_run;

	if (p->stopped || res->store_failed || pass_tick(p))
		return;
	export_decisions(p, dry);
	if (env->sf == NULL || !env->cfg->crm.present || res->store_failed)
		return;
	o = jv_object();
	if (writeback_run(env->cfg, env->st, env->au, env->sf, res->id, dry,
	    &wr) < 0) {
		jv_set_str(o, "error", wr.error);
		if (strncmp(wr.error, "database", 8) == 0)
			res->store_failed = 1;
		else
			res->sources_failed++;
		log_err("write-back: %s", wr.error);
	}
	jv_set(o, "dry_run", jv_bool(dry));
	jv_set_int(o, "planned", wr.planned);
	jv_set_int(o, "written", wr.acknowledged);
	jv_set_int(o, "failed", wr.failed);
	jv_set_int(o, "requests", wr.requests);
	jv_set(p->detail, "writeback", o);
	res->writes = wr.acknowledged;
	res->write_failures = wr.failed;
}
