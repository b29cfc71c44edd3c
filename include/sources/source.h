/*
 * source.h - the source kinds: what a cycle calls once per due source.
 *
 * Each kind (http_json, file_drop) reads its system and lands what it
 * reads through landing.h. The kinds are a table keyed by config.h's
 * enum source_kind, whose names the configuration's kind list holds.
 */
#ifndef CHANSYNC_SOURCE_H
#define CHANSYNC_SOURCE_H

#include "sources/landing.h"

struct source_reader {
	int kind;		/* enum source_kind: config_source.kind, whose
				 * name config_source_kind_name() gives */
	enum source_status (*run)(struct source_run *run);
};

/* The kind's entry, or NULL for a kind this build does not know. */
const struct source_reader *source_reader(int kind);

/* Runs the source. Returns its status; run->error says why it failed. */
enum source_status source_run(struct source_run *run);

/* An http_json source's auth as one request header ("Authorization:
 * Bearer ...", or its own header), NULL for none or basic (a new string:
 * it holds a secret, free it and never log it); and basic auth set on a
 * request. */
struct http_request;
char *source_auth_header(const struct config_source *src);
void source_auth_basic(const struct config_source *src,
    struct http_request *rq);

/*
 * POSTs one operator decision (a JSON object) to an http_json source's
 * decisions URL, with its auth and an Idempotency-Key, so that a POST
 * repeated after a crash is one decision to the vendor. Returns 0 on a
 * 2xx answer, -1 with err otherwise (decision_post.c).
 */
struct http;
int decision_post(struct http *h, const struct config_source *src,
    const char *body, const char *idempotency_key, char *err, size_t errlen);

/* The kinds' readers (source_http_json.c, source_file_drop.c). */
enum source_status http_json_run(struct source_run *run);
enum source_status file_drop_run(struct source_run *run);

#endif
