/*
 * crm_reader.h - reading the CRM (Salesforce) into the canonical entities.
 *
 * For each configured object (crm.objects: partners, opportunities,
 * registrations, plans, activities) the reader asks queryAll for
 * SystemModstamp >= lo AND < hi ORDER BY SystemModstamp, Id, where
 * hi = now - safety_lag and lo = the object's watermark - lookback (no
 * lower bound on the first, full read). Each page's records and the
 * watermark it earns commit in one transaction; re-reads are idempotent
 * upserts by Id. IsDeleted rows and getDeleted mark entities deleted;
 * getDeleted's earliestDateAvailable later than the watermark forces a
 * full re-read. QUERY_TIMEOUT halves the window. Field lists that would
 * make the URI longer than 16 KB are read in chunks joined on Id.
 * OpportunityStage probabilities are read each cycle.
 */
#ifndef CHANSYNC_CRM_H
#define CHANSYNC_CRM_H

#include <stdint.h>

#include "store/audit.h"
#include "config/config.h"
#include "store/store.h"

struct sf;

struct crm_env {
	const struct config *cfg;
	struct store *st;
	struct audit *au;
	struct sf *sf;
	int64_t cycle_id;
	int (*tick)(void *arg);		/* 1: stop requested */
	void *tick_arg;
};

struct crm_result {
	int objects_run, objects_failed;
	int stopped;			/* the daemon is stopping */
	int budget;			/* stopped at the API budget */
	int store_failed;
	int64_t records, quarantined;
	char error[512];		/* the first failure, for people */
};

/*
 * Reads every configured CRM object. Each object's outcome is recorded
 * in cycle_sources as "crm/<object>" and failures are audited; the CRM's
 * identity and API usage are kept in the store's meta table for
 * chansyncctl status. Returns 0; res says what happened.
 */
int crm_run(struct crm_env *env, struct crm_result *res);

/* The SOQL an object's window read sends (exposed for tests). */
char *crm_window_soql(const char *fields, const char *sobject,
    const char *where, int64_t lo, int64_t hi);

#endif
