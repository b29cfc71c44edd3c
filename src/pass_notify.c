/*
 * pass_notify.c - alerts reach people (contract §15): the alert types of
 * notify.immediate at once, each owner's digest once a day at
 * notify.digest.at, by e-mail (SMTP) and to a chat webhook.
 *
 * Every message goes through the outbox (store_notify.c) before it is
 * sent: its key says what it is (the alert and when it was raised, or the
 * owner and the day), so it is queued once however often a cycle looks.
 * Sending is after queueing; a send that fails waits with backoff and is
 * tried again each cycle; a message two days old is given up. A crash
 * between a server's acceptance and the record of it sends that message
 * again, with the same Message-ID and Idempotency-Key: at most one
 * duplicate, which a mail client or the webhook's receiver can recognise.
 */
#include "pass.h"
#include "pass_notify.h"
#include "lib/clock.h"
#include "lib/digest.h"
#include "lib/http.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "lib/secret.h"
#include "lib/smtp.h"
#include "lib/utf8.h"
#include "model/normalize.h"
#include "rules/digest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GIVE_UP_AFTER (2 * 86400)	/* a message this old is stale */
#define BACKOFF_MAX 3600

struct counts {
	int queued, sent, failed, gave_up;
};

/* ---- who gets what ---- */

/* The address for owner: notify.recipients, else the CRM user's e-mail
 * while they are active; NULL: none. */
static const char *
address_of(const struct config *cfg, const char *owner, const char *email,
    int active)
{
	size_t i;

	for (i = 0; i < cfg->notify.nrecipients; i++)
		if (strcmp(cfg->notify.recipients[i].key, owner) == 0)
			return cfg->notify.recipients[i].value;
	return active && email && *email ? email : NULL;
}

/* "<hex@domain>": the same for the same key, resend or not. */
static void
message_id(const struct config *cfg, const char *key, char *out, size_t len)
{
	unsigned char h[DIGEST_LEN];
	char hex[DIGEST_HEX_LEN + 1];
	const char *at = cfg->notify.smtp.from ? strchr(cfg->notify.smtp.from,
	    '@') : NULL;

	sha256(key, strlen(key), h);
	hex_encode(h, 16, hex);
	snprintf(out, len, "<%s.chansync@%s>", hex, at ? at + 1 : "localhost");
}

/* Queues one message on each configured channel: an e-mail to address
 * (when there is one), and one webhook post per key. */
static int
queue_message(const struct cycle_env *env, const char *kind,
    const char *key, const char *owner, const char *address,
    const char *subject, const char *body, int webhook, struct counts *c)
{
	const struct config *cfg = env->cfg;
	const struct {
		const char *channel, *recipient;
		int on;
	} ch[2] = {
		{ "email", address, cfg->notify.smtp.present && address },
		{ "webhook", NULL, cfg->notify.webhook.present && webhook },
	};
	struct store_notification n;
	char now[CLOCK_ISO_LEN], mid[128], *k;
	size_t i;
	int rc;

	clock_now_iso(now);
	memset(&n, 0, sizeof(n));
	n.kind = kind;
	n.owner_id = owner;
	n.subject = subject;
	n.body = body;
	n.created_at = now;
	n.message_id = mid;
	for (i = 0; i < 2; i++) {
		if (!ch[i].on)
			continue;
		k = xasprintf("%s:%s", key, ch[i].channel);
		message_id(cfg, k, mid, sizeof(mid));
		n.key = k;
		n.channel = ch[i].channel;
		n.recipient = ch[i].recipient;
		rc = store_notify_put(env->st, &n);
		free(k);
		if (rc < 0)
			return -1;
		c->queued += rc;
	}
	return 0;
}

/* ---- the alerts of notify.immediate ---- */

struct owner {
	char *id, *name, *email;
	int active;
};

struct owners {
	struct owner *v;
	size_t n, cap;
};

