/*
 * normalize_country.c - country names in any spelling to ISO 3166-1
 * alpha-2, from Debian's iso-codes data: the codes, the English names
 * (short, official, common), the names in every language iso-codes is
 * translated into (its gettext catalogues: Deutschland, Österreich,
 * Italia, México, Norge, ...), and the abbreviations people write (UK,
 * USA, UAE, Holland). Keys are folded (normalize_name.c), so case,
 * accents and punctuation do not matter. Built on first use.
 */
#include "lib/json.h"
#include "lib/mem.h"
#include "lib/memo.h"
#include "model/normalize.h"
#include "model/normalize_country.h"
#include "model/normalize_name.h"
#include "lib/strmap.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOCALE_DIR "/usr/share/locale"

struct entry {
	char *key;
	char code[3];
	unsigned order;		/* earlier wins on a clash */
};

static struct entry *table;
static size_t ntable, captable;
static int built;		/* 1: codes and English names; 2: all */
static struct memo memo;	/* what was asked -> the code */

static const struct {
	const char *name, *code;
} aliases[] = {
	{ "uk", "GB" }, { "u k", "GB" }, { "england", "GB" }, { "scotland", "GB" },
	{ "wales", "GB" }, { "northern ireland", "GB" }, { "great britain", "GB" },
	{ "britain", "GB" }, { "usa", "US" }, { "u s a", "US" }, { "us", "US" },
	{ "u s", "US" }, { "america", "US" }, { "united states of america", "US" },
	{ "uae", "AE" }, { "emirates", "AE" }, { "holland", "NL" },
	{ "the netherlands", "NL" }, { "czech republic", "CZ" },
	{ "russia", "RU" }, { "korea", "KR" }, { "turkey", "TR" },
	{ "ivory coast", "CI" }, { "macedonia", "MK" }, { "swaziland", "SZ" },
	{ "burma", "MM" }, { "vatican", "VA" }, { "kosovo", "XK" },
	{ "prc", "CN" }, { "mainland china", "CN" }, { "roc", "TW" },
};

/* Folded, punctuation dropped, spaces single: "U.S.A." -> "usa". */
static char *
country_key(const char *s)
{
	char *f = norm_fold(s), *o, *p;
	int space = 0;

	if (f == NULL)
		return NULL;
	for (o = p = f; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '.' || c == '\'' || c == 0xe2) {
			/* dots and apostrophes join: U.S.A., Cote d'Ivoire */
			if (c == 0xe2 && p[1] && p[2])
				p += 2;		/* a typographic apostrophe */
			continue;
		}
		if (c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
			space = o > f;
			continue;
		}
		if (space)
			*o++ = ' ';
		space = 0;
		*o++ = (char)c;
	}
	*o = '\0';
	return f;
}

static void
add(const char *name, const char *code)
{
	char *k;

	if (name == NULL || *name == '\0' || (k = country_key(name)) == NULL)
		return;
	if (*k == '\0') {
		free(k);
		return;
	}
	xgrow(&table, &captable, ntable + 1, sizeof(*table));
	table[ntable].key = k;
	memcpy(table[ntable].code, code, 3);
	table[ntable].order = (unsigned)ntable;
	ntable++;
}

static int
by_key(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->order < y->order ? -1 : x->order > y->order);
}

static const struct entry *
find(const char *key)
{
	size_t lo = 0, hi = ntable;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(table[mid].key, key);

		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ntable && strcmp(table[lo].key, key) == 0 ? &table[lo] : NULL;
}

static void
sort_table(void)
{
	size_t i, o = 0;

	qsort(table, ntable, sizeof(*table), by_key);
	/* keep the first of equal keys */
	for (i = 0; i < ntable; i++) {
		if (o > 0 && strcmp(table[o - 1].key, table[i].key) == 0) {
			free(table[i].key);
			continue;
		}
		table[o++] = table[i];
	}
	ntable = o;
}

static uint32_t
u32(const unsigned char *p, int swap)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;

	return swap ? __builtin_bswap32(v) : v;
}

/*
 * What the catalogues' strings were found to be, kept while they are
 * read: the ~250 English msgids recur in each of ~160 catalogues, and
 * a translation that an earlier catalogue had is shadowed by it (the
 * earlier of equal keys wins), so each is folded once.
 */
struct seen {
	struct strmap msgid;	/* msgid -> its entry's index + 1, or NOT_COUNTRY */
	struct strmap msgstr;	/* translations already pending */
};
#define NOT_COUNTRY UINT32_MAX

/* The code of a catalogue's msgid (an English name), or NULL. The table
 * does not change while the catalogues are read: indexes stay valid. */
static const char *
msgid_code(struct seen *sn, const char *id, size_t len)
{
	uint32_t *v = strmap_put(&sn->msgid, id, len, NULL);

	if (*v == 0) {
		char *orig = xstrndup(id, len), *k = country_key(orig);
		const struct entry *e = k ? find(k) : NULL;

		*v = e ? (uint32_t)(e - table) + 1 : NOT_COUNTRY;
		free(k);
		free(orig);
	}
	return *v == NOT_COUNTRY ? NULL : table[*v - 1].code;
}

