/*
 * fuzz_csv.c - the CSV reader of file_drop sources: any bytes read as
 * records or refused one record at a time, always moving forward, each
 * record's position and raw text inside the input.
 */
#include "fuzz.h"
#include "lib/csv.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char delims[] = { ',', ';', '\t', '|' };
	struct csv c;
	struct csv_record rec;
	char err[256];
	const char *last = NULL;
	int r, line = 0;
	size_t i;

	if (size == 0)
		return 0;
	/* the first byte picks the delimiter */
	csv_init(&c, (const char *)data + 1, size - 1, delims[data[0] % 4]);
	memset(&rec, 0, sizeof(rec));
	while ((r = csv_next(&c, &rec, err, sizeof(err))) != 0) {
		FUZZ_ASSERT(rec.line >= line);
		line = rec.line;
		if (r < 0)
			continue;
		FUZZ_ASSERT(rec.n >= 1 && rec.n <= CSV_MAX_FIELDS);
		FUZZ_ASSERT(rec.raw >= (const char *)data + 1 &&
		    rec.raw + rec.rawlen <= (const char *)data + size);
		FUZZ_ASSERT(last == NULL || rec.raw > last);
		last = rec.raw;
		for (i = 0; i < rec.n; i++)
			FUZZ_ASSERT(rec.fields[i] != NULL &&
			    strlen(rec.fields[i]) <= CSV_MAX_FIELD_BYTES);
	}
	csv_record_free(&rec);
	return 0;
}
