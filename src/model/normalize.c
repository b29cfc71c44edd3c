/*
 * normalize.c - value normalization. Pure functions apart from the ISO
 * tables loaded once at start.
 */
#include "model/normalize.h"
#include "model/normalize_country.h"
#include "model/normalize_name.h"
#include "model/freemail.h"
#include "lib/json.h"
#include "lib/clock.h"
#include "lib/mem.h"
#include "lib/memo.h"
#include "lib/strmap.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libpsl.h>

static struct memo domain_memo;	/* host -> registrable domain */
static char (*currencies)[4];
static size_t ncurrencies;
static const psl_ctx_t *psl;
static psl_ctx_t *psl_owned;	/* loaded from the system's list */

int
normalize_init(const char *dir, char *err, size_t errlen)
{
	struct jval *cur = NULL;
	const struct jval *arr;
	char path[4096];
	size_t i;
	int rc = -1;

	if (dir == NULL)
		dir = ISO_CODES_DIR;
	if (currencies)
		return 0;
	snprintf(path, sizeof(path), "%s/iso_4217.json", dir);
	if ((cur = jv_parse_file(path, 8u << 20, err, errlen)) == NULL)
		goto out;
	arr = jv_lookup(cur, "/4217");
	ncurrencies = jv_array_len(arr);
	currencies = xcalloc(ncurrencies ? ncurrencies : 1, sizeof(*currencies));
	for (i = 0; i < ncurrencies; i++) {
		const char *a3 = jv_object_str(jv_array_at(arr, i), "alpha_3");

		if (a3 && strlen(a3) == 3)
			memcpy(currencies[i], a3, 4);
	}
	if (ncurrencies == 0) {
		snprintf(err, errlen, "%s: no ISO 4217 data found", path);
		normalize_shutdown();
		goto out;
	}
	rc = 0;
out:
	jv_free(cur);
	return rc;
}

/* isspace() of the C locale without the locale's table (hot paths) */
static inline int
ascii_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* the shipped free-mail domains (norm_is_free_mail) */
static struct strmap free_mail_set;

void
normalize_shutdown(void)
{
	free(currencies);
	currencies = NULL;
	ncurrencies = 0;
	norm_country_free();
	norm_name_free();
	memo_clear(&domain_memo);
	strmap_free(&free_mail_set);
	psl_free(psl_owned);
	psl_owned = NULL;
	psl = NULL;
}

static int
digits(const char **pp, int n, int *ret)
{
	const char *p = *pp;
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*pp = p + n;
	*ret = v;
	return 0;
}

static int
parse_iso(const char *s, int64_t *ret)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0, off = 0;

	if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 ||
	    *p++ != '-' || digits(&p, 2, &d) < 0)
		return -1;
	if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > clock_days_in_month(y, mo))
		return -1;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, &mi) < 0)
			return -1;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec) < 0)
				return -1;
			if (*p == '.' || *p == ',') {
				p++;
				if (!isdigit((unsigned char)*p))
					return -1;
				while (isdigit((unsigned char)*p))
					p++;
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return -1;
		if (*p == 'Z' || *p == 'z')
			p++;
		else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1, oh, om = 0;

			if (digits(&p, 2, &oh) < 0)
				return -1;
			if (*p == ':') {
				p++;
				if (digits(&p, 2, &om) < 0)
					return -1;
			} else if (isdigit((unsigned char)*p)) {
				if (digits(&p, 2, &om) < 0)
					return -1;
			}
			if (oh > 14 || om > 59)
				return -1;
			off = sign * (oh * 3600 + om * 60);
		}
	}
	if (*p != '\0')
		return -1;
	if (sec == 60)
		sec = 59;	/* a leap second reads as the second before */
	*ret = clock_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
	/* an offset can carry 9999-12-31 into the year 10000 */
	return *ret < TIME_MIN || *ret > TIME_MAX ? -1 : 0;
}

int
norm_time(const char *s, enum time_format fmt, int64_t *ret)
{
	while (isspace((unsigned char)*s))
		s++;
	if (fmt == TIME_ISO8601) {
		char tmp[64];
		size_t n = strlen(s);

		while (n > 0 && isspace((unsigned char)s[n - 1]))
			n--;
		if (n == 0 || n >= sizeof(tmp))
			return -1;
		memcpy(tmp, s, n);
		tmp[n] = '\0';
		return parse_iso(tmp, ret);
	} else {
		char *end;
		double v;

		errno = 0;
		v = strtod(s, &end);
		while (isspace((unsigned char)*end))
			end++;
		if (end == s || *end || errno || !isfinite(v))
			return -1;
		if (fmt == TIME_EPOCH_MS)
			v /= 1000.0;
		if (v < (double)TIME_MIN || v > (double)TIME_MAX)
			return -1;
		*ret = (int64_t)floor(v);
		return 0;
	}
}

