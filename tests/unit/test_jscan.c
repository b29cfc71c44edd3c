/* test_jscan.c - the fast tokenizer agrees with jansson on what is JSON,
 * and reads values the same way. */
#include <math.h>

#include "lib/json.h"
#include "lib/jscan.h"
#include "lib/mem.h"
#include "t.h"

static void
agree(const char *doc)
{
	struct jscan j;
	struct jval *v;
	char err[256], err2[256];
	int ok_scan, ok_jansson;

	jscan_init(&j);
	ok_scan = jscan_parse(&j, doc, strlen(doc), err, sizeof(err)) == 0;
	v = jv_parse(doc, strlen(doc), err2, sizeof(err2));
	ok_jansson = v != NULL;
	if (ok_scan != ok_jansson)
		fprintf(stderr, "  disagree on %.60s: jscan %s, jansson %s\n", doc,
		    ok_scan ? "ok" : err, ok_jansson ? "ok" : err2);
	CHECK_INT(ok_scan, ok_jansson);
	jv_free(v);
	jscan_free(&j);
}

static void
test_agrees_with_jansson(void)
{
	static const char *const docs[] = {
		"{}", "[]", "[1,2,3]", "{\"a\":{\"b\":[true,false,null]}}",
		"{\"s\":\"\\u00e9\\n\\t\\\"\\\\\\/\"}", "[-0, 0.5, 1e10, -1.5E-3, 123]",
		"  {\"a\" : 1 }  ", "[\"\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80\"]",
		"[\"\\ud83d\\ude00\"]",
		"{\"a\":1,\"b\":{\"a\":2}}", "{\"ab\":1,\"ba\":2,\"aab\":3}",
		/* invalid */
		"{\"a\":1,\"a\":2}", "{\"a\":1,\"\\u0061\":2}",
		"{\"a\\u0062\":1,\"x\":0,\"ab\":2}",
		"[{\"Id\":\"1\"},{\"Id\":\"2\",\"Name\":\"x\",\"Id\":\"3\"}]",
		"", "{", "}", "[1,]", "{\"a\":1,}", "[01]", "[1.]", "[.5]", "[1e]",
		"{\"a\" 1}", "{a:1}", "[tru]", "[nul]", "[fals]", "[trux]", "[nulL]",
		"[falsE]", "[t]", "[f", "[n", "[\"unterminated]",
		"[\"bad \\x escape\"]", "[\"\\u12\"]", "[\"\\u0000\"]", "[\"\\ud800\"]",
		"[\"\\udc00\"]", "[\"\xff\"]", "[\"\xc0\xaf\"]", "[\"\xed\xa0\x80\"]",
		"[\"tab\tin string\"]", "[1] x", "[1][2]", "1", "\"s\"", "[1 2]",
		"{\"a\":1 \"b\":2}", "[}", "{]",
	};
	size_t i;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		agree(docs[i]);
}

/*
 * Duplicate names, generated: objects of 2 to 80 members (past the fast
 * path's 64) drawn from names that often share a length, first and last
 * byte, some with a name twice; jscan and jansson must agree on each, and
 * the error must name the duplicate.
 */
static void
test_duplicates(void)
{
	static const char *const names[] = { "a", "b", "ab", "ba", "aab", "abb",
		"Id", "Name", "Nome", "Nxme", "IsWon", "IsDel", "Amount", "Amonnt",
		"CloseDate", "CreateDate", "x1", "x2", "x3", "yy", "" };
	const size_t nn = sizeof(names) / sizeof(names[0]);
	unsigned seed = 12345;
	int round, refused = 0;

	for (round = 0; round < 400; round++) {
		struct buf b;
		struct jscan j;
		char err[256], key[40], want[80], twice[40] = "";
		size_t n, i, d;
		int dup = round % 2;

		seed = seed * 1103515245u + 12345u;
		n = 2 + (seed >> 16) % 79;
		d = (seed >> 8) % (n - 1);	/* the member repeated last */
		buf_init(&b, 0);
		buf_addch(&b, '{');
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			/* names are unique by their index, unless repeated */
			if (dup && i == n - 1)
				snprintf(key, sizeof(key), "%s", twice);
			else
				snprintf(key, sizeof(key), "%s%zu", names[(seed >> 16) % nn], i);
			if (i == d)
				snprintf(twice, sizeof(twice), "%s", key);
			buf_addf(&b, "%s\"%s\":%zu", i ? "," : "", key, i);
		}
		buf_addch(&b, '}');
		agree(buf_str(&b));
		jscan_init(&j);
		if (jscan_parse(&j, buf_str(&b), b.len, err, sizeof(err)) < 0) {
			refused++;
			snprintf(want, sizeof(want), "duplicate object key '%s'", twice);
			CHECK(dup && strstr(err, want) != NULL);
		} else
			CHECK(!dup);
		jscan_free(&j);
		buf_free(&b);
	}
	CHECK_INT(refused, 200);
}

