/*
 * text_table.h - aligned text tables for people (chansyncctl's default output).
 */
#ifndef CHANSYNC_TABLE_H
#define CHANSYNC_TABLE_H

#include <stdio.h>

struct table;

/* ncol header names (copied). */
struct table *table_new(int ncol, const char *const *header);
/* Adds a row of ncol cells (copied; NULL shows as "-"). */
void table_add(struct table *t, const char *const *cells);
size_t table_rows(const struct table *t);
/* Prints with each cell cut to maxw characters (0: no limit). */
void table_print(const struct table *t, FILE *f, int maxw);
void table_free(struct table *t);

#endif
