/*
 * fuzz_json.c - the general JSON parser (vendor pages, the emulator's
 * answers, audit details): what it accepts dumps to a canonical form that
 * parses back to the same canonical form.
 */
#include "fuzz.h"
#include "lib/json.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jval *v, *again;
	char err[256], *c1, *c2;

	v = jv_parse((const char *)data, size, err, sizeof(err));
	if (v == NULL)
		return 0;
	c1 = jv_dump_canonical(v);
	FUZZ_ASSERT(c1 != NULL);
	again = jv_parse(c1, strlen(c1), err, sizeof(err));
	FUZZ_ASSERT(again != NULL);
	c2 = jv_dump_canonical(again);
	FUZZ_ASSERT(c2 != NULL && strcmp(c1, c2) == 0);
	free(c1);
	free(c2);
	jv_free(again);
	jv_free(v);
	return 0;
}
