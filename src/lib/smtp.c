/*
 * smtp.c - one e-mail through libcurl's SMTP (see smtp.h).
 */
#include "lib/smtp.h"
#include "lib/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#define SLICE_MS 250

struct upload {
	const char *p;
	size_t left;
};

static size_t
on_read(char *dst, size_t size, size_t n, void *arg)
{
	struct upload *u = arg;
	size_t room = size * n, k = u->left < room ? u->left : room;

	memcpy(dst, u->p, k);
	u->p += k;
	u->left -= k;
	return k;
}

/* The message with every line ending CRLF, as SMTP wants it. */
static char *
crlf(const char *m, size_t len, size_t *out)
{
	char *b = xmalloc(2 * len + 3), *o = b;
	size_t i;

	for (i = 0; i < len; i++) {
		if (m[i] == '\n' && (i == 0 || m[i - 1] != '\r'))
			*o++ = '\r';
		*o++ = m[i];
	}
	if (o == b || o[-1] != '\n') {
		*o++ = '\r';
		*o++ = '\n';
	}
	*o = '\0';
	*out = (size_t)(o - b);
	return b;
}

static enum smtp_result
classify(CURLcode code, long reply)
{
	if (code == CURLE_LOGIN_DENIED || reply == 535 || reply == 534 ||
	    reply == 530)
		return SMTP_EAUTH;
	if (reply >= 500 && reply < 600)
		return SMTP_EREFUSED;
	if (code == CURLE_USE_SSL_FAILED || code == CURLE_UNSUPPORTED_PROTOCOL ||
	    code == CURLE_URL_MALFORMAT)
		return SMTP_EREFUSED;
	return SMTP_ETEMP;	/* no connection, a timeout, a 4xx: later */
}

enum smtp_result
smtp_send(const struct smtp_server *srv, const char *from,
    const char *const *to, size_t n, const char *message, size_t len,
    int (*tick)(void *), void *tick_arg, char *err, size_t errlen)
{
	struct curl_slist *rcpt = NULL;
	struct upload up;
	CURLM *multi;
	CURL *e;
	CURLcode code = CURLE_OK;
	char errbuf[CURL_ERROR_SIZE] = "", *mail, *addr;
	size_t mlen, i;
	long reply = 0;
	int running = 1, stopped = 0;
	enum smtp_result ret;

	err[0] = '\0';
	mail = crlf(message, len, &mlen);
	up.p = mail;
	up.left = mlen;
	multi = curl_multi_init();
	e = curl_easy_init();
	if (multi == NULL || e == NULL) {
		snprintf(err, errlen, "libcurl could not start a transfer");
		curl_easy_cleanup(e);
		curl_multi_cleanup(multi);
		free(mail);
		return SMTP_ETEMP;
	}
	for (i = 0; i < n; i++) {
		addr = xasprintf("<%s>", to[i]);
		rcpt = curl_slist_append(rcpt, addr);
		free(addr);
	}
	addr = xasprintf("<%s>", from);
	curl_easy_setopt(e, CURLOPT_URL, srv->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_USE_SSL, srv->plain_ok ? (long)CURLUSESSL_NONE :
	    (long)CURLUSESSL_ALL);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (srv->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, srv->ca_file);
	if (srv->username) {
		curl_easy_setopt(e, CURLOPT_USERNAME, srv->username);
		curl_easy_setopt(e, CURLOPT_PASSWORD, srv->password ?
		    srv->password : "");
	}
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, srv->timeout_ms ?
	    srv->timeout_ms : 60000L);
	curl_easy_setopt(e, CURLOPT_MAIL_FROM, addr);
	curl_easy_setopt(e, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(e, CURLOPT_READDATA, &up);
	curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)mlen);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_multi_add_handle(multi, e);
	while (running) {
		CURLMsg *m;
		int left;

		curl_multi_perform(multi, &running);
		while ((m = curl_multi_info_read(multi, &left)) != NULL)
			if (m->msg == CURLMSG_DONE && m->easy_handle == e)
				code = m->data.result;
		if (!running)
			break;
		curl_multi_poll(multi, NULL, 0, SLICE_MS, NULL);
		if (tick && tick(tick_arg)) {
			stopped = 1;
			break;
		}
	}
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &reply);
	if (stopped) {
		snprintf(err, errlen, "stopped");
		ret = SMTP_ESTOPPED;
	} else if (code == CURLE_OK) {
		ret = SMTP_OK;
	} else {
		ret = classify(code, reply);
		if (reply > 0)
			snprintf(err, errlen, "%s%s%s (the server's last reply: %ld)",
			    curl_easy_strerror(code), errbuf[0] ? ": " : "", errbuf,
			    reply);
		else
			snprintf(err, errlen, "%s%s%s", curl_easy_strerror(code),
			    errbuf[0] ? ": " : "", errbuf);
	}
	curl_multi_remove_handle(multi, e);
	curl_easy_cleanup(e);
	curl_multi_cleanup(multi);
	curl_slist_free_all(rcpt);
	free(addr);
	free(mail);
	return ret;
}