/*
 * Pages of records of one shape: a record whose names are an earlier
 * record's, in order, passes on that alone. Generated variants of a
 * template of 12 names (longer, shorter, one name changed, one repeated,
 * one escaped to the text of another, the order changed) sit after it,
 * twice over and nested one level deeper; jscan and jansson must agree.
 */
static void
test_templates(void)
{
	static const char *const base[] = { "Id", "Name", "AccountId",
		"Amount", "StageName", "Probability", "CloseDate", "IsClosed",
		"IsWon", "OwnerId", "CreatedDate", "SystemModstamp" };
	const int nb = 12;
	unsigned seed = 777;
	int round, refused = 0, passed = 0;

	for (round = 0; round < 600; round++) {
		struct buf b;
		const char *names[16];
		char esc[40];
		int n = nb, i, k, copies;

		for (i = 0; i < nb; i++)
			names[i] = base[i];
		seed = seed * 1103515245u + 12345u;
		k = (int)((seed >> 16) % (unsigned)nb);
		switch (round % 6) {
		case 0:		/* one name more, sometimes one already there */
			names[n++] = (seed >> 8) & 1 ? base[k] : "Extra";
			break;
		case 1:		/* shorter */
			n = 1 + k;
			break;
		case 2:		/* one name for another, sometimes a repeat */
			names[k] = (seed >> 8) & 1 ? base[(k + 1) % nb] : "Other";
			break;
		case 3:		/* the same names escaped: the same, or a repeat */
			snprintf(esc, sizeof(esc), "\\u00%02x%s", base[k][0],
			    base[k] + 1);
			names[(seed >> 8) & 1 ? k : (k + 1) % nb] = esc;
			break;
		case 4:		/* two swapped */
			names[k] = base[(k + 1) % nb];
			names[(k + 1) % nb] = base[k];
			break;
		default:	/* the template itself */
			break;
		}
		buf_init(&b, 0);
		buf_addstr(&b, round % 12 < 6 ? "[" : "{\"records\":[");
		for (copies = 0; copies < 3; copies++) {
			/* the template, then the variant, then the template again */
			const char *const *v = copies == 1 ? names : base;
			int m = copies == 1 ? n : nb;

			buf_addstr(&b, copies ? ",{" : "{");
			for (i = 0; i < m; i++)
				buf_addf(&b, "%s\"%s\":%d", i ? "," : "", v[i], i);
			buf_addch(&b, '}');
		}
		buf_addstr(&b, round % 12 < 6 ? "]" : "]}");
		agree(buf_str(&b));
		{
			struct jscan j;
			char err[256];

			jscan_init(&j);
			if (jscan_parse(&j, buf_str(&b), b.len, err, sizeof(err)) < 0)
				refused++;
			else
				passed++;
			jscan_free(&j);
		}
		buf_free(&b);
	}
	/* both outcomes were seen */
	CHECK(refused > 100);
	CHECK(passed > 300);
}

static void
test_depth_cap(void)
{
	struct jscan j;
	char err[256], *d = malloc(6002);
	int i;

	for (i = 0; i < 3000; i++) {
		d[i] = '[';
		d[6000 - 1 - i] = ']';
	}
	d[6000] = '\0';
	jscan_init(&j);
	CHECK(jscan_parse(&j, d, 6000, err, sizeof(err)) < 0);
	CHECK(strstr(err, "depth") != NULL);
	jscan_free(&j);
	free(d);
}

