/*
 * partner_ids.h - which CRM partner a registration's partner id means
 * (contract §7, partner identity). A source may name partners by ids of
 * its own; each such id is resolved through partners.aliases, else by
 * the name the source gives the partner, normalized, equal to exactly
 * one CRM partner's, else by the partner's domain (its website or
 * e-mail as the source gives it) equal to exactly one CRM partner's
 * website domain. What stays unresolved keeps its claims out of
 * partner conflicts and raises unknown_partner, with the CRM partner it
 * most resembles as a proposal.
 */
#ifndef CHANSYNC_PARTNER_IDS_H
#define CHANSYNC_PARTNER_IDS_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

/* A CRM partner (borrowed strings). */
struct partner_entry {
	const char *id, *name;
	const char *domain;		/* the Account's website domain, or NULL */
};

/* A partner id a source uses that is no CRM partner's (borrowed). */
struct partner_ref {
	const char *source, *id;
	const char *name;		/* the partner's name in the source, or NULL */
	int64_t claims;			/* registrations naming it */
	const char *domain;		/* the partner's domain in the source */
};

enum partner_how { PARTNER_UNRESOLVED, PARTNER_ALIAS, PARTNER_NAME,
	PARTNER_DOMAIN };

/* A ref, resolved or not (strings borrowed from the inputs). */
struct partner_resolution {
	const struct partner_ref *ref;
	enum partner_how how;
	const char *crm_id, *crm_name;	/* resolved; or the proposal */
	double similarity;		/* of the proposal's name, 0: none */
	int ambiguous;			/* the name fits several CRM partners */
};

/* Resolves each of refs against the CRM's partners; out[i] for refs[i]. */
void partner_ids_resolve(const struct config *cfg,
    const struct partner_entry *crm, size_t ncrm,
    const struct partner_ref *refs, size_t nrefs,
    struct partner_resolution *out);
const char *partner_how_name(enum partner_how how);

#endif
