/*
 * decision_post.c - an operator's decision POSTed to a vendor's
 * decisions URL (see sources/source.h).
 */
#include "sources/source.h"
#include "config/config.h"
#include "lib/http.h"
#include "lib/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
decision_post(struct http *h, const struct config_source *src,
    const char *body, const char *idempotency_key, char *err, size_t errlen)
{
	struct http_request rq;
	struct http_response rs;
	struct http_retry retry;
	const char *hdrs[5];
	char *auth = source_auth_header(src), *idem;
	enum http_result r;
	int n = 0, rc = -1;

	idem = xasprintf("Idempotency-Key: %s", idempotency_key);
	hdrs[n++] = "Content-Type: application/json";
	hdrs[n++] = "Accept: application/json";
	hdrs[n++] = idem;
	if (auth)
		hdrs[n++] = auth;
	hdrs[n] = NULL;
	memset(&rq, 0, sizeof(rq));
	memset(&retry, 0, sizeof(retry));
	rq.method = "POST";
	rq.url = src->decisions_url;
	rq.headers = hdrs;
	rq.body = body;
	rq.body_len = strlen(body);
	rq.ca_file = src->ca_file;
	rq.timeout_ms = (long)src->timeout * 1000;
	source_auth_basic(src, &rq);
	retry.max_attempts = (int)src->retries;
	http_response_init(&rs);
	r = http_do(h, &rq, &retry, &rs);
	if (r != HTTP_OK)
		snprintf(err, errlen, "POST %s: %s", src->decisions_url, rs.error);
	else if (rs.status < 200 || rs.status > 299)
		snprintf(err, errlen, "POST %s: HTTP %ld", src->decisions_url,
		    rs.status);
	else
		rc = 0;
	http_response_free(&rs);
	free(idem);
	free(auth);
	return rc;
}
