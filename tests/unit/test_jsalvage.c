/* test_jsalvage.c - the structure of pages a strict parser refuses:
 * records found one by one around invalid UTF-8, a name given twice and
 * a number too big; pointers through escaped names and arrays; broken
 * structure told apart from an absent pointer. */
#include "lib/json.h"
#include "lib/jsalvage.h"
#include "t.h"

static char *
span_text(const char *buf, struct jspan s)
{
	return strndup(buf + s.start, s.end - s.start);
}

static void
test_records_of_a_refused_page(void)
{
	static const char page[] =
	    "{ \"meta\": {\"total\": 5, \"next_cursor\": \"c\\\"2\"},\n"
	    "  \"data\": [ {\"id\": \"1\", \"name\": \"Acme\"},\n"
	    "    {\"id\": \"2\", \"name\": \"M\xfcller\"},\n"
	    "    {\"id\": \"3\", \"id\": \"3b\"},\n"
	    "    {\"id\": \"4\", \"amount\": 123456789012345678901234567890},\n"
	    "    {\"id\": \"5\", \"note\": \"a ] and a } in a string\", \"x\": [1, {\"y\": []}]} ] }";
	static const char *const want[] = {
		"{\"id\": \"1\", \"name\": \"Acme\"}",
		"{\"id\": \"2\", \"name\": \"M\xfcller\"}",
		"{\"id\": \"3\", \"id\": \"3b\"}",
		"{\"id\": \"4\", \"amount\": 123456789012345678901234567890}",
		"{\"id\": \"5\", \"note\": \"a ] and a } in a string\", \"x\": [1, {\"y\": []}]}",
	};
	static const int parses[] = { 1, 0, 0, 0, 1 };
	struct jspan s, *el = NULL;
	char err[128], *t;
	long n, i;

	/* the strict parser refuses the page as a whole */
	CHECK(jv_parse(page, sizeof(page) - 1, err, sizeof(err)) == NULL);
	CHECK_INT(jsalvage_find(page, sizeof(page) - 1, "/data", &s), 1);
	n = jsalvage_elements(page, s, &el);
	CHECK_INT(n, 5);
	for (i = 0; i < n && i < 5; i++) {
		struct jval *v;

		t = span_text(page, el[i]);
		CHECK_STR(t, want[i]);
		v = jv_parse(t, strlen(t), err, sizeof(err));
		CHECK_INT(v != NULL, parses[i]);
		jv_free(v);
		free(t);
	}
	free(el);
	CHECK_INT(jsalvage_find(page, sizeof(page) - 1, "/meta/next_cursor", &s), 1);
	t = span_text(page, s);
	CHECK_STR(t, "\"c\\\"2\"");
	free(t);
	CHECK_INT(jsalvage_find(page, sizeof(page) - 1, "/data/4/x/1/y", &s), 1);
	CHECK_INT((long)(s.end - s.start), 2);
	/* absent, not broken */
	CHECK_INT(jsalvage_find(page, sizeof(page) - 1, "/meta/cursor", &s), 0);
	CHECK_INT(jsalvage_find(page, sizeof(page) - 1, "/data/9", &s), 0);
	CHECK_INT(jsalvage_find(page, sizeof(page) - 1, "/data/x", &s), 0);
	CHECK_INT(jsalvage_find(page, sizeof(page) - 1, "/meta/total/x", &s), 0);
}

static void
test_names_and_the_whole_text(void)
{
	static const char doc[] = " [ {\"a/b\": {\"c~d\": 1}, \"q\\\"k\": 2}, 3 ] ";
	struct jspan s, *el = NULL;
	char *t;

	CHECK_INT(jsalvage_find(doc, sizeof(doc) - 1, "", &s), 1);
	CHECK_INT((long)s.start, 1);
	CHECK_INT((long)s.end, (long)sizeof(doc) - 2);
	CHECK_INT(jsalvage_find(doc, sizeof(doc) - 1, "/0/a~1b/c~0d", &s), 1);
	t = span_text(doc, s);
	CHECK_STR(t, "1");
	free(t);
	CHECK_INT(jsalvage_find(doc, sizeof(doc) - 1, "/0/q\"k", &s), 1);
	CHECK_INT(jsalvage_elements(doc, (struct jspan){ 1, sizeof(doc) - 2 }, &el),
	    2);
	free(el);
	/* an empty array has no elements; a scalar is not an array */
	CHECK_INT(jsalvage_find("{\"d\": [ ]}", 10, "/d", &s), 1);
	CHECK_INT(jsalvage_elements("{\"d\": [ ]}", s, &el), 0);
	CHECK(el == NULL);
	CHECK_INT(jsalvage_elements("[1]", (struct jspan){ 1, 2 }, &el), -1);
}

static void
test_broken_structure(void)
{
	static const char *const broken[] = {
		"{\"data\": [ {\"id\": \"1}, {\"id\": \"2\"} ]}",	/* string never ends */
		"{\"data\": [ {\"id\": 1} {\"id\": 2} ]}",		/* no comma */
		"{\"data\": [ {\"id\": 1}, {\"id\": 2}",		/* cut short */
		"{\"data\" [1]}",					/* no colon */
		"{data: [1]}",						/* a bare name */
	};
	struct jspan s, *el = NULL;
	size_t i;

	for (i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		int r = jsalvage_find(broken[i], strlen(broken[i]), "/data", &s);

		/* either the way there breaks, or the array itself does */
		if (r == 1)
			CHECK_INT(jsalvage_elements(broken[i], s, &el), -1);
		else
			CHECK_INT(r, -1);
		free(el);
		el = NULL;
	}
}

int
main(void)
{
	T_RUN(test_records_of_a_refused_page);
	T_RUN(test_names_and_the_whole_text);
	T_RUN(test_broken_structure);
	return t_done("jsalvage");
}
