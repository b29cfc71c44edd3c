/*
 * t_soql.h - a SOQL string literal read back the way Salesforce reads it,
 * for the tests and the fuzz target that check sf_soql_quote.
 */
#ifndef CHANSYNC_T_SOQL_H
#define CHANSYNC_T_SOQL_H

#include <stdlib.h>
#include <string.h>

/* Reads a SOQL string literal back the way Salesforce does; NULL when
 * it is not one literal. */
static inline char *
soql_unquote(const char *q)
{
	size_t n = strlen(q), i, o = 0;
	char *out;

	if (n < 2 || q[0] != '\'' || q[n - 1] != '\'')
		return NULL;
	if ((out = malloc(n)) == NULL)
		abort();
	for (i = 1; i < n - 1; i++) {
		if (q[i] == '\'')
			goto bad;	/* an unescaped quote ends the literal */
		if (q[i] != '\\') {
			out[o++] = q[i];
			continue;
		}
		if (i + 1 >= n - 1)
			goto bad;	/* the closing quote escaped */
		switch (q[++i]) {
		case 'n': out[o++] = '\n'; break;
		case 'r': out[o++] = '\r'; break;
		case 't': out[o++] = '\t'; break;
		case 'b': out[o++] = '\b'; break;
		case 'f': out[o++] = '\f'; break;
		case '"': out[o++] = '"'; break;
		case '\'': out[o++] = '\''; break;
		case '\\': out[o++] = '\\'; break;
		default: goto bad;
		}
	}
	out[o] = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

#endif
