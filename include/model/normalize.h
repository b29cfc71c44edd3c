/*
 * normalize.h - pure functions that turn what sources send into canonical
 * values: times to UTC, amounts, booleans, currencies (ISO 4217), domains,
 * display text, periods. Company names are normalize_name.h's, countries
 * normalize_country.h's; normalize_init loads what all three need.
 *
 * Each returns 0 on success and -1 when the input cannot be read; the
 * caller names the source, record and field. No function here logs.
 */
#ifndef CHANSYNC_NORMALIZE_H
#define CHANSYNC_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

#define ISO_CODES_DIR "/usr/share/iso-codes/json"

/* The times any reader takes: 1900-01-01T00:00:00Z .. 9999-12-31T23:59:59Z */
#define TIME_MIN (-2208988800LL)
#define TIME_MAX 253402300799LL

enum time_format {
	TIME_ISO8601,
	TIME_EPOCH_S,
	TIME_EPOCH_MS,
};

/* Loads the ISO tables from dir (NULL: ISO_CODES_DIR). Returns 0 or -1. */
int normalize_init(const char *dir, char *err, size_t errlen);
void normalize_shutdown(void);

/*
 * Reads a time: ISO 8601 date or date-time with Z, +HH:MM, +HHMM, +HH or
 * no offset (read as UTC); or epoch seconds/milliseconds. Fractions of a
 * second are dropped. Writes seconds since the epoch (UTC); a time
 * outside TIME_MIN .. TIME_MAX (in UTC) is refused.
 */
int norm_time(const char *s, enum time_format fmt, int64_t *ret);
/* Formats t as "YYYY-MM-DDTHH:MM:SSZ" (21 bytes with the NUL, always
 * terminated; a t past year 9999 or before year 0 saturates there). */
void norm_time_format(int64_t t, char out[21]);
/* norm_time, and the time's canonical text (norm_time_format's) in out. */
int norm_time_text(const char *s, enum time_format fmt, int64_t *ret,
    char out[21]);
/* A date or date-time to "YYYY-MM-DD" (11 bytes). */
int norm_date(const char *s, char out[11]);
/* A decimal amount: optional sign, digits with "," thousands groups,
 * optional ".decimals" or exponent; |x| < 1e15. */
int norm_amount(const char *s, double *ret);
/* true/false, yes/no, 1/0, y/n (any case). */
int norm_bool(const char *s, int *ret);
/* A known ISO 4217 code, any case -> upper case (4 bytes). */
int norm_currency(const char *s, char out[4]);
/* 1 when code (upper case) is in ISO 4217. */
int norm_currency_known(const char *code);
/* A website URL, host or e-mail address -> lower-case host without
 * "www.", scheme, user, port or path. Returns a new string in *ret. */
int norm_domain(const char *s, char **ret);
/* The same into out (NORM_HOST_MAX bytes), without allocating. */
#define NORM_HOST_MAX 256
int norm_domain_buf(const char *s, char out[NORM_HOST_MAX]);
/* The registrable domain of host under the Public Suffix List (libpsl):
 * shop.acme.co.uk -> acme.co.uk. -1 for a public suffix itself. */
int norm_registrable_domain(const char *host, char **ret);
/* The same, borrowed (valid until the next call), or NULL. */
const char *norm_registrable_domain_ref(const char *host);
/* 1 when domain is on the shipped free-mail list. */
int norm_is_free_mail(const char *domain);
/*
 * Display text: valid UTF-8, no control characters except tab and line
 * breaks (which become spaces), whitespace collapsed and trimmed, at most
 * max bytes. Returns a new string, or -1 with a reason in *why.
 */
int norm_text(const char *s, size_t max, char **ret, const char **why);
/* The same, rewriting s (the result is never longer); s is undefined on error. */
int norm_text_inplace(char *s, size_t max, const char **why);
/* "2026-Q4", "2026-11" or "2026" (as given, validated). */
int norm_period(const char *s, char **ret);

#endif
