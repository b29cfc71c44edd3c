/*
 * writeback.h - what chansync computed, written to the CRM (contract §10).
 *
 * Three kinds of records, each when crm.writeback names it: partner
 * fields (score, tier, plan_attainment, pipeline_coverage,
 * risk_adjusted_coverage, scored_at) updated on the Account by Id; alerts
 * and conflicts upserted by their key into the configured external id
 * field. Only what differs from what the CRM last acknowledged (per
 * record and field, crm_acks) is sent; a cycle with nothing changed makes
 * no write call. Last-seen and scored-at times ride along with a change
 * but never cause one.
 *
 * An outbox makes it crash-safe: a write is queued (committed) before it
 * is sent, and its acknowledgement and removal commit together after the
 * CRM answered. A crash in between sends the same values again: upserts
 * by key and updates by Id make that harmless. sObject Collections, 200
 * records a request, allOrNone false; every per-record result is looked
 * at; a failed record stays queued with the CRM's error, is audited, and
 * is tried again next cycle. With dry_run every planned write is audited
 * as writeback.planned and nothing is sent or queued.
 */
#ifndef CHANSYNC_WRITEBACK_H
#define CHANSYNC_WRITEBACK_H

#include <stdint.h>

#include "store/audit.h"
#include "config/config.h"
#include "crm/salesforce.h"
#include "store/store.h"

struct writeback_result {
	int64_t planned;	/* records with a difference */
	int64_t sent, acknowledged, failed;
	int64_t requests;	/* collections calls made */
	int stopped_by_crm;	/* the CRM refused (login, budget): kept queued */
	char error[512];
};

int writeback_run(const struct config *cfg, struct store *st,
    struct audit *au, struct sf *sf, int64_t cycle_id, int dry_run,
    struct writeback_result *res);

#endif