static int
owner_row(void *ctx, const struct store_row *r)
{
	struct owners *o = ctx;
	struct owner *x;
	const char *id = store_col(r, "id"), *v;

	if (id == NULL)
		return 0;
	xgrow(&o->v, &o->cap, o->n + 1, sizeof(*o->v));
	x = &o->v[o->n++];
	x->id = xstrdup(id);
	x->name = (v = store_col(r, "name")) ? xstrdup(v) : NULL;
	x->email = (v = store_col(r, "email")) ? xstrdup(v) : NULL;
	x->active = (v = store_col(r, "is_active")) && strcmp(v, "0") != 0;
	return 0;
}

static void
owners_free(struct owners *o)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		free(o->v[i].id);
		free(o->v[i].name);
		free(o->v[i].email);
	}
	free(o->v);
	memset(o, 0, sizeof(*o));
}

static const struct owner *
owner_get(const struct owners *o, const char *id)
{
	size_t i;

	for (i = 0; id && i < o->n; i++)
		if (strcmp(o->v[i].id, id) == 0)
			return &o->v[i];
	return NULL;
}

struct immediate {
	const struct cycle_env *env;
	const struct owners *owners;
	int64_t since;
	struct counts *c;
	int failed;
};

static int
immediate_type(const struct config *cfg, const char *type)
{
	size_t i;

	for (i = 0; type && i < cfg->notify.nimmediate; i++)
		if (strcmp(cfg->notify.immediate[i], type) == 0)
			return 1;
	return 0;
}

static int
immediate_row(void *ctx, const struct store_row *r)
{
	struct immediate *im = ctx;
	const struct config *cfg = im->env->cfg;
	const char *key = store_col(r, "key"), *first = store_col(r, "first_seen");
	const char *msg = store_col(r, "message"), *sev = store_col(r, "severity");
	const char *who[2] = { store_col(r, "owner_id"),
		store_col(r, "account_owner_id") };
	char *subject, *body, *base, *cut;
	int64_t t;
	size_t i;

	/* raised within the last day: enabling notify does not send the past */
	if (key == NULL || first == NULL || !immediate_type(cfg,
	    store_col(r, "type")) || norm_time(first, TIME_ISO8601, &t) < 0 ||
	    t < im->since)
		return 0;
	cut = utf8_cut(msg ? msg : key, 120);
	subject = xasprintf("chansync [%s] %s", sev ? sev : "alert", cut);
	free(cut);
	for (i = 0; i < 2 && !im->failed; i++) {
		const struct owner *o = owner_get(im->owners, who[i]);
		const char *addr = o ? address_of(cfg, o->id, o->email, o->active) :
		    NULL;

		if (who[i] == NULL || (i == 1 && who[0] && strcmp(who[0],
		    who[1]) == 0))
			continue;
		body = xasprintf("%s\n\nFor %s. Alert %s, raised %s.\nchansyncctl "
		    "alerts --owner \"%s\"\n", msg ? msg : key, o && o->name ?
		    o->name : who[i], key, first, o && o->name ? o->name : who[i]);
		base = xasprintf("alert:%s:%s:%s", key, first, who[i]);
		if (queue_message(im->env, "alert", base, who[i], addr, subject,
		    body, 0, im->c) < 0)
			im->failed = 1;
		free(base);
		free(body);
	}
	/* the team channel: once per alert, whoever owns it */
	if (!im->failed && cfg->notify.webhook.present) {
		const struct owner *o = owner_get(im->owners, who[0]);

		body = xasprintf("%s\n\nOwner: %s. Alert %s, raised %s.\n",
		    msg ? msg : key, o && o->name ? o->name : who[0] ? who[0] :
		    "nobody (the partner has no owner in the CRM)", key, first);
		base = xasprintf("alert:%s:%s", key, first);
		if (queue_message(im->env, "alert", base, who[0], NULL, subject,
		    body, 1, im->c) < 0)
			im->failed = 1;
		free(base);
		free(body);
	}
	free(subject);
	return 0;
}

