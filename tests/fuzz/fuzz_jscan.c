/*
 * fuzz_jscan.c - the JSON tokenizer the CRM's pages go through: any
 * bytes either tokenize into a well-formed token tree or are refused
 * with a position; every string it accepts reads back as valid UTF-8
 * without NUL.
 */
#include "fuzz.h"
#include "lib/jscan.h"

static void
check_tree(const struct jscan *j)
{
	size_t i;

	for (i = 0; i < j->n; i++) {
		const struct jscan_tok *t = &j->t[i];
		char *s = NULL;

		if (t->end <= i || t->end > j->n ||
		    (size_t)t->start + t->len > j->len)
			abort();
		if (t->type == JS_OBJECT || t->type == JS_ARRAY) {
			if (jscan_text(j, (int)i, &s) != -1)
				abort();
			continue;
		}
		if (t->type != JS_STRING && t->end != i + 1)
			abort();
		if (jscan_text(j, (int)i, &s) != 1)
			abort();
		if (t->type == JS_STRING &&
		    (s == NULL || !fuzz_valid_utf8(s, strlen(s))))
			abort();
		free(s);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jscan j;
	char err[256];

	jscan_init(&j);
	if (jscan_parse(&j, (const char *)data, size, err, sizeof(err)) == 0) {
		check_tree(&j);
		/* lookups on whatever shape came in */
		(void)jscan_pointer(&j, 0, "/records/0/Id");
		(void)jscan_pointer(&j, 0, "/a~1b/~0c");
		(void)jscan_member(&j, 0, "nextRecordsUrl");
	} else if (strncmp(err, "line ", 5) != 0)
		abort();	/* every refusal names its position */
	jscan_free(&j);
	return 0;
}