/* Adds the translations of one gettext catalogue of country names. */
static void
add_catalogue(const char *path, struct seen *sn, struct entry **pending,
    size_t *npending, size_t *cappending)
{
	unsigned char *d = NULL;
	size_t len = 0, i, n;
	uint32_t oo, to;
	int swap;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return;
	if (fseek(f, 0, SEEK_END) == 0 && (len = (size_t)ftell(f)) > 28 &&
	    len < (8u << 20)) {
		rewind(f);
		d = xmalloc(len);
		if (fread(d, 1, len, f) != len)
			len = 0;
	}
	fclose(f);
	if (d == NULL || len < 28)
		goto out;
	if (u32(d, 0) == 0x950412de)
		swap = 0;
	else if (u32(d, 1) == 0x950412de)
		swap = 1;
	else
		goto out;
	n = u32(d + 8, swap);
	oo = u32(d + 12, swap);
	to = u32(d + 16, swap);
	if ((uint64_t)oo + 8 * (uint64_t)n > len || (uint64_t)to + 8 * (uint64_t)n > len)
		goto out;
	for (i = 0; i < n; i++) {
		uint32_t ol = u32(d + oo + 8 * i, swap), ooff = u32(d + oo + 8 * i + 4, swap);
		uint32_t tl = u32(d + to + 8 * i, swap), toff = u32(d + to + 8 * i + 4, swap);
		const char *code;
		char *tr, *k;
		int fresh;

		if (ol == 0 || (uint64_t)ooff + ol >= len || (uint64_t)toff + tl >= len)
			continue;
		if ((code = msgid_code(sn, (const char *)d + ooff, ol)) == NULL)
			continue;
		strmap_put(&sn->msgstr, (const char *)d + toff, tl, &fresh);
		if (!fresh)
			continue;
		tr = xstrndup((const char *)d + toff, tl);
		if ((k = country_key(tr)) != NULL) {
			xgrow(pending, cappending, *npending + 1, sizeof(**pending));
			(*pending)[*npending].key = k;
			memcpy((*pending)[*npending].code, code, 3);
			(*npending)++;
		}
		free(tr);
	}
out:
	free(d);
}

static void
build(void)
{
	struct jval *doc;
	const struct jval *arr;
	size_t i;
	char err[256], path[600];

	built = 1;
	snprintf(path, sizeof(path), "%s/iso_3166-1.json", ISO_CODES_DIR);
	if ((doc = jv_parse_file(path, 8u << 20, err, sizeof(err))) == NULL)
		return;
	arr = jv_lookup(doc, "/3166-1");
	for (i = 0; i < jv_array_len(arr); i++) {
		const struct jval *c = jv_array_at(arr, i);
		const char *a2 = jv_object_str(c, "alpha_2");

		if (a2 == NULL || strlen(a2) != 2)
			continue;
		add(a2, a2);
		add(jv_object_str(c, "alpha_3"), a2);
		add(jv_object_str(c, "name"), a2);
		add(jv_object_str(c, "official_name"), a2);
		add(jv_object_str(c, "common_name"), a2);
	}
	jv_free(doc);
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		add(aliases[i].name, aliases[i].code);
	sort_table();
}

/*
 * Names in other languages, looked up through their English msgid: some
 * 90,000 of them to fold, a quarter of a second, so they are loaded only
 * when a value is none of the codes and English names (most are codes).
 * They sort after those, which keep winning where both have a key.
 */
static void
build_names(void)
{
	struct entry *pending = NULL;
	size_t npending = 0, cappending = 0, i;
	struct seen sn = { 0 };
	char path[600];
	DIR *dp;
	struct dirent *de;

	built = 2;
	if ((dp = opendir(LOCALE_DIR)) != NULL) {
		while ((de = readdir(dp)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s/LC_MESSAGES/iso_3166-1.mo",
			    LOCALE_DIR, de->d_name);
			add_catalogue(path, &sn, &pending, &npending, &cappending);
		}
		closedir(dp);
	}
	strmap_free(&sn.msgid);
	strmap_free(&sn.msgstr);
	for (i = 0; i < npending; i++) {
		xgrow(&table, &captable, ntable + 1, sizeof(*table));
		table[ntable] = pending[i];
		table[ntable].order = (unsigned)ntable;
		ntable++;
	}
	free(pending);
	sort_table();
}

int
norm_country(const char *s, char out[3])
{
	const struct entry *e;
	const char *code;
	char *k;

	if (memo_find(&memo, s, &code)) {
		if (code == NULL)
			return -1;
		memcpy(out, code, 3);
		return 0;
	}
	if (!built)
		build();
	if ((k = country_key(s)) == NULL)
		return -1;
	e = *k ? find(k) : NULL;
	if (e == NULL && *k && built < 2) {
		build_names();
		e = find(k);
	}
	free(k);
	memo_put(&memo, s, e ? e->code : NULL);
	if (e == NULL)
		return -1;
	memcpy(out, e->code, 3);
	return 0;
}

void
norm_country_free(void)
{
	size_t i;

	for (i = 0; i < ntable; i++)
		free(table[i].key);
	free(table);
	table = NULL;
	ntable = captable = 0;
	built = 0;
	memo_clear(&memo);
}
