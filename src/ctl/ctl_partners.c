/*
 * ctl_partners.c - chansyncctl partners [--unresolved]: the CRM's
 * partners, or the partner ids sources use that no CRM partner could be
 * found for (contract §7, partner identity), each with the CRM partner
 * it most resembles, for partners.aliases.
 */
#include "ctl_internal.h"
#include "lib/mem.h"
#include "rules/partner_ids.h"

#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

static void
print_row(const char *a, const char *b, const char *c, const char *d,
    const char *e)
{
	printf("%-18s %-20s %-28s %-13s %s\n", a, b, c, d, e);
}

int
ctl_cmd_partners(struct ctl *c, int argc, char **argv)
{
	struct partner_entry *crm = NULL;
	struct partner_ref *refs = NULL;
	struct partner_resolution *res = NULL;
	struct arena a;
	struct jval *arr;
	size_t ncrm = 0, nrefs = 0, i, shown = 0;
	int unresolved = argc == 2 && strcmp(argv[1], "--unresolved") == 0;
	int rc;

	if (argc > 2 || (argc == 2 && !unresolved)) {
		ctl_usage(stderr);
		return EX_USAGE;
	}
	if ((rc = ctl_open_store(c)) != 0)
		return rc;
	memset(&a, 0, sizeof(a));
	if (store_partner_directory(c->st, &a, &crm, &ncrm) < 0 ||
	    (ncrm > 0 && store_partner_refs(c->st, &a, &refs, &nrefs) < 0)) {
		fprintf(stderr, "chansyncctl: %s\n", store_errmsg(c->st));
		arena_free(&a);
		free(crm);
		return EX_IOERR;
	}
	res = xcalloc(nrefs + 1, sizeof(*res));
	partner_ids_resolve(c->cfg, crm, ncrm, refs, nrefs, res);
	arr = jv_array();
	if (!unresolved && !c->json)
		printf("%-20s %s\n", "partner_id", "name");
	for (i = 0; !unresolved && i < ncrm; i++) {
		struct jval *o = jv_object();

		jv_set_str(o, "partner_id", crm[i].id);
		jv_set_str(o, "name", crm[i].name);
		jv_append(arr, o);
		if (!c->json)
			printf("%-20s %s\n", crm[i].id, crm[i].name ? crm[i].name : "");
	}
	if (unresolved && !c->json)
		print_row("source", "partner_id", "name_in_source", "registrations",
		    "proposal");
	for (i = 0; i < nrefs; i++) {
		const struct partner_resolution *r = &res[i];
		struct jval *o;
		char n[24], prop[320];

		if (!unresolved || r->how != PARTNER_UNRESOLVED)
			continue;
		shown++;
		o = jv_object();
		jv_set_str(o, "source", refs[i].source);
		jv_set_str(o, "partner_id", refs[i].id);
		jv_set_str(o, "name_in_source", refs[i].name);
		jv_set_int(o, "registrations", refs[i].claims);
		jv_set_str(o, "proposed_partner_id", r->crm_id);
		jv_set_str(o, "proposed_partner_name", r->crm_name);
		if (r->crm_id)
			jv_set(o, "similarity", jv_real(r->similarity));
		jv_set(o, "ambiguous", jv_bool(r->ambiguous));
		jv_append(arr, o);
		if (c->json)
			continue;
		snprintf(n, sizeof(n), "%lld", (long long)refs[i].claims);
		if (r->crm_id)
			snprintf(prop, sizeof(prop), "%s %s (%s, similarity %.2f)",
			    r->ambiguous ? "one of several, e.g." : "maybe",
			    r->crm_name ? r->crm_name : "", r->crm_id, r->similarity);
		else
			snprintf(prop, sizeof(prop), "-");
		print_row(refs[i].source, refs[i].id, refs[i].name ? refs[i].name :
		    "-", n, prop);
	}
	if (c->json) {
		char *out = jv_dump_pretty(arr);

		printf("%s\n", out);
		free(out);
	} else if (unresolved)
		printf(shown ? "\nmap each under partners.aliases.SOURCE "
		    "(\"ID\": CRM Account Id), or correct it in its source\n" :
		    "every partner id resolves to a CRM partner\n");
	jv_free(arr);
	free(res);
	free(refs);
	free(crm);
	arena_free(&a);
	return 0;
}