/*
 * norm_time, then norm_time_format. ISO 8601 text in UTC with seconds
 * (Salesforce's 2026-11-20T10:11:12.000+0000) is its own canonical form
 * up to the seconds: copied, not formatted from t again.
 */
int
norm_time_text(const char *s, enum time_format fmt, int64_t *ret, char out[21])
{
	const char *z;

	if (norm_time(s, fmt, ret) < 0)
		return -1;
	while (ascii_space(*s))
		s++;
	/* parsed: the fields and their separators are all there and valid;
	 * a date alone (Salesforce's CloseDate) is its midnight UTC */
	if (fmt == TIME_ISO8601 && s[10] == '\0') {
		memcpy(out, s, 10);
		memcpy(out + 10, "T00:00:00Z", 11);
		return 0;
	}
	if (fmt == TIME_ISO8601 && strlen(s) >= 19 && s[16] == ':' &&
	    !(s[17] == '6' && s[18] == '0')) {
		z = s + 19;
		if (*z == '.' || *z == ',')
			for (z++; *z >= '0' && *z <= '9'; z++)
				;
		if (((z[0] == 'Z' || z[0] == 'z') && (z[1] == '\0' ||
		    ascii_space(z[1]))) || ((z[0] == '+' || z[0] == '-') &&
		    (strncmp(z + 1, "0000", 4) == 0 || strncmp(z + 1, "00:00", 5) ==
		    0))) {
			memcpy(out, s, 19);
			out[10] = 'T';
			out[19] = 'Z';
			out[20] = '\0';
			return 0;
		}
	}
	norm_time_format(*ret, out);
	return 0;
}

void
norm_time_format(int64_t t, char out[21])
{
	int64_t days, sod;
	int y, mo, d, i;
	int v[5];

	/* a time no reader takes (years 1900-9999) is never formatted
	 * past the buffer: it saturates at the year's ends */
	if (t < -62167219200LL || t > TIME_MAX) {
		memcpy(out, t < 0 ? "0000-01-01T00:00:00Z" : "9999-12-31T23:59:59Z",
		    21);
		return;
	}
	/* by hand, from the day number: gmtime and strftime were a
	 * measurable share of a large sync */
	days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	sod = t - days * 86400;
	clock_civil_from_days(days, &y, &mo, &d);
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	v[0] = mo;
	v[1] = d;
	v[2] = (int)(sod / 3600);
	v[3] = (int)(sod / 60 % 60);
	v[4] = (int)(sod % 60);
	for (i = 0; i < 5; i++) {
		out[5 + 3 * i] = (char)('0' + v[i] / 10);
		out[6 + 3 * i] = (char)('0' + v[i] % 10);
	}
	out[4] = out[7] = '-';
	out[10] = 'T';
	out[13] = out[16] = ':';
	out[19] = 'Z';
	out[20] = '\0';
}

int
norm_date(const char *s, char out[11])
{
	int64_t t;

	if (norm_time(s, TIME_ISO8601, &t) < 0)
		return -1;
	{
		char full[21];

		norm_time_format(t, full);
		memcpy(out, full, 10);
		out[10] = '\0';
	}
	return 0;
}

