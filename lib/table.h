/* table.h: aligned text tables for people, and the durations and times
 * shown in them. */
#ifndef DF_TABLE_H
#define DF_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

enum table_align {
	TABLE_LEFT,
	TABLE_RIGHT		/* numbers */
};

struct table;

/*
 * Return a new table with ncols columns named by headers (copied), all
 * left-aligned; the caller frees it with table_free.
 */
struct table	*table_new(size_t ncols, const char *const *headers);
/* Free t and its cells; NULL is a no-op. */
void		 table_free(struct table *t);
/* Align column col (from 0) as a. */
void		 table_align(struct table *t, size_t col,
		    enum table_align a);
/*
 * Append a cell (copied) to the last row, starting a new row when the last
 * one is full. NULL shows as "-"; control characters show as "?".
 */
void		 table_add(struct table *t, const char *cell);
/*
 * Return s safe to print on a terminal, owned by the caller: every control
 * character (C0, DEL and the C1 range U+0080-U+009F) shows as "?", so
 * that escape sequences from the database or a job's output print as text
 * and cannot drive the terminal; with lines, newlines and tabs are kept.
 * The one quote for terminal text: tables use it for their cells.
 */
char		*table_safe(const char *s, bool lines);
/* Append a formatted cell, as table_add. */
void		 table_addf(struct table *t, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
/* Return the number of rows added so far. */
size_t		 table_rows(const struct table *t);
/*
 * Return the table as text, owned by the caller: the header line then one
 * line per row, columns padded to their widest cell (in characters, UTF-8
 * aware) and separated by two spaces, no trailing blanks. A short last row
 * is padded with "-".
 */
char		*table_render(const struct table *t);

/*
 * Write secs as a short duration to buf and return buf: "0.4s", "42s",
 * "5m03s", "2h05m", "3d04h"; "-" for a negative value.
 */
const char	*table_duration(double secs, char *buf, size_t len);
/* Write t as local time with its UTC offset, "YYYY-MM-DD HH:MM:SS
 * +HHMM", to buf and return buf: every time a person reads. */
const char	*table_time(time_t t, char *buf, size_t len);
/* Write the ISO 8601 time iso (as PostgreSQL's JSON gives it) as
 * table_time does, or as it is if it cannot be read; return buf, or NULL
 * for a NULL iso. */
const char	*table_time_iso(const char *iso, char *buf, size_t len);

#endif
