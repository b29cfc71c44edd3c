/*
 * fuzz_config.c - the YAML configuration loader: any file either loads
 * or is refused with problems that each name a position in it, and the
 * messages are valid UTF-8 (they reach the journal and a terminal).
 */
#include "fuzz.h"
#include "config/config.h"
#include "lib/diag.h"
#include "lib/log.h"
#include "model/normalize.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];

	(void)argc;
	(void)argv;
	log_init("fuzz_config");
	log_set_level(LOG_CRIT);
	if (normalize_init(NULL, err, sizeof(err)) < 0)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *cfg;
	struct diags d;
	size_t i;

	diags_init(&d, "fuzz.yaml");
	cfg = config_load_buffer("fuzz.yaml", (const char *)data, size,
	    CONFIG_SKIP_SECRETS, &d);
	FUZZ_ASSERT((cfg == NULL) == (d.n > 0));
	for (i = 0; i < d.n; i++) {
		char *s = diags_format(&d, i);

		FUZZ_ASSERT(s != NULL && strncmp(s, "fuzz.yaml:", 10) == 0);
		FUZZ_ASSERT(fuzz_valid_utf8(s, strlen(s)));
		free(s);
	}
	config_free(cfg);
	diags_free(&d);
	return 0;
}
