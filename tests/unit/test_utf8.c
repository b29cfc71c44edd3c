/* test_utf8.c - text cut to a CRM field's length: every cut position in
 * German, Japanese and emoji text, invalid bytes, the decoder's edges. */
#include "lib/utf8.h"
#include "t.h"

/* Is s valid UTF-8 throughout? */
static int
valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k;
	unsigned cp;

	while (i < n) {
		if ((k = utf8_decode(p + i, n - i, &cp)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

/*
 * For every limit from 0 to past the text's length: the cut is valid, a
 * prefix of the text, within the limit, and maximal (one more character
 * would not fit).
 */
static void
test_every_cut_position(void)
{
	static const char *const texts[] = {
		"Müller Maschinenbau GmbH & Co. KG, Größe straße",
		"株式会社日本電気システムズ東京支社",
		"🚀 Rocket Labs 😀😀 ok 👍🏽",
		"aü日😀aü日😀",
	};
	size_t t, max;

	for (t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
		size_t total = utf8_units(texts[t]);

		for (max = 0; max <= total + 2; max++) {
			char *c = utf8_cut(texts[t], max);
			size_t len = strlen(c), u = utf8_units(c);
			int ok = valid(c) && strncmp(c, texts[t], len) == 0 &&
			    u <= max;

			if (ok && texts[t][len]) {
				/* the next character would not have fit */
				unsigned cp;
				size_t k = utf8_decode((const unsigned char *)texts[t] +
				    len, strlen(texts[t]) - len, &cp);

				ok = k > 0 && u + (cp >= 0x10000 ? 2 : 1) > max;
			}
			if (!ok)
				fprintf(stderr, "text %zu max %zu: \"%s\"\n", t, max, c);
			CHECK(ok);
			free(c);
		}
	}
}

static void
test_units_and_invalid(void)
{
	char *c;

	CHECK_INT(utf8_units("abc"), 3);
	CHECK_INT(utf8_units("ü"), 1);
	CHECK_INT(utf8_units("日本"), 2);
	CHECK_INT(utf8_units("😀"), 2);
	/* an emoji that does not fit whole is left out whole */
	c = utf8_cut("ab😀", 3);
	CHECK_STR(c, "ab");
	free(c);
	c = utf8_cut("ab😀", 4);
	CHECK_STR(c, "ab😀");
	free(c);
	/* invalid bytes become U+FFFD: what is sent is always valid */
	c = utf8_cut("M\xc3 ller \xff\xfe x", 100);
	CHECK_STR(c, "M\xef\xbf\xbd ller \xef\xbf\xbd\xef\xbf\xbd x");
	CHECK(valid(c));
	free(c);
	/* a sequence cut short at the end of the string */
	c = utf8_cut("ab\xe6\x97", 10);
	CHECK_STR(c, "ab\xef\xbf\xbd\xef\xbf\xbd");
	free(c);
	c = utf8_cut("", 5);
	CHECK_STR(c, "");
	free(c);
}

static void
test_decoder_edges(void)
{
	static const struct {
		const char *s;
		size_t len;
		unsigned cp;
	} cases[] = {
		{ "\x7f", 1, 0x7f },
		{ "\xc2\x80", 2, 0x80 },
		{ "\xc0\xaf", 0, 0 },		/* overlong '/' */
		{ "\xe0\x80\xaf", 0, 0 },	/* overlong */
		{ "\xed\xa0\x80", 0, 0 },	/* a surrogate */
		{ "\xef\xbf\xbf", 3, 0xffff },
		{ "\xf0\x9f\x98\x80", 4, 0x1f600 },
		{ "\xf4\x8f\xbf\xbf", 4, 0x10ffff },
		{ "\xf4\x90\x80\x80", 0, 0 },	/* past U+10FFFF */
		{ "\x80", 0, 0 },		/* a stray continuation byte */
		{ "\xf8\x88\x80\x80\x80", 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned cp = 0;
		size_t k = utf8_decode((const unsigned char *)cases[i].s,
		    strlen(cases[i].s), &cp);

		CHECK_INT(k, cases[i].len);
		if (k)
			CHECK_INT(cp, cases[i].cp);
	}
}

int
main(void)
{
	T_RUN(test_every_cut_position);
	T_RUN(test_units_and_invalid);
	T_RUN(test_decoder_edges);
	return t_done("utf8");
}