/* ---- the daily digest ---- */

/* Is local day tm a business day (daemon.business_days, not a holiday)? */
static int
business_day(const struct config *cfg, const struct tm *tm)
{
	char d[32];
	size_t i;

	if (!(cfg->daemon.business_days >> ((tm->tm_wday + 6) % 7) & 1))
		return 0;
	snprintf(d, sizeof(d), "%04d-%02d-%02d", tm->tm_year + 1900,
	    tm->tm_mon + 1, tm->tm_mday);
	for (i = 0; i < cfg->daemon.nholidays; i++)
		if (strcmp(cfg->daemon.holidays[i], d) == 0)
			return 0;
	return 1;
}

/*
 * Queues owner o's digest for day (key digest:OWNER:DAY[:suffix]).
 * Returns 1 queued (or queued before), 0 nothing to say, -1 error.
 */
static int
queue_digest(const struct cycle_env *env, const struct owner *o,
    const char *day, const char *suffix, int64_t now, struct counts *c)
{
	struct digest dg;
	char *key;
	int rc;

	rc = store_digest_compose(env->st, env->cfg, o->id, o->name, now, &dg);
	if (rc <= 0)
		return rc;
	key = xasprintf("digest:%s:%s%s%s", o->id, day, suffix ? ":" : "",
	    suffix ? suffix : "");
	rc = queue_message(env, "digest", key, o->id, address_of(env->cfg,
	    o->id, o->email, o->active), dg.subject, dg.body, 1, c);
	free(key);
	digest_free(&dg);
	return rc < 0 ? -1 : 1;
}

static int
digest_due(const struct config *cfg, int64_t now, char day[32])
{
	struct tm tm;

	if (clock_local(now, cfg->daemon.timezone, &tm) < 0)
		return 0;
	snprintf(day, 32, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday);
	if (tm.tm_hour * 60 + tm.tm_min < cfg->notify.digest.minute)
		return 0;
	return !cfg->notify.digest.business_days_only || business_day(cfg, &tm);
}

/* ---- sending ---- */

/* RFC 2047 for a subject that is not plain ASCII: UTF-8 B-words of at
 * most 45 bytes each, cut at character boundaries. */
static void
add_subject(struct buf *b, const char *s)
{
	const unsigned char *p;
	size_t n = strlen(s), i = 0;
	int ascii = 1;

	for (p = (const unsigned char *)s; *p; p++)
		if (*p >= 0x7f || *p < 0x20)
			ascii = 0;
	if (ascii) {
		buf_addf(b, "Subject: %s\r\n", s);
		return;
	}
	buf_addstr(b, "Subject:");
	while (i < n) {
		size_t k = n - i > 45 ? 45 : n - i;
		char *enc;

		/* back off to the start of a character */
		while (i + k < n && k > 0 &&
		    ((unsigned char)s[i + k] & 0xC0) == 0x80)
			k--;
		enc = base64(s + i, k);
		buf_addf(b, " =?UTF-8?B?%s?=\r\n", enc);
		free(enc);
		i += k;
	}
}

static char *
email_text(const struct config *cfg, const struct store_row *r)
{
	struct buf b;
	char date[64];
	time_t t = (time_t)clock_now();
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	buf_init(&b, 0);
	buf_addf(&b, "From: %s\r\nTo: %s\r\n", cfg->notify.smtp.from,
	    store_col(r, "recipient"));
	add_subject(&b, store_col(r, "subject"));
	buf_addf(&b, "Date: %s\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\nAuto-Submitted: auto-generated\r\n"
	    "X-Chansync-Key: %s\r\n\r\n%s", date, store_col(r, "message_id"),
	    store_col(r, "key"), store_col(r, "body"));
	return buf_steal(&b);
}