static void
test_values_and_pointers(void)
{
	const char *doc = "{\"totalSize\":2,\"done\":false,\"records\":[{\"Id\":\"001A\","
	    "\"Account\":{\"Name\":\"M\\u00fcller \\\"GmbH\\\"\",\"Website\":null},"
	    "\"Amount\":12500.50,\"Big\":123456789012345678901234567890,\"IsWon\":true},"
	    "{\"Id\":\"001B\",\"Account\":null,\"Amount\":-1e3,\"IsWon\":false}],"
	    "\"nextRecordsUrl\":\"/services/data/v60.0/query/01g-2000\",\"a/b\":1,\"m~n\":2}";
	struct jscan j;
	char err[256], *v;
	int recs, r1;

	jscan_init(&j);
	CHECK(jscan_parse(&j, doc, strlen(doc), err, sizeof(err)) == 0);
	recs = jscan_member(&j, 0, "records");
	CHECK(recs > 0 && j.t[recs].type == JS_ARRAY && j.t[recs].count == 2);
	r1 = recs + 1;
	CHECK(jscan_streq(&j, jscan_member(&j, r1, "Id"), "001A"));
	CHECK(jscan_text(&j, jscan_pointer(&j, r1, "/Account/Name"), &v) == 1);
	CHECK_STR(v, "Müller \"GmbH\"");
	free(v);
	CHECK(jscan_text(&j, jscan_pointer(&j, r1, "/Account/Website"), &v) == 1);
	CHECK(v == NULL);
	CHECK(jscan_text(&j, jscan_member(&j, r1, "Amount"), &v) == 1);
	CHECK_STR(v, "12500.50");	/* exactly as sent */
	free(v);
	CHECK(jscan_text(&j, jscan_member(&j, r1, "Big"), &v) == 1);
	CHECK_STR(v, "123456789012345678901234567890");	/* jansson refuses this */
	free(v);
	/* the second record, reached by skipping the first's subtree */
	CHECK(jscan_streq(&j, jscan_pointer(&j, 0, "/records/1/Id"), "001B"));
	CHECK(jscan_pointer(&j, 0, "/records/1/Account/Name") < 0);
	CHECK(jscan_pointer(&j, 0, "/records/2") < 0);
	CHECK(jscan_pointer(&j, 0, "/records/01") < 0);
	CHECK(jscan_pointer(&j, 0, "/records/1x") < 0);
	CHECK(jscan_pointer(&j, 0, "/records/-1") < 0);
	/* a name is compared whole, not as a prefix of the pointer's rest */
	CHECK(jscan_pointer(&j, 0, "/record") < 0);
	CHECK(jscan_pointer(&j, 0, "/recordsX/0") < 0);
	CHECK(jscan_pointer(&j, 0, "/a~1bc") < 0);
	CHECK(jscan_text(&j, jscan_pointer(&j, 0, "/a~1b"), &v) == 1);
	CHECK_STR(v, "1");
	free(v);
	CHECK(jscan_text(&j, jscan_pointer(&j, 0, "/m~0n"), &v) == 1);
	CHECK_STR(v, "2");
	free(v);
	CHECK(jscan_text(&j, recs, &v) == -1);
	CHECK(jscan_streq(&j, jscan_member(&j, 0, "nextRecordsUrl"),
	    "/services/data/v60.0/query/01g-2000"));
	/* an escaped name, then a deeper name: each compared whole */
	{
		static const char esc[] = "{\"a\\u0062\":{\"c\":7},\"x/y\":{\"z\":8}}";

		CHECK(jscan_parse(&j, esc, strlen(esc), err, sizeof(err)) == 0);
		CHECK(jscan_text(&j, jscan_pointer(&j, 0, "/ab/c"), &v) == 1);
		CHECK_STR(v, "7");
		free(v);
		CHECK(jscan_pointer(&j, 0, "/a/c") < 0);
		CHECK(jscan_pointer(&j, 0, "/abc") < 0);
		CHECK(jscan_text(&j, jscan_pointer(&j, 0, "/x~1y/z"), &v) == 1);
		CHECK_STR(v, "8");
		free(v);
	}
	jscan_free(&j);
}

/*
 * Hints from one record must never mislead the lookup in another of a
 * different shape: a hinted offset that lands on a value that spells the
 * name, or on a nested key of the same name, is not taken.
 */
