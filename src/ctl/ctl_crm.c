/*
 * ctl_crm.c - chansyncctl crm fields: every Salesforce field the
 * configuration reads or writes, with the access, type, length and
 * picklist values it needs and the key it comes from (what the metadata
 * package under salesforce/ creates, and what an admin maps instead).
 */
#include "ctl_internal.h"
#include "crm/crm_check.h"
#include "crm/crm_fields.h"
#include "crm/salesforce.h"
#include "lib/diag.h"
#include "lib/http.h"
#include "lib/json.h"
#include "lib/mem.h"
#include "lib/text_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

static void
access_text(int a, char *out, size_t len)
{
	snprintf(out, len, "%s%s%s%s%s", a & CRM_READ ? "read" : "",
	    a & CRM_READ && a & (CRM_CREATE | CRM_UPDATE) ? "," : "",
	    a & CRM_CREATE ? "create" : "", a & CRM_CREATE && a & CRM_UPDATE ?
	    "," : "", a & CRM_UPDATE ? "update" : "");
}

static int
fields(struct ctl *c)
{
	struct crm_field *f;
	size_t n, i, j;

	f = crm_fields_of(c->cfg, &n);
	if (c->json) {
		struct jval *arr = jv_array();
		char *s;

		for (i = 0; i < n; i++) {
			struct jval *o = jv_object(), *v = jv_array();
			char acc[40];

			access_text(f[i].access, acc, sizeof(acc));
			jv_set_str(o, "sobject", f[i].sobject);
			jv_set_str(o, "field", f[i].field);
			jv_set_str(o, "access", acc);
			jv_set_str(o, "type", crm_kind_name(f[i].kind));
			jv_set_int(o, "length", (int64_t)f[i].length);
			jv_set_str(o, "reference", f[i].reference[0] ? f[i].reference :
			    NULL);
			jv_set(o, "external_id", jv_bool(f[i].external_id));
			for (j = 0; j < f[i].nvalues; j++)
				jv_append(v, jv_str(f[i].values[j]));
			jv_set(o, "values", v);
			jv_set_str(o, "config", f[i].config);
			jv_append(arr, o);
		}
		s = jv_dump_pretty(arr);
		printf("%s\n", s);
		free(s);
		jv_free(arr);
	} else {
		static const char *const head[] = { "sobject", "field", "access",
			"type", "length", "values", "config" };
		struct table *t = table_new(7, head);

		for (i = 0; i < n; i++) {
			const char *cells[7];
			char acc[40], len[24], type[120];
			struct buf b;

			access_text(f[i].access, acc, sizeof(acc));
			snprintf(len, sizeof(len), "%zu", f[i].length);
			snprintf(type, sizeof(type), "%s%s%s%s%s",
			    crm_kind_name(f[i].kind), f[i].reference[0] ? " to " : "",
			    f[i].reference, f[i].external_id ? ", external id" : "",
			    "");
			buf_init(&b, 0);
			for (j = 0; j < f[i].nvalues; j++)
				buf_addf(&b, "%s%s", j ? " " : "", f[i].values[j]);
			cells[0] = f[i].sobject;
			cells[1] = f[i].field;
			cells[2] = acc;
			cells[3] = type;
			cells[4] = f[i].length ? len : NULL;
			cells[5] = b.len ? buf_str(&b) : NULL;
			cells[6] = f[i].config;
			table_add(t, cells);
			buf_free(&b);
		}
		table_print(t, stdout, 60);
		table_free(t);
	}
	free(f);
	return EX_OK;
}

/*
 * crm check: the org asked, as the daemon would, with the secrets (so
 * run it where they can be read: as root, /etc/credstore holds them).
 */
static int
check(struct ctl *c)
{
	struct diags d;
	struct config *cfg;
	struct http *http;
	struct sf *sf;
	struct crm_check out;
	struct sf_error e;
	size_t i, blocking = 0;
	int rc;

	diags_init(&d, c->config_path);
	if ((cfg = config_load(c->config_path, 0, &d)) == NULL) {
		for (i = 0; i < d.n; i++) {
			char *m = diags_format(&d, i);

			fprintf(stderr, "%s\n", m);
			free(m);
		}
		rc = diags_has_perm(&d) ? EX_NOPERM : EX_CONFIG;
		diags_free(&d);
		return rc;
	}
	diags_free(&d);
	if (!cfg->crm.present) {
		fprintf(stderr, "chansyncctl: no crm: section to check\n");
		config_free(cfg);
		return EX_CONFIG;
	}
	http_global_init();
	http = http_new(NULL, NULL);
	sf = sf_new(cfg, http);
	memset(&e, 0, sizeof(e));
	if (crm_check_run(cfg, sf, &out, &e) < 0) {
		fprintf(stderr, "chansyncctl: the org could not be checked: %s%s%s\n",
		    e.code[0] ? e.code : "", e.code[0] ? ": " : "", e.message);
		rc = e.result == SF_EAUTH ? EX_CONFIG : EX_UNAVAILABLE;
		goto out;
	}
	for (i = 0; i < out.n; i++) {
		char *m = crm_problem_format(cfg, &out.v[i]);

		if (!c->json)
			printf("%s%s\n", m, out.v[i].blocks ? "" : " (not blocking)");
		free(m);
		blocking += out.v[i].blocks != 0;
	}
	if (c->json) {
		struct jval *o = jv_object(), *arr = jv_array();
		char *s;

		for (i = 0; i < out.n; i++) {
			struct jval *x = jv_object();

			jv_set_str(x, "config", out.v[i].config);
			jv_set_int(x, "line", out.v[i].line);
			jv_set_int(x, "column", out.v[i].col);
			jv_set_str(x, "sobject", out.v[i].sobject);
			jv_set_str(x, "field", out.v[i].field);
			jv_set_str(x, "problem", out.v[i].text);
			jv_set(x, "blocks", jv_bool(out.v[i].blocks));
			jv_append(arr, x);
		}
		jv_set_str(o, "user", crm_check_user(cfg, sf));
		jv_set_int(o, "objects", (int64_t)out.objects);
		jv_set_int(o, "fields", (int64_t)out.fields);
		jv_set(o, "problems", arr);
		s = jv_dump_pretty(o);
		printf("%s\n", s);
		free(s);
		jv_free(o);
	} else
		printf("%s: %zu objects described, %zu fields checked as %s: %s\n",
		    cfg->path, out.objects, out.fields, crm_check_user(cfg, sf),
		    out.n == 0 ? "everything chansync reads "
		    "and writes is there" : blocking ? "problems block reads or "
		    "writes (above)" : "nothing blocks (notes above)");
	rc = blocking ? EX_CONFIG : EX_OK;
	crm_check_free(&out);
out:
	sf_free(sf);
	http_free(http);
	http_global_cleanup();
	config_free(cfg);
	return rc;
}

int
ctl_cmd_crm(struct ctl *c, int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "fields") == 0)
		return fields(c);
	if (argc == 2 && strcmp(argv[1], "check") == 0)
		return check(c);
	ctl_usage(stderr);
	return EX_USAGE;
}
