/*
 * salesforce.c - the Salesforce REST client (OAuth, requests, queries,
 * getDeleted, collections). What to read and how to map it is crm_reader.c's.
 */
#include "crm/salesforce.h"
#include "lib/clock.h"
#include "lib/digest.h"
#include "lib/http.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "model/normalize.h"
#include "lib/secret.h"

#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOKEN_PATH "/services/oauth2/token"
#define BODY_MAX (64u << 20)

struct sf {
	const struct config *cfg;
	struct http *http;
	char *token;		/* masked in every log line */
	char *instance_url;
	char *identity;		/* the token response's id URL */
	char *refresh_token;	/* a rotated one, when newer than the config's */
	int64_t used, limit;	/* Sforce-Limit-Info; -1 unknown */
	int probe;		/* 1: the next call may go out despite the budget */
	char *login_key;	/* what the token was obtained with */
};

static enum sf_result
seterr(struct sf_error *e, enum sf_result r, long status, const char *code,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Fills e; returns r, for "return seterr(...)". */
static enum sf_result
seterr(struct sf_error *e, enum sf_result r, long status, const char *code,
    const char *fmt, ...)
{
	va_list ap;
	char *raw, *clean;

	e->result = r;
	e->status = status;
	snprintf(e->code, sizeof(e->code), "%s", code ? code : "");
	va_start(ap, fmt);
	raw = xvasprintf(fmt, ap);
	va_end(ap);
	clean = log_redact(raw, sizeof(e->message) - 8);
	snprintf(e->message, sizeof(e->message), "%s", clean);
	free(raw);
	free(clean);
	return r;
}

static char *
login_key(const struct config *cfg)
{
	return xasprintf("%s|%d|%s|%s", cfg->crm.login_url, cfg->crm.auth.flow,
	    cfg->crm.auth.client_id ? cfg->crm.auth.client_id : "",
	    cfg->crm.auth.username ? cfg->crm.auth.username : "");
}

struct sf *
sf_new(const struct config *cfg, struct http *http)
{
	struct sf *sf = xcalloc(1, sizeof(*sf));

	sf->cfg = cfg;
	sf->http = http;
	sf->used = sf->limit = -1;
	sf->probe = 1;
	sf->login_key = login_key(cfg);
	return sf;
}

static void
drop_token(struct sf *sf)
{
	if (sf->token) {
		log_forget_secret(sf->token);
		secure_free(sf->token, strlen(sf->token));
	}
	sf->token = NULL;
}

void
sf_free(struct sf *sf)
{
	if (sf == NULL)
		return;
	drop_token(sf);
	free(sf->instance_url);
	free(sf->identity);
	if (sf->refresh_token) {
		log_forget_secret(sf->refresh_token);
		secure_free(sf->refresh_token, strlen(sf->refresh_token));
	}
	free(sf->login_key);
	free(sf);
}

void
sf_set_config(struct sf *sf, const struct config *cfg)
{
	char *k = login_key(cfg);

	sf->cfg = cfg;
	if (strcmp(k, sf->login_key) != 0) {
		drop_token(sf);
		free(sf->login_key);
		sf->login_key = k;
	} else
		free(k);
}

void
sf_cycle_begin(struct sf *sf)
{
	sf->probe = 1;
}

const char *
sf_username(const struct sf *sf)
{
	if (sf->cfg->crm.auth.flow == FLOW_JWT_BEARER)
		return sf->cfg->crm.auth.username;
	return sf->identity;
}

const char *
sf_instance_url(const struct sf *sf)
{
	return sf->instance_url;
}

void
sf_api_usage(const struct sf *sf, int64_t *used, int64_t *limit)
{
	*used = sf->used;
	*limit = sf->limit;
}

int
sf_parse_limit_info(const char *v, int64_t *used, int64_t *limit)
{
	const char *p = v;
	char *end;
	long long u, l;

	/* "api-usage=" as a segment of its own, not "per-app-api-usage=" */
	while (p && (p = strstr(p, "api-usage=")) != NULL &&
	    p != v && p[-1] != ' ' && p[-1] != ';' && p[-1] != ',')
		p++;
	if (p == NULL)
		return -1;
	p += 10;
	u = strtoll(p, &end, 10);
	if (end == p || *end != '/')
		return -1;
	p = end + 1;
	l = strtoll(p, &end, 10);
	if (end == p || u < 0 || l <= 0)
		return -1;
	*used = u;
	*limit = l;
	return 0;
}

/* ---- OAuth ---- */

/* Writes a rotated refresh token over its file: reference, atomically. */
static int
persist_refresh_token(const char *ref, const char *token, char *err, size_t errlen)
{
	const char *path = ref + 5;
	char *dir = xstrdup(path), *slash = strrchr(dir, '/'), *tmp;
	int fd = -1, dfd, rc = -1;

	*slash = '\0';
	tmp = xasprintf("%s/.%s.XXXXXX", *dir ? dir : "/", slash + 1);
	if ((fd = mkstemp(tmp)) < 0) {
		snprintf(err, errlen, "cannot create a file beside %s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (fchmod(fd, 0600) < 0 || write(fd, token, strlen(token)) !=
	    (ssize_t)strlen(token) || write(fd, "\n", 1) != 1 || fsync(fd) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		unlink(tmp);
		goto out;
	}
	close(fd);
	fd = -1;
	if (rename(tmp, path) < 0) {
		snprintf(err, errlen, "cannot replace %s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	if ((dfd = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(tmp);
	free(dir);
	return rc;
}

static const char *
advice(const char *error, const char *desc)
{
	if (strstr(desc, "approved"))
		return "pre-authorize the connected app for this user (admin-approved "
		    "profile or permission set) and check that crm.login_url is the "
		    "org's login host (production or sandbox)";
	if (strstr(desc, "assertion"))
		return "the JWT does not verify: crm.auth.private_key must be the key "
		    "of the certificate uploaded to the connected app";
	if (strstr(desc, "audience"))
		return "crm.login_url must be https://login.salesforce.com, "
		    "https://test.salesforce.com or the org's My Domain login URL";
	if (strstr(desc, "expired authorization"))
		return "the assertion was already expired: check this server's clock";
	if (strstr(desc, "refresh token") || strstr(desc, "expired access"))
		return "the refresh token was revoked or has expired: authorize "
		    "chansync again and store the new refresh token";
	if (strstr(error, "client"))
		return "check crm.auth.client_id and its secret";
	if (strstr(error, "unsupported_grant_type"))
		return "this org does not allow the configured crm.auth.flow";
	return "check crm.auth";
}

static char *
form_add(char *form, const char *name, const char *value)
{
	char *esc = http_escape(value), *out;

	out = xasprintf("%s%s%s=%s", form ? form : "", form ? "&" : "", name, esc);
	free(esc);
	free(form);
	return out;
}

char *
sf_jwt_for_test(const struct secret *key, const char *client_id,
    const char *username, const char *audience, char *err, size_t errlen)
{
	struct jval *claims = jv_object();
	char *header = base64url("{\"alg\":\"RS256\"}", 15), *payload, *cj,
	    *input, *sig, *ret = NULL;

	jv_set_str(claims, "iss", client_id);
	jv_set_str(claims, "sub", username);
	jv_set_str(claims, "aud", audience);
	/* exp: seconds, a few minutes ahead (Salesforce allows ~3 of skew) */
	jv_set_int(claims, "exp", clock_now() + 180);
	cj = jv_dump_canonical(claims);
	jv_free(claims);
	payload = base64url(cj, strlen(cj));
	input = xasprintf("%s.%s", header, payload);
	if (key && (sig = rs256_sign_b64url(key->value, key->len, input,
	    strlen(input), err, errlen)) != NULL) {
		ret = xasprintf("%s.%s", input, sig);
		free(sig);
	} else if (key == NULL)
		snprintf(err, errlen, "crm.auth.private_key is not loaded");
	free(header);
	free(payload);
	free(cj);
	free(input);
	return ret;
}

/* The token request's form for the configured flow; NULL with e when the
 * JWT cannot be built. *rt: the refresh token sent, if any. */
static char *
login_form(struct sf *sf, const char **rt, struct sf_error *e)
{
	const struct config *cfg = sf->cfg;
	char *form = NULL, err[256];

	*rt = NULL;
	switch (cfg->crm.auth.flow) {
	case FLOW_JWT_BEARER: {
		char *a = sf_jwt_for_test(cfg->crm.auth.private_key_value,
		    cfg->crm.auth.client_id, cfg->crm.auth.username,
		    cfg->crm.login_url, err, sizeof(err));

		if (a == NULL) {
			seterr(e, SF_EAUTH, 0, "", "cannot build the JWT: %s", err);
			return NULL;
		}
		form = form_add(form, "grant_type",
		    "urn:ietf:params:oauth:grant-type:jwt-bearer");
		form = form_add(form, "assertion", a);
		free(a);
		break;
	}
	case FLOW_CLIENT_CREDENTIALS:
		form = form_add(form, "grant_type", "client_credentials");
		form = form_add(form, "client_id", cfg->crm.auth.client_id);
		form = form_add(form, "client_secret",
		    cfg->crm.auth.client_secret_value ?
		    cfg->crm.auth.client_secret_value->value : "");
		break;
	default:
		*rt = sf->refresh_token ? sf->refresh_token :
		    cfg->crm.auth.refresh_token_value ?
		    cfg->crm.auth.refresh_token_value->value : "";
		form = form_add(form, "grant_type", "refresh_token");
		form = form_add(form, "client_id", cfg->crm.auth.client_id);
		if (cfg->crm.auth.client_secret_value)
			form = form_add(form, "client_secret",
			    cfg->crm.auth.client_secret_value->value);
		form = form_add(form, "refresh_token", *rt);
	}
	return form;
}

/*
 * POSTs form to the token endpoint url; a refresh already running
 * elsewhere is waited for (at most three times). Returns SF_OK with the
 * answer in *ret_doc, or the failure in e.
 */
static enum sf_result
token_request(struct sf *sf, const char *url, const char *form,
    struct jval **ret_doc, struct sf_error *e)
{
	const struct config *cfg = sf->cfg;
	const char *hdrs[] = { "Content-Type: application/x-www-form-urlencoded",
		"Accept: application/json", NULL };
	struct http_request rq;
	struct http_response rs;
	struct http_retry retry = { 3, 1, 30, 60 };
	struct jval *doc = NULL;
	enum sf_result r = SF_EAUTH;
	char err[256];
	int busy;

	memset(&rq, 0, sizeof(rq));
	rq.method = "POST";
	rq.url = url;
	rq.headers = hdrs;
	rq.body = form;
	rq.body_len = strlen(form);
	rq.ca_file = cfg->crm.ca_file;
	rq.timeout_ms = 30000;
	rq.max_body = 1u << 20;
	http_response_init(&rs);
	for (busy = 0;; busy++) {
		enum http_result hr = http_do(sf->http, &rq, &retry, &rs);
		const char *error, *desc;

		jv_free(doc);
		doc = NULL;
		if (hr == HTTP_ESTOPPED) {
			r = seterr(e, SF_ESTOPPED, 0, "", "stopped");
			break;
		}
		if (hr != HTTP_OK) {
			r = seterr(e, SF_ENET, 0, "", "cannot reach %s: %s",
			    cfg->crm.login_url, rs.error);
			break;
		}
		doc = jv_parse(buf_str(&rs.body), rs.body.len, err, sizeof(err));
		if (rs.status == 200) {
			*ret_doc = doc;
			doc = NULL;
			r = SF_OK;
			break;
		}
		error = doc ? jv_object_str(doc, "error") : NULL;
		desc = doc ? jv_object_str(doc, "error_description") : NULL;
		if (rs.status >= 500 || error == NULL) {
			r = seterr(e, rs.status >= 500 ? SF_ENET : SF_EAUTH, rs.status,
			    "", "the token endpoint %s answered HTTP %ld", url,
			    rs.status);
			break;
		}
		/* a refresh already running elsewhere: wait and try again */
		if (desc && strstr(desc, "already being processed") && busy < 3) {
			if (http_sleep(sf->http, 1000 << busy)) {
				r = seterr(e, SF_ESTOPPED, 0, "", "stopped");
				break;
			}
			continue;
		}
		r = seterr(e, SF_EAUTH, rs.status, error, "Salesforce refused the "
		    "login at %s (%s: %s); %s", cfg->crm.login_url, error, desc ?
		    desc : "", advice(error, desc ? desc : ""));
		break;
	}
	jv_free(doc);
	http_response_free(&rs);
	return r;
}

/* The token answer doc taken: a rotated refresh token saved before
 * anything uses it (rt: the one sent), then the session kept. */
static enum sf_result
take_token(struct sf *sf, const struct jval *doc, const char *rt,
    struct sf_error *e)
{
	const struct config *cfg = sf->cfg;
	const char *tok = jv_object_str(doc, "access_token");
	const char *inst = jv_object_str(doc, "instance_url");
	const char *id = jv_object_str(doc, "id");
	const char *newrt = jv_object_str(doc, "refresh_token");
	const char *why;
	char err[256];

	if (tok == NULL || inst == NULL)
		return seterr(e, SF_EBODY, 200, "", "the token response has no "
		    "access_token or instance_url");
	if ((why = http_url_problem(inst)) != NULL)
		return seterr(e, SF_EAUTH, 200, "", "refused instance_url '%s': %s",
		    inst, why);
	if (newrt && rt && strcmp(newrt, rt) != 0) {
		log_add_secret(newrt, strlen(newrt));
		if (strncmp(cfg->crm.auth.refresh_token, "file:", 5) == 0) {
			if (persist_refresh_token(cfg->crm.auth.refresh_token, newrt,
			    err, sizeof(err)) < 0)
				return seterr(e, SF_EAUTH, 200, "", "Salesforce rotated "
				    "the refresh token but it cannot be saved: %s", err);
		} else
			log_warning("Salesforce rotated the refresh token, but "
			    "crm.auth.refresh_token (%s) is not a file: reference; "
			    "the new token lives in memory only until a restart",
			    cfg->crm.auth.refresh_token);
		if (sf->refresh_token)
			secure_free(sf->refresh_token, strlen(sf->refresh_token));
		sf->refresh_token = xstrdup(newrt);
	}
	sf->token = xstrdup(tok);
	log_add_secret(sf->token, strlen(sf->token));
	free(sf->instance_url);
	sf->instance_url = xstrdup(inst);
	free(sf->identity);
	sf->identity = id ? xstrdup(id) : NULL;
	return SF_OK;
}

enum sf_result
sf_login(struct sf *sf, struct sf_error *e)
{
	struct jval *doc = NULL;
	const char *rt;
	char *form, *url;
	enum sf_result r;

	drop_token(sf);
	if ((form = login_form(sf, &rt, e)) == NULL)
		return SF_EAUTH;
	url = xasprintf("%s%s", sf->cfg->crm.login_url, TOKEN_PATH);
	r = token_request(sf, url, form, &doc, e);
	if (r == SF_OK)
		r = take_token(sf, doc, rt, e);
	jv_free(doc);
	secure_free(form, strlen(form));
	free(url);
	return r;
}

/* ---- requests ---- */

static char *
full_url(const struct sf *sf, const char *path)
{
	if (strncmp(path, "/services/", 10) == 0)
		return xasprintf("%s%s", sf->instance_url, path);
	return xasprintf("%s/services/data/v%s%s", sf->instance_url,
	    sf->cfg->crm.api_version, path);
}

/*
 * A request path as error messages show it: a query URL can be 16 KB,
 * and the status and the server's reason must come first.
 */
static const char *
short_path(const char *path, char *buf, size_t len)
{
	if (strlen(path) < 100)
		return path;
	snprintf(buf, len, "%.96s...", path);
	return buf;
}

/* Fills e from a REST error body: [{"message","errorCode","fields"}]. */
static void
rest_error(struct sf_error *e, long status, const struct buf *body,
    const char *what)
{
	char err[128], *fields = NULL;
	struct jval *doc = jv_parse(buf_str(body), body->len, err, sizeof(err));
	const struct jval *first = doc ? jv_array_at(doc, 0) : NULL;
	const char *code = first ? jv_object_str(first, "errorCode") : NULL;
	const char *msg = first ? jv_object_str(first, "message") : NULL;
	enum sf_result r = SF_EREQUEST;
	size_t i;
	char sp[128];

	what = short_path(what, sp, sizeof(sp));
	if (first) {
		const struct jval *fl = jv_lookup(first, "/fields");
		struct buf b;

		buf_init(&b, 1024);
		for (i = 0; i < jv_array_len(fl); i++) {
			char *f = NULL;

			if (jv_lookup_text(jv_array_at(fl, i), "", &f, err, sizeof(err)) == 1 && f)
				buf_addf(&b, "%s%s", b.len ? ", " : "", f);
			free(f);
		}
		if (b.len)
			fields = buf_steal(&b);
		buf_free(&b);
	}
	if (code && strcmp(code, "REQUEST_LIMIT_EXCEEDED") == 0)
		r = SF_EBUDGET;
	else if (code && strcmp(code, "QUERY_TIMEOUT") == 0)
		r = SF_ETIMEOUT;
	else if (status >= 500 || status == 429)
		r = SF_ENET;
	if (code)
		seterr(e, r, status, code, "%s: HTTP %ld %s: %s%s%s%s", what, status,
		    code, msg ? msg : "", fields ? " (fields: " : "", fields ? fields : "",
		    fields ? ")" : "");
	else {
		char *excerpt = log_redact(buf_str(body), 160);

		seterr(e, r, status, "", "%s: HTTP %ld: %s", what, status, excerpt);
		free(excerpt);
	}
	free(fields);
	jv_free(doc);
}

static int
over_budget(const struct sf *sf)
{
	return sf->limit > 0 && sf->used * 100 >= sf->limit *
	    sf->cfg->crm.api_budget_percent;
}

/* One request; the body of a 2xx answer is moved into out. */
static enum sf_result
request_raw(struct sf *sf, const char *method, const char *path,
    const char *body, const char *const *headers, struct buf *out,
    struct sf_error *e)
{
	struct http_request rq;
	struct http_response rs;
	struct http_retry retry = { 5, 1, 60, 120 };
	const char *hdrs[16];
	char *auth = NULL, *url = NULL;
	enum sf_result r = SF_OK;
	int attempt, n, i;

	http_response_init(&rs);
	if (out->cap) {		/* fill the room out has */
		buf_free(&rs.body);
		rs.body = *out;
		buf_reset(&rs.body);
		buf_init(out, HTTP_DEFAULT_MAX_BODY);
	}
	for (attempt = 0; attempt < 2; attempt++) {
		enum http_result hr;

		if (sf->token == NULL && (r = sf_login(sf, e)) != SF_OK)
			goto out;
		if (over_budget(sf) && !sf->probe) {
			seterr(e, SF_EBUDGET, 0, "", "API budget reached: %lld of %lld "
			    "daily requests used (crm.api_budget_percent %lld); no more "
			    "calls until the budget returns", (long long)sf->used,
			    (long long)sf->limit,
			    (long long)sf->cfg->crm.api_budget_percent);
			r = SF_EBUDGET;
			goto out;
		}
		sf->probe = 0;
		free(url);
		url = full_url(sf, path);
		free(auth);
		auth = xasprintf("Authorization: Bearer %s", sf->token);
		n = 0;
		hdrs[n++] = auth;
		hdrs[n++] = "Accept: application/json";
		if (body)
			hdrs[n++] = "Content-Type: application/json";
		for (i = 0; headers && headers[i] && n < 15; i++)
			hdrs[n++] = headers[i];
		hdrs[n] = NULL;
		memset(&rq, 0, sizeof(rq));
		rq.method = method;
		rq.url = url;
		rq.headers = hdrs;
		rq.body = body;
		rq.body_len = body ? strlen(body) : 0;
		rq.ca_file = sf->cfg->crm.ca_file;
		rq.timeout_ms = 300000;
		rq.max_body = BODY_MAX;
		hr = http_do(sf->http, &rq, &retry, &rs);
		if (rs.limit_info)
			sf_parse_limit_info(rs.limit_info, &sf->used, &sf->limit);
		if (hr == HTTP_ESTOPPED) {
			seterr(e, SF_ESTOPPED, 0, "", "stopped");
			r = SF_ESTOPPED;
			goto out;
		}
		if (hr != HTTP_OK) {
			char sp[128];

			seterr(e, hr == HTTP_ETOOBIG ? SF_EBODY : SF_ENET, 0, "",
			    "%s %s: %s (after %d attempt%s)", method,
			    short_path(path, sp, sizeof(sp)), rs.error,
			    rs.attempts, rs.attempts == 1 ? "" : "s");
			r = e->result;
			goto out;
		}
		/* an expired session: log in again once and retry once */
		if (rs.status == 401 && attempt == 0 &&
		    strstr(buf_str(&rs.body), "INVALID_SESSION_ID")) {
			log_info("Salesforce session expired; logging in again");
			drop_token(sf);
			continue;
		}
		break;
	}
	if (rs.status < 200 || rs.status > 299) {
		rest_error(e, rs.status, &rs.body, path);
		r = e->result;
		goto out;
	}
	/* hand the body over without copying it */
	buf_free(out);
	*out = rs.body;
	buf_init(&rs.body, HTTP_DEFAULT_MAX_BODY);
out:
	if (auth)
		secure_free(auth, strlen(auth));
	free(url);
	http_response_free(&rs);
	return r;
}


static void
not_json(struct sf_error *e, const char *method, const char *path,
    const struct buf *b, const char *err)
{
	unsigned char h[DIGEST_LEN];
	char hex[DIGEST_HEX_LEN + 1], sp[128];

	sha256(buf_str(b), b->len, h);
	hex_encode(h, DIGEST_LEN, hex);
	seterr(e, SF_EBODY, 200, "", "%s %s: the response is not valid JSON (%s; "
	    "%zu bytes, sha256 %.16s)", method, short_path(path, sp, sizeof(sp)),
	    err, b->len, hex);
}

enum sf_result
sf_request(struct sf *sf, const char *method, const char *path,
    const char *body, const char *const *headers, struct jval **ret,
    struct sf_error *e)
{
	struct buf b;
	char err[256];
	enum sf_result r;

	*ret = NULL;
	buf_init(&b, HTTP_DEFAULT_MAX_BODY);
	r = request_raw(sf, method, path, body, headers, &b, e);
	if (r == SF_OK && b.len &&
	    (*ret = jv_parse(buf_str(&b), b.len, err, sizeof(err))) == NULL) {
		not_json(e, method, path, &b, err);
		r = SF_EBODY;
	}
	buf_free(&b);
	return r;
}

/* ---- queries ---- */

void
sf_page_free(struct sf_page *p)
{
	buf_free(&p->body);
	jscan_free(&p->js);
	free(p->next);
	memset(p, 0, sizeof(*p));
}

void
sf_page_recycle(struct sf_page *p)
{
	struct buf body = p->body;
	struct jscan js = p->js;

	free(p->next);
	memset(p, 0, sizeof(*p));
	p->body = body;
	p->js = js;
}

/*
 * Fetches path and tokenizes it as a query page. With reuse, page is
 * zeroed or recycled, and the body and token buffers it has are filled
 * again: a big sync reads hundreds of pages of the same size.
 */
static enum sf_result
get_page(struct sf *sf, const char *path, const char *const *headers,
    struct sf_page *page, int reuse, struct sf_error *e)
{
	enum sf_result r;
	char err[256], *v = NULL;
	int tok;

	if (!reuse || page->body.max == 0) {
		if (!reuse)
			memset(page, 0, sizeof(*page));
		buf_init(&page->body, HTTP_DEFAULT_MAX_BODY);
		if (!reuse)
			jscan_init(&page->js);
	} else
		buf_reset(&page->body);
	r = request_raw(sf, "GET", path, NULL, headers, &page->body, e);
	if (r != SF_OK)
		goto fail;
	if (jscan_parse(&page->js, buf_str(&page->body), page->body.len, err,
	    sizeof(err)) < 0) {
		not_json(e, "GET", path, &page->body, err);
		r = SF_EBODY;
		goto fail;
	}
	page->records = jscan_member(&page->js, 0, "records");
	if (page->records < 0 || page->js.t[page->records].type != JS_ARRAY) {
		seterr(e, SF_EBODY, 200, "", "the query response has no records array");
		r = SF_EBODY;
		goto fail;
	}
	page->nrecords = page->js.t[page->records].count;
	if ((tok = jscan_member(&page->js, 0, "totalSize")) >= 0 &&
	    jscan_text(&page->js, tok, &v) == 1 && v)
		page->total = strtoll(v, NULL, 10);
	free(v);
	if ((tok = jscan_member(&page->js, 0, "nextRecordsUrl")) >= 0)
		jscan_text(&page->js, tok, &page->next);
	return SF_OK;
fail:
	sf_page_free(page);
	return r;
}

size_t
sf_query_url_length(const struct sf *sf, const char *soql, int all)
{
	char *q = http_escape(soql);
	size_t n = strlen(q) + (sf->instance_url ? strlen(sf->instance_url) : 64) +
	    strlen(all ? "/services/data/v00.0/queryAll?q=" :
	    "/services/data/v00.0/query?q=");

	free(q);
	return n;
}

static const char **
batch_header(int batch, char *buf, size_t len, const char **hdrs)
{
	snprintf(buf, len, "Sforce-Query-Options: batchSize=%d",
	    batch < 200 ? 200 : batch > 2000 ? 2000 : batch);
	hdrs[0] = buf;
	hdrs[1] = NULL;
	return hdrs;
}

enum sf_result
sf_query(struct sf *sf, const char *soql, int all, int batch,
    struct sf_page *page, struct sf_error *e)
{
	char *q = http_escape(soql), *path, hb[64];
	const char *hdrs[2];
	enum sf_result r;

	path = xasprintf("/%s?q=%s", all ? "queryAll" : "query", q);
	r = get_page(sf, path, batch_header(batch, hb, sizeof(hb), hdrs), page, 0,
	    e);
	free(q);
	free(path);
	return r;
}

enum sf_result
sf_query_more(struct sf *sf, const char *next, int batch, struct sf_page *page,
    struct sf_error *e)
{
	const char *hdrs[2];
	char hb[64];
	const char *p;

	/* a locator path on this instance, nothing else */
	if (strncmp(next, "/services/data/v", 16) != 0) {
		seterr(e, SF_EBODY, 0, "", "refused nextRecordsUrl '%.100s': not a "
		    "path on this instance", next);
		return SF_EBODY;
	}
	for (p = next; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/._-", *p)) {
			seterr(e, SF_EBODY, 0, "", "refused nextRecordsUrl '%.100s'", next);
			return SF_EBODY;
		}
	return get_page(sf, next, batch_header(batch, hb, sizeof(hb), hdrs), page, 1,
	    e);
}

/* ---- getDeleted ---- */

void
sf_deleted_free(struct sf_deleted *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->ids[i]);
	free(d->ids);
	memset(d, 0, sizeof(*d));
}

enum sf_result
sf_get_deleted(struct sf *sf, const char *sobject, int64_t start, int64_t end,
    struct sf_deleted *out, struct sf_error *e)
{
	char s[21], en[21], *path, *es, *ee, *t = NULL, err[64];
	struct jval *doc = NULL;
	const struct jval *recs;
	enum sf_result r;
	size_t i, cap = 0;
	int64_t v;

	memset(out, 0, sizeof(*out));
	norm_time_format(start, s);
	norm_time_format(end, en);
	es = http_escape(s);
	ee = http_escape(en);
	path = xasprintf("/sobjects/%s/deleted/?start=%s&end=%s", sobject, es, ee);
	free(es);
	free(ee);
	r = sf_request(sf, "GET", path, NULL, NULL, &doc, e);
	free(path);
	if (r != SF_OK)
		return r;
	recs = jv_lookup(doc, "/deletedRecords");
	for (i = 0; i < jv_array_len(recs); i++) {
		const char *id = jv_object_str(jv_array_at(recs, i), "id");

		if (id == NULL)
			continue;
		xgrow(&out->ids, &cap, out->n + 1, sizeof(*out->ids));
		out->ids[out->n++] = xstrdup(id);
	}
	out->earliest = out->latest = 0;
	if (jv_lookup_text(doc, "/earliestDateAvailable", &t, err, sizeof(err)) == 1 &&
	    t && norm_time(t, TIME_ISO8601, &v) == 0)
		out->earliest = v;
	free(t);
	t = NULL;
	if (jv_lookup_text(doc, "/latestDateCovered", &t, err, sizeof(err)) == 1 &&
	    t && norm_time(t, TIME_ISO8601, &v) == 0)
		out->latest = v;
	free(t);
	jv_free(doc);
	return SF_OK;
}

/* ---- collections ---- */

void
sf_write_results_free(struct sf_write_result *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(r[i].id);
		free(r[i].status_code);
		free(r[i].message);
		free(r[i].fields);
	}
	free(r);
}

enum sf_result
sf_collections(struct sf *sf, enum sf_write_op op, const char *sobject,
    const char *ext_field, struct jval *records, struct sf_write_result **results,
    size_t *nresults, struct sf_error *e)
{
	struct jval *req = jv_object(), *doc = NULL;
	const char *hdrs[2] = { NULL, NULL };
	char *body, *path, err[64];
	size_t n = jv_array_len(records), i;
	enum sf_result r;

	*results = NULL;
	*nresults = 0;
	if (n > 200) {
		jv_free(records);
		jv_free(req);
		seterr(e, SF_EREQUEST, 0, "", "at most 200 records a request (%zu given)",
		    n);
		return SF_EREQUEST;
	}
	jv_set(req, "allOrNone", jv_bool(0));
	jv_set(req, "records", records);
	body = jv_dump_canonical(req);
	jv_free(req);
	if (op == SF_UPSERT)
		path = xasprintf("/composite/sobjects/%s/%s", sobject, ext_field);
	else
		path = xstrdup("/composite/sobjects");
	if (sf->cfg->crm.writeback.duplicate_rule_allow_save)
		hdrs[0] = "Sforce-Duplicate-Rule-Header: allowSave=true";
	r = sf_request(sf, op == SF_CREATE ? "POST" : "PATCH", path, body, hdrs,
	    &doc, e);
	free(body);
	free(path);
	if (r != SF_OK)
		return r;
	if (jv_array_len(doc) != n) {
		seterr(e, SF_EBODY, 200, "", "the collections response has %zu results "
		    "for %zu records", jv_array_len(doc), n);
		jv_free(doc);
		return SF_EBODY;
	}
	*results = xcalloc(n ? n : 1, sizeof(**results));
	for (i = 0; i < n; i++) {
		const struct jval *it = jv_array_at(doc, i);
		struct sf_write_result *w = &(*results)[i];
		char *v = NULL;
		const struct jval *e0 = jv_lookup(it, "/errors/0");

		w->created = -1;
		if (jv_lookup_text(it, "/success", &v, err, sizeof(err)) == 1 && v)
			w->success = strcmp(v, "true") == 0;
		free(v);
		v = NULL;
		if (jv_lookup_text(it, "/created", &v, err, sizeof(err)) == 1 && v)
			w->created = strcmp(v, "true") == 0;
		free(v);
		v = NULL;
		if (jv_lookup_text(it, "/id", &v, err, sizeof(err)) == 1)
			w->id = v;
		if (e0) {
			const struct jval *fl = jv_lookup(e0, "/fields");
			struct buf b;
			size_t k;

			w->status_code = jv_object_str(e0, "statusCode") ?
			    xstrdup(jv_object_str(e0, "statusCode")) : NULL;
			w->message = jv_object_str(e0, "message") ?
			    xstrdup(jv_object_str(e0, "message")) : NULL;
			buf_init(&b, 4096);
			for (k = 0; k < jv_array_len(fl); k++) {
				char *f = NULL;

				if (jv_lookup_text(jv_array_at(fl, k), "", &f, err,
				    sizeof(err)) == 1 && f)
					buf_addf(&b, "%s%s", b.len ? "," : "", f);
				free(f);
			}
			w->fields = b.len ? buf_steal(&b) : NULL;
			buf_free(&b);
		}
	}
	*nresults = n;
	jv_free(doc);
	return SF_OK;
}

/* ---- SOQL text ---- */

char *
sf_soql_quote(const char *s)
{
	struct buf b;

	buf_init(&b, 0);
	buf_addch(&b, '\'');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '\\': buf_addstr(&b, "\\\\"); break;
		case '\'': buf_addstr(&b, "\\'"); break;
		case '"': buf_addstr(&b, "\\\""); break;
		case '\n': buf_addstr(&b, "\\n"); break;
		case '\r': buf_addstr(&b, "\\r"); break;
		case '\t': buf_addstr(&b, "\\t"); break;
		case '\b': buf_addstr(&b, "\\b"); break;
		case '\f': buf_addstr(&b, "\\f"); break;
		default:
			if (c < 0x20 || c == 0x7f) {
				buf_free(&b);
				return NULL;
			}
			buf_addch(&b, (char)c);
		}
	}
	buf_addch(&b, '\'');
	return buf_steal(&b);
}

void
sf_soql_datetime(int64_t t, char out[21])
{
	norm_time_format(t, out);
}

int
sf_api_name_valid(const char *s)
{
	int seg = 0;

	if (!isalpha((unsigned char)*s))
		return 0;
	for (; *s; s++) {
		if (*s == '.') {
			if (seg == 0 || !isalpha((unsigned char)s[1]))
				return 0;
			seg = 0;
			continue;
		}
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
		seg++;
	}
	return seg > 0;
}
