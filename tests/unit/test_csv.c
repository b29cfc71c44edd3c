/* test_csv.c - RFC 4180 reading. */
#include "lib/csv.h"
#include "t.h"

static int
read_all(const char *data, char delim, struct csv_record *recs, int max,
    int *bad)
{
	struct csv c;
	char err[256];
	int n = 0, r;

	*bad = 0;
	csv_init(&c, data, strlen(data), delim);
	while (n < max) {
		memset(&recs[n], 0, sizeof(recs[n]));
		r = csv_next(&c, &recs[n], err, sizeof(err));
		if (r == 0) {
			csv_record_free(&recs[n]);
			break;
		}
		if (r < 0)
			(*bad)++;
		n++;
	}
	return n;
}

static void
free_all(struct csv_record *recs, int n)
{
	int i;

	for (i = 0; i < n; i++)
		csv_record_free(&recs[i]);
}

static void
test_simple(void)
{
	struct csv_record r[4];
	int bad, n = read_all("a,b,c\n1,2,3\n", ',', r, 4, &bad);

	CHECK_INT(n, 2);
	CHECK_INT(bad, 0);
	CHECK_INT(r[0].n, 3);
	CHECK_STR(r[1].fields[2], "3");
	CHECK_INT(r[1].line, 2);
	free_all(r, n);
}

static void
test_quotes_commas_newlines_crlf_bom(void)
{
	struct csv_record r[4];
	int bad, n = read_all("\xef\xbb\xbfid,name\r\n1,\"Acme, \"\"Big\"\" Inc.\"\r\n"
	    "2,\"two\r\nlines\"\r\n3,last", ',', r, 4, &bad);

	CHECK_INT(n, 4);
	CHECK_INT(bad, 0);
	CHECK_STR(r[0].fields[0], "id");	/* BOM skipped */
	CHECK_STR(r[1].fields[1], "Acme, \"Big\" Inc.");
	CHECK_STR(r[2].fields[1], "two\r\nlines");
	CHECK_INT(r[2].line, 3);
	CHECK_INT(r[3].line, 5);		/* the embedded break counts */
	CHECK_STR(r[3].fields[1], "last");	/* no final newline */
	free_all(r, n);
}

static void
test_empty_fields_and_blank_lines(void)
{
	struct csv_record r[4];
	int bad, n = read_all("a,,c,\n\n\n\"\",x,,\n", ',', r, 4, &bad);

	CHECK_INT(n, 2);
	CHECK_INT(r[0].n, 4);
	CHECK_STR(r[0].fields[1], "");
	CHECK_STR(r[0].fields[3], "");
	CHECK_INT(r[1].line, 4);
	CHECK_STR(r[1].fields[0], "");
	free_all(r, n);
}

static void
test_malformed_then_recovers(void)
{
	struct csv_record r[4];
	int bad, n = read_all("a,b\n\"x\"y,2\n3,4\n", ',', r, 4, &bad);

	CHECK_INT(n, 3);
	CHECK_INT(bad, 1);
	CHECK_INT(r[1].line, 2);
	CHECK_STR(r[2].fields[0], "3");
	CHECK_INT(r[2].line, 3);
	free_all(r, n);
}

static void
test_unterminated_quote(void)
{
	struct csv_record r[4];
	int bad, n = read_all("a,b\n1,\"open\n2,3\n", ',', r, 4, &bad);

	CHECK_INT(n, 2);
	CHECK_INT(bad, 1);
	CHECK_INT(r[1].line, 2);
	free_all(r, n);
}

static void
test_delimiter(void)
{
	struct csv_record r[2];
	int bad, n = read_all("a;b\n\"1;x\";2\n", ';', r, 2, &bad);

	CHECK_INT(n, 2);
	CHECK_STR(r[1].fields[0], "1;x");
	free_all(r, n);
}

static void
test_raw_slice(void)
{
	struct csv_record r[2];
	int bad, n = read_all("h\n\"q\"\n", ',', r, 2, &bad);

	CHECK_INT(n, 2);
	CHECK(r[1].rawlen >= 3 && memcmp(r[1].raw, "\"q\"", 3) == 0);
	free_all(r, n);
}

int
main(void)
{
	T_RUN(test_simple);
	T_RUN(test_quotes_commas_newlines_crlf_bom);
	T_RUN(test_empty_fields_and_blank_lines);
	T_RUN(test_malformed_then_recovers);
	T_RUN(test_unterminated_quote);
	T_RUN(test_delimiter);
	T_RUN(test_raw_slice);
	return t_done("csv");
}
