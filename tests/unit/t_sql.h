/*
 * t_sql.h - reading a test's SQLite file from the side, through a
 * connection of its own, the way chansyncctl would.
 */
#ifndef CHANSYNC_T_SQL_H
#define CHANSYNC_T_SQL_H

#include <sqlite3.h>
#include <stdio.h>

/* The first column of the first row of sql on db, as text ("" for none). */
static __attribute__((unused)) const char *
t_sql(const char *db_path, const char *sql)
{
	static char out[65536];
	sqlite3 *db;
	sqlite3_stmt *s;

	out[0] = '\0';
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return out;
	}
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
			snprintf(out, sizeof(out), "%s", sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
	} else
		fprintf(stderr, "  %s: %s\n", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
	return out;
}

#endif
