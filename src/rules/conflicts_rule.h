/*
 * conflicts_rule.h - the ruling over one group of claims: which
 * conflicts they make, per product line (conflicts_rule.c), and the
 * recommended winner, each member's verdict and the evidence
 * (conflicts_ruling.c). Private to src/rules/conflicts*.c.
 */
#ifndef CHANSYNC_CONFLICTS_RULE_H
#define CHANSYNC_CONFLICTS_RULE_H

#include "conflicts_index.h"
#include "lib/json.h"

/* Members a conflict's evidence lists; the rest are counted. */
#define EVIDENCE_MEMBERS 100

/* A conflict derived from a group: its type, product line, members. */
struct derived {
	const char *type;
	const char *product;		/* the product line; NULL: any */
	uint32_t *members;		/* claim indexes, sorted by key */
	size_t n, cap;
	int64_t window_from, window_to;	/* the members' protection windows */
	const char *why;		/* the rule in words */
};

/* The step of the ruling that separated the winner from the rest. */
enum ruling_step {
	STEP_NONE,		/* no recommendation (manual, nothing to rank) */
	STEP_APPROVAL,		/* approved and protected beats pending;
				 * between approvals the earlier */
	STEP_POLICY,		/* rules.conflicts.policy */
	STEP_REGISTERED,	/* the earlier registration */
	STEP_KEY,		/* the key, when all else is equal */
	STEP_DIRECT,		/* direct_policy */
};

struct ruling {
	const struct claim *winner;	/* NULL: none recommended */
	const struct claim *runner;	/* the best of the others */
	enum ruling_step step;
	char why[768];			/* the reason in words */
};

/*
 * The conflicts of a group of regs (registrations) and opps (open
 * opportunities with no partner), one set per product line: partner
 * conflict, double approval, direct conflict, duplicate, in that order,
 * the lines by name. Returns how many (*out to free with cx_derived_free).
 */
size_t cx_derive(const struct conflicts *c, const struct config *cfg,
    const uint32_t *regs, size_t nr, const uint32_t *opps, size_t no,
    struct derived **out);
void cx_derived_free(struct derived *d, size_t n);
/* Is claim a earlier than b (registration, decision, key)? */
int cx_earlier(const struct claim *a, const struct claim *b);

/* The recommended winner of d and why (contract §7: approval, policy,
 * registration, key; direct_policy for a direct conflict). */
void cx_rule(const struct conflicts *c, const struct config *cfg,
    const struct derived *d, struct ruling *r);
/* The evidence of d: members with their verdicts, links between the
 * group's nodes, policy, the ruling. A new JSON object. */
struct jval *cx_evidence(const struct conflicts *c, const struct config *cfg,
    const struct derived *d, const uint32_t *nodes, size_t nn,
    const struct ruling *r);
const char *cx_policy_name(int policy);
const char *cx_direct_policy_name(int policy);

#endif
