/* test_partner_ids.c - a source's partner ids resolved to CRM partners on
 * structs: alias, then the source's name, then the partner's domain; what
 * stays unresolved gets a proposal or none. */
#include "rules/partner_ids.h"
#include "t.h"
#include "t_cfg.h"

static const struct partner_entry crm[] = {
	{ "001A", "Alpine IT AG", "alpine-it.ch" },
	{ "001B", "Bright Networks Ltd", "brightnet.co.uk" },
	{ "001C", "Cobalt Systems", "cobalt.example" },
	{ "001D", "Cobalt Systems", "cobalt-systems.example" },	/* a namesake */
	{ "001E", "Delta Reseller", "shared-host.example" },
	{ "001F", "Echo Reseller", "shared-host.example" },	/* one domain, two */
};
#define NCRM (sizeof(crm) / sizeof(crm[0]))

static const struct {
	struct partner_ref ref;
	enum partner_how how;
	const char *crm_id;		/* resolved or proposed; NULL: none */
	int ambiguous;
} cases[] = {
	/* an alias wins over everything the record says */
	{ { "hub", "H-1", "Bright Networks Ltd", 2, "cobalt.example" },
	  PARTNER_ALIAS, "001A", 0 },
	/* the name, normalized (legal form and case aside), is one partner's */
	{ { "hub", "H-2", "ALPINE IT", 1, NULL }, PARTNER_NAME, "001A", 0 },
	/* the name fits two partners: the domain decides */
	{ { "hub", "H-3", "Cobalt Systems", 4, "cobalt-systems.example" },
	  PARTNER_DOMAIN, "001D", 0 },
	/* no name at all: the domain alone */
	{ { "drop", "R-7", NULL, 1, "brightnet.co.uk" }, PARTNER_DOMAIN,
	  "001B", 0 },
	/* a name that fits no one, a domain that does */
	{ { "drop", "R-8", "Bright Net Group", 1, "brightnet.co.uk" },
	  PARTNER_DOMAIN, "001B", 0 },
	/* a domain two partners share decides nothing */
	{ { "drop", "R-9", NULL, 1, "shared-host.example" }, PARTNER_UNRESOLVED,
	  NULL, 0 },
	/* two namesakes and no domain: unresolved, flagged ambiguous */
	{ { "hub", "H-4", "Cobalt Systems", 1, NULL }, PARTNER_UNRESOLVED,
	  "001C", 1 },
	/* a near name only proposes */
	{ { "hub", "H-5", "Alpine IT Services", 1, "alpine-services.example" },
	  PARTNER_UNRESOLVED, "001A", 0 },
	/* nothing alike */
	{ { "hub", "H-6", "Zephyr Holdings", 1, "zephyr.example" },
	  PARTNER_UNRESOLVED, NULL, 0 },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void
test_resolution_order(void)
{
	struct config *cfg = t_config("sources:\n  - { name: hub, kind: "
	    "file_drop, path: /nonexistent, format: csv, entity: registrations,\n"
	    "      fields: { external_id: id, partner_id: p, customer_name: c, status: s,"
	    " registered_at: r } }\n"
	    "partners: { aliases: { hub: { \"H-1\": 001A } } }\n");
	struct partner_ref refs[NCASES];
	struct partner_resolution out[NCASES];
	size_t i;

	for (i = 0; i < NCASES; i++)
		refs[i] = cases[i].ref;
	partner_ids_resolve(cfg, crm, NCRM, refs, NCASES, out);
	for (i = 0; i < NCASES; i++) {
		const struct partner_resolution *r = &out[i];

		CHECK_STR(partner_how_name(r->how),
		    partner_how_name(cases[i].how));
		if (cases[i].crm_id)
			CHECK_STR(r->crm_id ? r->crm_id : "(none)", cases[i].crm_id);
		else
			CHECK(r->crm_id == NULL);
		CHECK_INT(r->ambiguous, cases[i].ambiguous);
		CHECK(r->ref == &refs[i]);
	}
	config_free(cfg);
}

int
main(void)
{
	T_RUN(test_resolution_order);
	return t_done("partner_ids");
}
