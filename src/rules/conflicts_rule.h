/*
 * conflicts_rule.h - the ruling over one group of claims
 * (conflicts_rule.c): which conflicts they make, the recommended winner
 * and the evidence. Private to src/rules/conflicts*.c.
 */
#ifndef CHANSYNC_CONFLICTS_RULE_H
#define CHANSYNC_CONFLICTS_RULE_H

#include "conflicts_index.h"
#include "lib/json.h"

/* Members a conflict's evidence lists; the rest are counted. */
#define EVIDENCE_MEMBERS 100

/* A conflict derived from a group: its type, members and the rule. */
struct derived {
	const char *type;
	uint32_t *members;		/* claim indexes */
	size_t n, cap;
	int64_t window_from, window_to;
	const char *why;		/* the rule in words */
};

/* Is claim a earlier than b (registration, decision, key)? */
int cx_earlier(const struct claim *a, const struct claim *b);
/* The partner conflict, direct conflict and duplicate of a group of
 * regs (registrations) and opps (opportunities); d[3] to free. */
void cx_derive(const struct conflicts *c, const struct config *cfg,
    const uint32_t *regs, size_t nr, const uint32_t *opps, size_t no,
    struct derived d[3]);
/* The recommended winner of d (NULL: none) and why, in words. */
const struct claim *cx_recommend(const struct conflicts *c,
    const struct config *cfg, const struct derived *d, char *why,
    size_t whylen);
/* The evidence of d: members, links between the group's nodes, policy,
 * the recommendation. A new JSON object. */
struct jval *cx_evidence(const struct conflicts *c, const struct config *cfg,
    const struct derived *d, const uint32_t *nodes, size_t nn,
    const struct claim *winner, const char *reason);
const char *cx_policy_name(int policy);

#endif