int
norm_amount(const char *s, double *ret)
{
	char clean[64];
	size_t n = 0;
	const char *p = s;
	int ndig = 0, group = -1;
	double v;
	char *end;
	int64_t iv = 0;

	/* most amounts are plain whole numbers: read without strtod */
	if (*p == '-')
		p++;
	while (*p >= '0' && *p <= '9' && ndig < 15) {
		iv = iv * 10 + (*p++ - '0');
		ndig++;
	}
	if (*p == '\0' && ndig > 0) {
		*ret = *s == '-' ? -(double)iv : (double)iv;
		return 0;
	}
	p = s;
	ndig = 0;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		clean[n++] = *p++;
	/* integer part, with optional thousands groups */
	while (*p && n < sizeof(clean) - 1) {
		if (isdigit((unsigned char)*p)) {
			clean[n++] = *p++;
			ndig++;
			if (group >= 0)
				group++;
		} else if (*p == ',' && ndig > 0 && (group < 0 || group == 3) &&
		    isdigit((unsigned char)p[1])) {
			if (group < 0 && ndig > 3)
				return -1;
			group = 0;
			p++;
		} else
			break;
	}
	if (ndig == 0 || (group >= 0 && group != 3))
		return -1;
	if (*p == '.') {
		clean[n++] = *p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p) && n < sizeof(clean) - 1)
			clean[n++] = *p++;
	}
	if ((*p == 'e' || *p == 'E') && group < 0) {
		clean[n++] = *p++;
		if ((*p == '+' || *p == '-') && n < sizeof(clean) - 1)
			clean[n++] = *p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p) && n < sizeof(clean) - 1)
			clean[n++] = *p++;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '\0' || n >= sizeof(clean) - 1)
		return -1;
	clean[n] = '\0';
	errno = 0;
	v = strtod(clean, &end);
	if (*end || errno || !isfinite(v) || fabs(v) >= 1e15)
		return -1;
	*ret = v;
	return 0;
}

int
norm_bool(const char *s, int *ret)
{
	static const struct {
		const char *w;
		int v;
	} words[] = { { "true", 1 }, { "yes", 1 }, { "y", 1 }, { "1", 1 },
		{ "false", 0 }, { "no", 0 }, { "n", 0 }, { "0", 0 } };
	size_t i;
	int c = tolower((unsigned char)*s);

	/* the first letter picks the candidates: no string compares else */
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (words[i].w[0] == c && strcasecmp(s, words[i].w) == 0) {
			*ret = words[i].v;
			return 0;
		}
	return -1;
}

int
norm_currency_known(const char *code)
{
	size_t i;

	for (i = 0; i < ncurrencies; i++)
		if (strcmp(currencies[i], code) == 0)
			return 1;
	return 0;
}

int
norm_currency(const char *s, char out[4])
{
	int i;

	while (isspace((unsigned char)*s))
		s++;
	for (i = 0; i < 3; i++) {
		if (!isalpha((unsigned char)s[i]))
			return -1;
		out[i] = (char)toupper((unsigned char)s[i]);
	}
	out[3] = '\0';
	for (s += 3; isspace((unsigned char)*s); s++)
		;
	if (*s)
		return -1;
	return norm_currency_known(out) ? 0 : -1;
}

int
norm_domain(const char *s, char **ret)
{
	char d[NORM_HOST_MAX];

	if (norm_domain_buf(s, d) < 0)
		return -1;
	*ret = xstrdup(d);
	return 0;
}

int
norm_domain_buf(const char *s, char d[NORM_HOST_MAX])
{
	const char *start, *end, *p, *at;
	size_t i, n;
	int dot = 0;

	while (ascii_space(*s))
		s++;
	start = s;
	end = s + strlen(s);
	while (end > start && ascii_space(end[-1]))
		end--;
	if ((p = strstr(start, "://")) != NULL && p < end)
		start = p + 3;
	else if ((at = memchr(start, '@', (size_t)(end - start))) != NULL) {
		/* an e-mail address: the part after the last '@' */
		while ((p = memchr(at + 1, '@', (size_t)(end - at - 1))) != NULL)
			at = p;
		start = at + 1;
	}
	/* authority ends at the first / ? # */
	for (p = start; p < end && *p != '/' && *p != '?' && *p != '#'; p++)
		;
	end = p;
	/* drop user info */
	for (p = start; p < end; p++)
		if (*p == '@')
			start = p + 1;
	/* drop a port */
	for (p = start; p < end; p++)
		if (*p == ':') {
			end = p;
			break;
		}
	while (end > start && end[-1] == '.')
		end--;
	n = (size_t)(end - start);
	if (n == 0 || n > 253)
		return -1;
	memcpy(d, start, n);
	d[n] = '\0';
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)d[i];

		if (c < 0x80) {
			if (c >= 'A' && c <= 'Z')
				d[i] = (char)(c += 'a' - 'A');
			if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			    c == '-' || c == '.'))
				return -1;
			if (c == '.') {
				if (i == 0 || d[i - 1] == '.')
					return -1;
				dot = 1;
			}
		}
	}
	if (!dot)
		return -1;
	if (strncmp(d, "www.", 4) == 0 && strchr(d + 4, '.'))
		memmove(d, d + 4, n - 4 + 1);
	return 0;
}