/* Sends one; 0 sent, 1 failed (err), -2 stopped. */
static int
send_one(const struct cycle_env *env, const struct store_row *r, char *err,
    size_t errlen)
{
	const struct config *cfg = env->cfg;
	const char *ch = store_col(r, "channel");

	if (ch && strcmp(ch, "email") == 0) {
		struct smtp_server srv;
		const char *to[1] = { store_col(r, "recipient") };
		char *text = email_text(cfg, r);
		enum smtp_result rc;

		memset(&srv, 0, sizeof(srv));
		srv.url = cfg->notify.smtp.url;
		srv.plain_ok = cfg->notify.smtp.starttls == STARTTLS_NONE;
		srv.username = cfg->notify.smtp.username;
		srv.password = cfg->notify.smtp.password_value ?
		    cfg->notify.smtp.password_value->value : NULL;
		srv.ca_file = cfg->notify.smtp.ca_file;
		rc = smtp_send(&srv, cfg->notify.smtp.from, to, 1, text,
		    strlen(text), env->tick, env->tick_arg, err, errlen);
		free(text);
		if (rc == SMTP_ESTOPPED)
			return -2;
		if (rc == SMTP_EAUTH) {
			char why[256];

			snprintf(why, sizeof(why), "%s", err);
			snprintf(err, errlen, "the SMTP server refused the login of "
			    "notify.smtp.username (%s); check the password that "
			    "notify.smtp.password names", why);
		}
		return rc == SMTP_OK ? 0 : 1;
	}
	if (ch && strcmp(ch, "webhook") == 0 && cfg->notify.webhook.url_value) {
		struct http_request rq;
		struct http_response rs;
		struct jval *o = jv_object();
		const char *hdrs[3];
		char *payload, *idem, *text;
		enum http_result hr;
		int rc;

		text = xasprintf("*%s*\n\n%s", store_col(r, "subject"),
		    store_col(r, "body"));
		jv_set_str(o, "text", text);
		payload = jv_dump_canonical(o);
		jv_free(o);
		free(text);
		idem = xasprintf("Idempotency-Key: %s", store_col(r, "key"));
		hdrs[0] = "Content-Type: application/json";
		hdrs[1] = idem;
		hdrs[2] = NULL;
		memset(&rq, 0, sizeof(rq));
		rq.method = "POST";
		rq.url = cfg->notify.webhook.url_value->value;
		rq.headers = hdrs;
		rq.body = payload;
		rq.body_len = strlen(payload);
		rq.timeout_ms = 30000;
		rq.max_body = 1 << 16;
		http_response_init(&rs);
		hr = http_perform(env->http, &rq, &rs);
		if (hr == HTTP_ESTOPPED)
			rc = -2;
		else if (hr != HTTP_OK) {
			snprintf(err, errlen, "the webhook: %s", rs.error);
			rc = 1;
		} else if (rs.status < 200 || rs.status > 299) {
			snprintf(err, errlen, "the webhook answered HTTP %ld",
			    rs.status);
			rc = 1;
		} else
			rc = 0;
		http_response_free(&rs);
		free(payload);
		free(idem);
		return rc;
	}
	snprintf(err, errlen, "the channel %s is not configured", ch ? ch : "?");
	return 1;
}

struct deliver {
	const struct cycle_env *env;
	int64_t cycle_id;
	struct counts *c;
	int stopped, failed_store;
};

