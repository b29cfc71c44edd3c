/*
 * crm_check.h - the org against what the configuration needs
 * (crm_fields.h): describe, once per object, and each configured field
 * that is missing or unreadable for this user, of a type that cannot
 * hold what is sent, too short for it, not creatable or updateable where
 * chansync writes, not the external id an upsert needs, or a picklist
 * lacking a value chansync writes. chansyncctl crm check prints the
 * problems; the daemon checks at start (crm.preflight: warn logs them,
 * strict refuses to start on one that blocks a read or a write).
 */
#ifndef CHANSYNC_CRM_CHECK_H
#define CHANSYNC_CRM_CHECK_H

#include <stddef.h>

#include "config/config.h"
#include "crm/salesforce.h"

struct crm_problem {
	char config[160];		/* the configuration key */
	int line, col;			/* its place in the file; 0: unknown */
	char sobject[80], field[80];
	char text[512];
	int blocks;			/* 1: a read or a write would fail */
};

struct crm_check {
	struct crm_problem *v;
	size_t n, cap;
	size_t objects, fields;		/* described, checked */
};

/*
 * Logs in (when not yet) and checks cfg's fields in the org. Returns 0
 * (problems, if any, in out), or -1 when the org could not be asked (e
 * says why). Free out with crm_check_free.
 */
int crm_check_run(const struct config *cfg, struct sf *sf, struct crm_check *out,
    struct sf_error *e);
void crm_check_free(struct crm_check *c);
/* Who the org is asked as: crm.auth.username, else the login's identity. */
const char *crm_check_user(const struct config *cfg, struct sf *sf);
/* "FILE:LINE:COL: key: text" for a problem. New string. */
char *crm_problem_format(const struct config *cfg, const struct crm_problem *p);

#endif