static void
test_hints(void)
{
	/*
	 * /Name is hinted at offset 4 by record 1; in record 2 offset 4 is
	 * the value "Name", so record 2's key is found by search and hints 5;
	 * in record 3 offset 5 is the nested Acc/Name.
	 */
	const char *doc = "{\"records\":["
	    "{\"L\":[1],\"Name\":\"first\",\"Acc\":{\"Name\":\"AccA\"}},"
	    "{\"Id\":\"B\",\"Type\":\"Name\",\"Name\":\"second\",\"Acc\":null},"
	    "{\"Acc\":{\"Q\":1,\"Name\":\"AccC\"},\"Name\":\"third\",\"Id\":\"C\"},"
	    "{\"Id\":\"D\",\"Name\":\"fourth\",\"Acc\":{\"Name\":\"AccD\"}}]}";
	static const char *const want[] = { "first", "second", "third", "fourth" };
	static const char *const acc[] = { "AccA", NULL, "AccC", "AccD" };
	uint32_t hn[JSCAN_HINTS] = { 0 }, ha[JSCAN_HINTS] = { 0 };
	struct jscan j;
	char err[256];
	int r, i;

	jscan_init(&j);
	CHECK(jscan_parse(&j, doc, strlen(doc), err, sizeof(err)) == 0);
	r = jscan_member(&j, 0, "records") + 1;
	for (i = 0; i < 4; i++, r = (int)j.t[r].end) {
		int a = jscan_pointer_hint(&j, r, "/Acc/Name", ha);

		CHECK(jscan_streq(&j, jscan_pointer_hint(&j, r, "/Name", hn), want[i]));
		if (i == 0)
			CHECK(hn[0] == 4);
		if (i == 1)
			CHECK(hn[0] == 5);
		if (acc[i])
			CHECK(jscan_streq(&j, a, acc[i]));
		else
			CHECK(a < 0);
		/* the same answers without hints */
		CHECK(jscan_pointer(&j, r, "/Name") == jscan_pointer_hint(&j, r,
		    "/Name", hn));
	}
	/* split paths, with hints of their own: the same tokens as pointers */
	{
		static const char *const ptrs[] = { "/Name", "/Acc/Name", "/Acc/Q",
			"/L/0", "/L/1", "/L/01", "/Id", "/Nam", "/Names", "", "/Acc",
			"/Acc/Name/x" };
		uint32_t h[12][JSCAN_HINTS];
		struct jscan_path p[12];
		int k, same = 0, total = 0;

		memset(h, 0, sizeof(h));
		for (k = 0; k < 12; k++)
			CHECK(jscan_path_init(&p[k], ptrs[k]) == 0);
		r = jscan_member(&j, 0, "records") + 1;
		for (i = 0; i < 4; i++, r = (int)j.t[r].end)
			for (k = 0; k < 12; k++, total++)
				same += jscan_path_get(&j, r, &p[k], h[k]) ==
				    jscan_pointer(&j, r, ptrs[k]);
		CHECK_INT(same, total);
		/* escapes and depth past the hints are left to the pointer */
		CHECK(jscan_path_init(&p[0], "/a~1b") < 0 && p[0].n == -1);
		CHECK(jscan_path_init(&p[0], "/a/b/c/d/e") < 0 && p[0].n == -1);
		CHECK(jscan_path_init(&p[0], "Name") < 0 && p[0].n == -1);
	}
	jscan_free(&j);
}

static void
test_error_position(void)
{
	struct jscan j;
	char err[256];
	const char *doc = "{\"a\": [1,\n 2,\n  x]}";

	jscan_init(&j);
	CHECK(jscan_parse(&j, doc, strlen(doc), err, sizeof(err)) < 0);
	CHECK(strncmp(err, "line 3 column 3", 15) == 0);
	jscan_free(&j);
}

/* jv_dump_canonical: compact, keys sorted, strings escaped as jansson
 * does, reals the shortest text that reads back as the same double. */
static void
test_canonical_dump(void)
{
	static const struct { const char *in, *out; } c[] = {
		{ "{\"b\":16.7,\"a\":[1,2.5,100.0,1e20,1.5e-7,-0.0]}",
		  "{\"a\":[1,2.5,100.0,1e20,1.5e-7,-0.0],\"b\":16.7}" },
		{ "0.30000000000000004", "0.30000000000000004" },
		{ "[\"q\\\"b\\\\n\\n\\u0001\u00e9/\"]",
		  "[\"q\\\"b\\\\n\\n\\u0001\u00e9/\"]" },
		{ "{\"z\":{\"y\":null,\"x\":true},\"\":false}",
		  "{\"\":false,\"z\":{\"x\":true,\"y\":null}}" },
		{ "-123456789012345", "-123456789012345" },
	};
	size_t i;
	unsigned seed = 7;
	char err[128];

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct jval *v = jv_parse_value(c[i].in, strlen(c[i].in), err,
		    sizeof(err));
		char *s = v ? jv_dump_canonical(v) : NULL;

		CHECK_STR(s ? s : err, c[i].out);
		free(s);
		jv_free(v);
	}
	/* every real reads back as itself */
	for (i = 0; i < 2000; i++) {
		double d, back;
		struct jval *v, *w;
		char *s;

		seed = seed * 1103515245u + 12345u;
		d = ((double)seed / 4294967296.0 - 0.5) * pow(10, (int)(i % 40) - 20);
		v = jv_real(d);
		s = jv_dump_canonical(v);
		w = jv_parse_value(s, strlen(s), err, sizeof(err));
		back = w ? jv_number_value(w) : NAN;
		if (back != d)
			fprintf(stderr, "  %.17g dumped as %s\n", d, s);
		CHECK(back == d);
		free(s);
		jv_free(v);
		jv_free(w);
	}
}

int
main(void)
{
	T_RUN(test_agrees_with_jansson);
	T_RUN(test_duplicates);
	T_RUN(test_templates);
	T_RUN(test_depth_cap);
	T_RUN(test_values_and_pointers);
	T_RUN(test_hints);
	T_RUN(test_error_position);
	T_RUN(test_canonical_dump);
	return t_done("jscan");
}