const char *
norm_registrable_domain_ref(const char *host)
{
	const char *r;

	if (memo_find(&domain_memo, host, &r))
		return r;
	/* the system's list (Debian's publicsuffix), else the built-in one */
	if (psl == NULL && (psl = psl_owned = psl_latest(NULL)) == NULL)
		psl = psl_builtin();
	if (psl == NULL)
		return NULL;
	/* a public suffix itself (co.uk) names no organisation */
	return memo_put(&domain_memo, host, psl_registrable_domain(psl, host));
}

int
norm_registrable_domain(const char *host, char **ret)
{
	const char *r = norm_registrable_domain_ref(host);

	if (r == NULL)
		return -1;
	*ret = xstrdup(r);
	return 0;
}

/*
 * The shipped free-mail domains in a hash set, made at the first call:
 * every record with a domain asks (a binary search was nine strcmp).
 */
int
norm_is_free_mail(const char *domain)
{
	struct strmap *set = &free_mail_set;
	size_t i;

	if (set->n == 0)
		for (i = 0; i < free_mail_count; i++)
			strmap_put(set, free_mail_domains[i],
			    strlen(free_mail_domains[i]), NULL);
	return strmap_get(set, domain, strlen(domain)) != NULL;
}

/* Length of the UTF-8 sequence at p (valid, shortest form), or 0. */
static size_t
utf8_seq(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (p[0] >= 0xe0 && p[0] <= 0xef) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if (p[0] == 0xe0 && p[1] < 0xa0)
			return 0;	/* overlong */
		if (p[0] == 0xed && p[1] >= 0xa0)
			return 0;	/* surrogate */
		return 3;
	}
	if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		if ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

int
norm_text_inplace(char *s, size_t max, const char **why)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;		/* written; never ahead of p */
	int space = 0;

	/*
	 * Most values are printable ASCII words with single spaces between
	 * them, which stay as they are: skip that prefix without writing.
	 */
	for (;;) {
		if (*p > 0x20 && *p < 0x7f)
			p++;
		else if (*p == ' ' && p > (const unsigned char *)s &&
		    p[1] > 0x20 && p[1] < 0x7f)
			p += 2;
		else
			break;
	}
	n = (size_t)(p - (const unsigned char *)s);
	if (n > max)
		goto too_long;
	while (*p) {
		size_t k;

		/* the common case: printable ASCII */
		if (*p > 0x20 && *p < 0x7f) {
			if (space)
				s[n++] = ' ';
			space = 0;
			s[n++] = (char)*p++;
			if (n > max)
				goto too_long;
			continue;
		}
		k = utf8_seq(p);
		if (k == 0) {
			*why = "not valid UTF-8";
			goto fail;
		}
		if (k == 1 && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
			space = n > 0;
			p++;
			continue;
		}
		if (k == 1) {
			*why = "contains a control character";
			goto fail;
		}
		if (space)
			s[n++] = ' ';
		space = 0;
		memmove(s + n, p, k);
		n += k;
		p += k;
		if (n > max)
			goto too_long;
	}
	s[n] = '\0';
	return 0;
too_long:
	*why = "too long";
fail:
	/* what is written and what is not yet read join up again, so that
	 * the value a refusal quotes is the value, not a shifted copy with
	 * a stray byte where the two meet */
	memmove(s + n, p, strlen((const char *)p) + 1);
	return -1;
}

int
norm_text(const char *s, size_t max, char **ret, const char **why)
{
	char *out = xstrdup(s);

	if (norm_text_inplace(out, max, why) < 0) {
		free(out);
		return -1;
	}
	*ret = out;
	return 0;
}

int
norm_period(const char *s, char **ret)
{
	const char *p = s;
	int y, m;

	if (digits(&p, 4, &y) < 0 || y < 1900)
		return -1;
	if (*p == '\0')
		goto ok;
	if (*p++ != '-')
		return -1;
	if ((*p == 'Q' || *p == 'q') && p[1] >= '1' && p[1] <= '4' && p[2] == '\0') {
		*ret = xasprintf("%04d-Q%c", y, p[1]);
		return 0;
	}
	if (digits(&p, 2, &m) < 0 || m < 1 || m > 12 || *p)
		return -1;
ok:
	*ret = xstrdup(s);
	return 0;
}