static int
deliver_row(void *ctx, const struct store_row *r)
{
	struct deliver *dv = ctx;
	const struct cycle_env *env = dv->env;
	const char *idtext = store_col(r, "id"), *created = store_col(r,
	    "created_at"), *att = store_col(r, "attempts");
	char err[512] = "", now[CLOCK_ISO_LEN], next[21], *clean;
	int64_t id = idtext ? strtoll(idtext, NULL, 10) : 0, t = 0, n;
	int attempts = att ? atoi(att) : 0, rc, give_up = 0;
	struct jval *d;

	if (dv->stopped || dv->failed_store)
		return 0;
	if (env->tick && env->tick(env->tick_arg)) {
		dv->stopped = 1;
		return 0;
	}
	rc = send_one(env, r, err, sizeof(err));
	if (rc == -2) {
		dv->stopped = 1;
		return 0;
	}
	clock_now_iso(now);
	clean = log_redact(err, 0);
	if (rc == 0) {
		if (store_notify_done(env->st, id, now, NULL, NULL, 0) < 0)
			dv->failed_store = 1;
		dv->c->sent++;
	} else {
		/* the next cycle for the first three failures (cycles are
		 * daemon.interval apart), then 2, 4, 8 ... minutes, at most an
		 * hour */
		n = 0;
		if (attempts >= 3)
			for (n = 120; attempts-- > 3 && n < BACKOFF_MAX; )
				n *= 2;
		if (n > BACKOFF_MAX)
			n = BACKOFF_MAX;
		norm_time_format(clock_now() + n, next);
		give_up = created && norm_time(created, TIME_ISO8601, &t) == 0 &&
		    clock_now() - t > GIVE_UP_AFTER;
		if (store_notify_done(env->st, id, now, clean, next, give_up) < 0)
			dv->failed_store = 1;
		dv->c->failed++;
		dv->c->gave_up += give_up;
		log_err("notification %s (%s) not sent: %s%s", store_col(r, "key"),
		    store_col(r, "channel"), clean, give_up ? "; given up (two "
		    "days old)" : "; tried again next cycle");
	}
	d = jv_object();
	jv_set_str(d, "channel", store_col(r, "channel"));
	jv_set_str(d, "recipient", store_col(r, "recipient"));
	jv_set_str(d, "kind", store_col(r, "kind"));
	jv_set_str(d, "message_id", store_col(r, "message_id"));
	if (rc != 0) {
		jv_set_str(d, "error", clean);
		jv_set(d, "given_up", jv_bool(give_up));
	}
	if (audit_log(env->au, dv->cycle_id, rc == 0 ? "notify.sent" :
	    "notify.failed", "notification", store_col(r, "key"), d) < 0)
		dv->failed_store = 1;
	if (rc == 0)
		log_info("notification %s sent (%s%s%s)", store_col(r, "key"),
		    store_col(r, "channel"), store_col(r, "recipient") ? " to " : "",
		    store_col(r, "recipient") ? store_col(r, "recipient") : "");
	free(clean);
	return 0;
}

int
pass_notify_deliver(const struct cycle_env *env, int64_t cycle_id,
    struct notify_result *out)
{
	struct deliver dv;
	struct counts c;
	char now[CLOCK_ISO_LEN];

	memset(&c, 0, sizeof(c));
	memset(&dv, 0, sizeof(dv));
	dv.env = env;
	dv.cycle_id = cycle_id;
	dv.c = &c;
	clock_now_iso(now);
	if (store_notify_due(env->st, now, deliver_row, &dv) < 0 ||
	    dv.failed_store)
		return -1;
	out->sent += c.sent;
	out->failed += c.failed;
	out->gave_up += c.gave_up;
	return dv.stopped ? 1 : 0;
}

/* ---- the pass, and a digest on request ---- */

static int
load_owners(const struct cycle_env *env, struct owners *o)
{
	memset(o, 0, sizeof(*o));
	return store_digest_owners(env->st, owner_row, o);
}

