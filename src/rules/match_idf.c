/*
 * match_idf.c - how rare each word is among the cache's names, and which
 * first words start a family's names (see match.h).
 */
#include "rules/match.h"
#include "rules/match_words.h"
#include "lib/countset.h"
#include "lib/mem.h"
#include "lib/strmap.h"

#include <stdlib.h>
#include <string.h>

/*
 * Counted over distinct names: a customer that ten partners register
 * under one spelling makes its words no commoner, and its name no family.
 */
struct match_idf {
	struct strmap t;	/* word -> names that hold it */
	struct strmap fam;	/* first word -> words seen after it */
	struct countset names;	/* name key -> registrations of it */
	struct countset next;	/* "first\x1fsecond" -> names so starting */
	size_t docs;
};

struct match_idf *
match_idf_new(void)
{
	return xcalloc(1, sizeof(struct match_idf));
}

void
match_idf_free(struct match_idf *idf)
{
	if (idf == NULL)
		return;
	strmap_free(&idf->t);
	strmap_free(&idf->fam);
	countset_free(&idf->names);
	countset_free(&idf->next);
	free(idf);
}

/* Calls fn for each distinct token of key. */
static void
each_token(const char *key, void (*fn)(void *, const char *, size_t), void *arg)
{
	const char *seen[MATCH_MAX_TOKENS * 2];
	size_t seenlen[MATCH_MAX_TOKENS * 2], nseen = 0, i;
	const char *p = key;

	while (*p) {
		const char *s;
		size_t len;
		int dup = 0;

		while (*p == ' ')
			p++;
		s = p;
		while (*p && *p != ' ')
			p++;
		len = (size_t)(p - s);
		if (len == 0)
			continue;
		for (i = 0; i < nseen; i++)
			if (seenlen[i] == len && memcmp(seen[i], s, len) == 0)
				dup = 1;
		if (dup)
			continue;
		if (nseen < MATCH_MAX_TOKENS * 2) {
			seen[nseen] = s;
			seenlen[nseen++] = len;
		}
		fn(arg, s, len);
	}
}

static void
add_one(void *arg, const char *s, size_t len)
{
	(*strmap_put(&((struct match_idf *)arg)->t, s, len, NULL))++;
}

static void
remove_one(void *arg, const char *s, size_t len)
{
	uint32_t *v = strmap_get(&((struct match_idf *)arg)->t, s, len);

	if (v && *v)
		(*v)--;
}

/*
 * The first word of key and the word read after it (the next that is not
 * a stop word, as the word it spells, singular: "elecctronics" is
 * "electronic") as "first\x1fsecond" in buf, the first word's length in
 * *firstlen; 0 for a name of one word.
 */
static size_t
first_pair(const char *key, char *buf, size_t size, size_t *firstlen)
{
	const char *p = key, *s;
	size_t fl, len;
	enum match_token_class cls;

	while (*p == ' ')
		p++;
	for (fl = 0; p[fl] && p[fl] != ' '; fl++)
		;
	if (fl == 0 || fl + 2 > size)
		return 0;
	memcpy(buf, p, fl);
	buf[fl] = '\x1f';
	*firstlen = fl;
	for (p += fl; *p;) {
		while (*p == ' ')
			p++;
		for (s = p; *p && *p != ' '; p++)
			;
		if ((len = (size_t)(p - s)) == 0)
			break;
		s = match_word_read(s, &len, &cls);
		if (cls == MATCH_TOK_STOP)
			continue;
		if (len > 3 && s[len - 1] == 's')
			len--;		/* "electronics", "electronic" */
		if (fl + 1 + len > size)
			return 0;
		memcpy(buf + fl + 1, s, len);
		return fl + 1 + len;
	}
	return 0;
}

void
match_idf_add(struct match_idf *idf, const char *key)
{
	char pair[128];
	size_t n, fl;

	if (countset_add(&idf->names, key, strlen(key)) > 1)
		return;		/* not a new name */
	idf->docs++;
	each_token(key, add_one, idf);
	if ((n = first_pair(key, pair, sizeof(pair), &fl)) > 0 &&
	    countset_add(&idf->next, pair, n) == 1)
		(*strmap_put(&idf->fam, pair, fl, NULL))++;
}

void
match_idf_remove(struct match_idf *idf, const char *key)
{
	char pair[128];
	size_t n, fl;

	if (countset_remove(&idf->names, key, strlen(key)) != 1)
		return;		/* other registrations keep it, or none had it */
	if (idf->docs)
		idf->docs--;
	each_token(key, remove_one, idf);
	if ((n = first_pair(key, pair, sizeof(pair), &fl)) > 0 &&
	    countset_remove(&idf->next, pair, n) == 1) {
		uint32_t *v = strmap_get(&idf->fam, pair, fl);

		if (v && *v)
			(*v)--;
	}
}

size_t
match_idf_docs(const struct match_idf *idf)
{
	return idf->docs;
}

uint32_t
match_idf_df(const struct match_idf *idf, const char *tok, size_t len)
{
	uint32_t *v = strmap_get(&idf->t, tok, len);

	return v ? *v : 0;
}

uint32_t
match_idf_family(const struct match_idf *idf, const char *tok, size_t len)
{
	uint32_t *v = strmap_get(&idf->fam, tok, len);

	return v ? *v : 0;
}
