/*
 * landing.h - the unit of work every source lands its records through.
 *
 * A source reads its system in units of work (a spool file, a page) and
 * lands each unit in one store transaction through land_begin()/
 * land_record()/land_quarantine()/land_commit(), so a crash or a stop
 * between units loses nothing and a stop inside one rolls it back whole.
 * Between units (and every few thousand records inside one) it calls
 * land_tick(), which keeps the watchdog fed and reports a stop request.
 */
#ifndef CHANSYNC_LANDING_H
#define CHANSYNC_LANDING_H

#include <stdint.h>

#include "config/config.h"
#include "lib/clock.h"
#include "model/entity.h"
#include "sources/record.h"
#include "store/audit.h"
#include "store/store.h"

struct http;

enum source_status {
	SOURCE_OK,
	SOURCE_FAILED,		/* reported, retried next cycle */
	SOURCE_STOPPED,		/* the daemon is stopping; unit rolled back */
	SOURCE_STORE_FAILED,	/* the database refused a write */
};

struct source_run {
	/* given */
	const struct config *cfg;
	const struct config_source *src;
	struct store *st;
	struct audit *au;
	int64_t cycle_id;
	/* returns 1 when the daemon must stop; may be NULL */
	int (*tick)(void *arg);
	void *tick_arg;
	struct http *http;	/* the daemon's HTTP client (ticks the same way) */
	/* results */
	int64_t records, quarantined, files, failed_files;
	char error[512];
	/* the unit of work in progress */
	uint64_t started;	/* monotonic usec of its start; 0: not yet */
	char now[CLOCK_ISO_LEN];
	int64_t unit_records, unit_quarantined;
};

/*
 * Budgets that keep one hostile input from costing more than itself: a
 * unit of work (a page, a file) may quarantine at most this many records
 * (then it is refused whole, with one reason); a page may hold at most
 * this many JSON values (bounded before it is parsed by its brackets and
 * commas: a page of 20 million empty arrays, or of 30 million numbers,
 * is refused, not parsed into gigabytes); one NDJSON line or one record's
 * text at most this many bytes.
 */
#define LAND_QUARANTINE_MAX 1000
#define LAND_PAGE_VALUES_MAX 1000000
#define LAND_RECORD_BYTES_MAX (1u << 20)
/* Quarantined records of one unit logged one by one; then one line. */
#define LAND_LOG_MAX 10
/* The bytes of a bad record's raw text a reader hands to the quarantine
 * (which keeps at most 2,048 characters): a 250 MB line is not copied. */
#define LAND_RAW_BYTES 8192

/* 1 when the unit of work has quarantined its budget of records. */
int land_quarantine_full(const struct source_run *run);

/* 1 when the source has read for its max_run this cycle (counted from
 * its first land_tick or land_begin). */
int land_out_of_time(struct source_run *run);

/* 1 when the daemon asked to stop. Pings the watchdog. */
int land_tick(struct source_run *run);

/* Opens a unit of work (a transaction). */
int land_begin(struct source_run *run);
/* Stores a mapped record; returns 0 or -1 (store error in run->error). */
int land_record(struct source_run *run, const struct record *r);
/* The same for n records, in this order. */
int land_records(struct source_run *run, const struct record *const *r,
    size_t n);
/* Quarantines a record: a row, an audit event and a log line. */
int land_quarantine(struct source_run *run, const char *position,
    const char *record_id, const char *field, const char *reason,
    const char *raw);
/*
 * Maps one raw record (values through get(ctx, ...)) and stores it, or
 * quarantines it with the field and reason, keeping raw (for a JSON
 * record, NULL: its text is made when it is quarantined). Returns -1
 * only on a store error.
 */
int land_map(struct source_run *run, record_get_fn get, void *ctx,
    const char *position, const char *raw);
/* A record_get_fn for a JSON object (ctx: const struct jval *). */
int land_json_get(void *ctx, const struct config_field *f, struct arena *a,
    char **ret, char *err, size_t errlen);

/* Commits the unit; counts move to the run totals. */
int land_commit(struct source_run *run);
void land_rollback(struct source_run *run);

#endif
