/* dburl.h: turn a JDBC URL, libpq URI or conninfo string into libpq keywords. */
#ifndef DF_DBURL_H
#define DF_DBURL_H

#include <stddef.h>

/* An ordered list of libpq connection keywords and values. */
struct conninfo {
	char	**keys;
	char	**values;
	size_t	  n;
};

/* Set key to value in ci, replacing an earlier value of the same key. */
void	conninfo_set(struct conninfo *ci, const char *key, const char *value);
/* Return the value of key in ci, or NULL. */
const char *conninfo_get(const struct conninfo *ci, const char *key);
/* Free the arrays of ci (wiping values) and reset it to empty. */
void	conninfo_clear(struct conninfo *ci);

/*
 * Parse url into ci (added to what it holds). Accepted forms:
 *   jdbc:postgresql://host[:port][,host2[:port2]...]/[database][?k=v&...]
 *   jdbc:postgresql:database, jdbc:postgresql:/ (OpenDataFlow's JDBC forms:
 *     JDBC parameters are mapped to libpq ones: user, password, ssl=true ->
 *     sslmode=require, sslmode, connectTimeout -> connect_timeout,
 *     ApplicationName -> application_name, options, sslcert, sslkey,
 *     sslrootcert, target_session_attrs / targetServerType; currentSchema is
 *     returned as the pseudo-key "schema"; others are an error)
 *   postgresql://... or postgres://... (a libpq URI, passed as dbname so
 *     libpq expands it)
 *   key=value ... (a libpq conninfo string, passed as dbname likewise)
 * Percent-escapes in JDBC hosts, database and values are decoded. Return 0,
 * or -1 with *errp (caller frees) naming what is wrong.
 */
int	dburl_parse(const char *url, struct conninfo *ci, char **errp);

#endif
