/*
 * source.c - the source kinds, as a table: each kind of config.h's kind
 * list and how it runs.
 */
#include "sources/source.h"

#include <stdio.h>

static const struct source_reader readers[] = {
	{ SOURCE_HTTP_JSON, http_json_run },
	{ SOURCE_FILE_DROP, file_drop_run },
};

const struct source_reader *
source_reader(int kind)
{
	size_t i;

	for (i = 0; i < sizeof(readers) / sizeof(readers[0]); i++)
		if (readers[i].kind == kind)
			return &readers[i];
	return NULL;
}

enum source_status
source_run(struct source_run *run)
{
	const struct source_reader *k = source_reader(run->src->kind);

	if (k == NULL) {
		snprintf(run->error, sizeof(run->error), "unknown source kind");
		return SOURCE_FAILED;
	}
	return k->run(run);
}
