/*
 * fuzz_soql.c - SOQL string literals built from data (a configured
 * where:, an Id, a name): the quoted form always reads back, the way
 * Salesforce reads it, as exactly the text that went in, so no value can
 * end the literal early and add to the query.
 */
#include "fuzz.h"
#include "crm/salesforce.h"
#include "../unit/t_soql.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size), *q, *back;
	char when[21];
	size_t i;
	int ctl = 0;

	for (i = 0; s[i]; i++)
		if (((unsigned char)s[i] < 0x20 && !strchr("\n\r\t\b\f", s[i])) ||
		    s[i] == 0x7f)
			ctl = 1;
	q = sf_soql_quote(s);
	if (q == NULL) {
		FUZZ_ASSERT(ctl);	/* refused only for what SOQL cannot hold */
	} else {
		back = soql_unquote(q);
		FUZZ_ASSERT(back != NULL && strcmp(back, s) == 0);
		free(back);
		free(q);
	}
	if (size >= 8) {
		int64_t t;

		memcpy(&t, data, sizeof(t));
		sf_soql_datetime(t, when);
		FUZZ_ASSERT(strlen(when) == 20);
	}
	free(s);
	return 0;
}