int
pass_notify_digest_now(const struct cycle_env *env, const char *who,
    int64_t cycle_id, char *msg, size_t len)
{
	struct owners o;
	struct notify_result nr;
	struct counts c;
	const struct owner *hit = NULL;
	char day[32], suffix[32];
	size_t i, matches = 0;
	int64_t now = clock_now();
	int rc;

	if (!env->cfg->notify.present) {
		snprintf(msg, len, "notify is not configured");
		return 1;
	}
	if (load_owners(env, &o) < 0) {
		snprintf(msg, len, "database: %s", store_errmsg(env->st));
		return -1;
	}
	for (i = 0; i < o.n; i++)
		if (strcmp(o.v[i].id, who) == 0 || (o.v[i].name &&
		    strcasecmp(o.v[i].name, who) == 0) || (o.v[i].email &&
		    strcasecmp(o.v[i].email, who) == 0)) {
			hit = &o.v[i];
			matches++;
		}
	if (matches != 1) {
		snprintf(msg, len, matches ? "'%s' names %zu owners; give the user "
		    "id" : "'%s' owns nothing to digest", who, matches);
		owners_free(&o);
		return 1;
	}
	memset(&c, 0, sizeof(c));
	digest_due(env->cfg, now, day);
	/* asked for: a digest of its own, not the day's */
	snprintf(suffix, sizeof(suffix), "sent-%lld", (long long)now);
	rc = queue_digest(env, hit, day, suffix, now, &c);
	if (rc <= 0) {
		snprintf(msg, len, rc < 0 ? "database: %s" : "nothing to tell %s",
		    rc < 0 ? store_errmsg(env->st) : hit->name ? hit->name : hit->id);
		owners_free(&o);
		return rc < 0 ? -1 : 1;
	}
	memset(&nr, 0, sizeof(nr));
	rc = pass_notify_deliver(env, cycle_id, &nr);
	snprintf(msg, len, "digest for %s queued on %d channel%s; %d sent, %d "
	    "failed (chansyncctl status shows the outbox)", hit->name ? hit->name :
	    hit->id, c.queued, c.queued == 1 ? "" : "s", nr.sent, nr.failed);
	owners_free(&o);
	return rc < 0 ? -1 : 0;
}

void
pass_notify(struct pass *p)
{
	const struct cycle_env *env = p->env;
	const struct config *cfg = env->cfg;
	struct owners o;
	struct immediate im;
	struct counts c;
	struct notify_result nr;
	struct jval *j;
	char day[32];
	int64_t now = clock_now();
	size_t i;

	if (!cfg->notify.present || p->stopped || p->res->store_failed)
		return;
	j = jv_object();
	if (env->dry_run || cfg->daemon.dry_run) {
		jv_set_str(j, "skipped", "dry run: nothing is sent");
		jv_set(p->detail, "notify", j);
		return;
	}
	memset(&c, 0, sizeof(c));
	memset(&nr, 0, sizeof(nr));
	if (load_owners(env, &o) < 0)
		goto failed;
	memset(&im, 0, sizeof(im));
	im.env = env;
	im.owners = &o;
	im.since = now - 86400;
	im.c = &c;
	if (store_immediate_alerts(env->st, immediate_row, &im) < 0 || im.failed)
		goto failed;
	if (digest_due(cfg, now, day))
		for (i = 0; i < o.n; i++) {
			if (pass_tick(p)) {
				p->stopped = 1;
				break;
			}
			if (queue_digest(env, &o.v[i], day, NULL, now, &c) < 0)
				goto failed;
		}
	switch (pass_notify_deliver(env, p->res->id, &nr)) {
	case -1:
		goto failed;
	case 1:
		p->stopped = 1;
		break;
	}
	jv_set_int(j, "queued", c.queued);
	jv_set_int(j, "sent", nr.sent);
	jv_set_int(j, "failed", nr.failed);
	jv_set_int(j, "gave_up", nr.gave_up);
	jv_set(p->detail, "notify", j);
	owners_free(&o);
	return;
failed:
	log_err("notify: database: %s; the next cycle tries again",
	    store_errmsg(env->st));
	jv_set_str(j, "error", store_errmsg(env->st));
	jv_set(p->detail, "notify", j);
	p->res->store_failed = 1;
	owners_free(&o);
}
