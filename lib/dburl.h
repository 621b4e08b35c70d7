/* dburl.h: turn a JDBC URL, libpq URI or conninfo into libpq keywords. */
#ifndef DF_DBURL_H
#define DF_DBURL_H

#include <stddef.h>

/*
 * An ordered list of libpq connection keywords and values; keys[n] and
 * values[n] are NULL, so the arrays suit PQconnectdbParams.
 */
struct conninfo {
	char	**keys;
	char	**values;
	size_t	  n;
};

/*
 * Set key to value in ci, replacing an earlier value of the same key in its
 * place, or appending; a NULL value removes key.
 */
void	conninfo_set(struct conninfo *ci, const char *key, const char *value);
/* Return the value of key in ci, or NULL; owned by ci. */
const char *conninfo_get(const struct conninfo *ci, const char *key);
/* Free the arrays of ci (wiping values) and reset it to empty. */
void	conninfo_clear(struct conninfo *ci);

/*
 * Parse url into ci (added to what it holds; what url says wins). Forms:
 *   jdbc:postgresql://host[:port][,host2[:port2]...]/[database][?k=v&...]
 *   jdbc:postgresql:database, jdbc:postgresql:/ (OpenDataFlow's JDBC forms:
 *     JDBC parameters are mapped to libpq ones: user, password, ssl=true ->
 *     sslmode=require, sslmode, connectTimeout and loginTimeout ->
 *     connect_timeout, tcpKeepAlive -> keepalives, gssEncMode ->
 *     gssencmode, ApplicationName -> application_name, options, sslcert,
 *     sslkey, sslrootcert, target_session_attrs / targetServerType;
 *     currentSchema is returned as the pseudo-key "schema"; the others
 *     (socketTimeout, prepareThreshold, ...: no libpq equivalent) are
 *     ignored, their names in the pseudo-key "ignored", comma-separated,
 *     for a note. host and
 *     port are always set, to localhost and 5432 by default as the JDBC
 *     driver does; several hosts give libpq's lists "h1,h2" and
 *     "5432,5433"; IPv6 addresses need brackets: [::1]:5432)
 *   postgresql://... or postgres://... (a libpq URI, passed as dbname so
 *     libpq expands it: connect with expand_dbname set)
 *   key=value ... (a libpq conninfo string, passed as dbname likewise)
 * Percent-escapes in JDBC hosts, database and values are decoded, and '+'
 * in the database and values is a space (the driver's URLDecoder). Return
 * 0, or -1 with *errp (caller frees) naming what is wrong; messages never
 * quote the url, which may hold a password.
 */
int	dburl_parse(const char *url, struct conninfo *ci, char **errp);

#endif
