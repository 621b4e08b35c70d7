/* settings.h: what the programs need from dataflow.properties, resolved. */
#ifndef DF_SETTINGS_H
#define DF_SETTINGS_H

#include <stdbool.h>

#include "dburl.h"
#include "properties.h"

#define SETTINGS_DEFAULT_SCHEMA	"dataflow"
#define SETTINGS_DEFAULT_LEASE	60	/* seconds */
#define SETTINGS_DEFAULT_FINISH_RETRY 60 /* seconds */
#define SETTINGS_MAX_DAYS	36500	/* longest purge retention */

struct settings {
	char		*path;		/* the properties file they came from */
	struct conninfo	 conn;		/* libpq keywords, password excluded */
	struct conninfo	 listen_conn;	/* listen_url's keywords (with the
					   libpq keys of the file), or empty:
					   a session of its own for LISTEN */
	char		*schema;	/* dataflow's schema, an identifier */
	long		 lease_secs;	/* run lease length */
	long		 finish_retry_secs; /* how long runjob retries
					   recording an outcome before it
					   spools it locally */
	long		 history_days;	/* purge.history_days: runs kept by
					   "dataflow purge" without --before,
					   or 0 (unset) */
	long		 audit_days;	/* purge.audit_days: audit rows kept
					   by "dataflow purge", or 0 (kept) */
	char		*encrypted;	/* DB password ciphertext, or NULL */
	char		*password;	/* plain password, or NULL */
	char		*keyfile;	/* keyfile=: the derived-key file,
					   an absolute path, or NULL */
	char		**env_allow;	/* names the host lets parameters and
					   dataset attributes export although
					   they are in the list of
					   ident_env_refusal; NULL-terminated,
					   or NULL for none */
	char		**notify_allow;	/* absolute paths of the programs a
					   job's notify command may run;
					   NULL-terminated */
	size_t		 nnotify_allow;
	char		**unknown;	/* keys unknown to dataflow and libpq */
	char		*ignored;	/* JDBC url parameters without a libpq
					   equivalent, comma-separated, or
					   NULL */
	size_t		 nunknown;
};

/*
 * Resolve the properties p into settings: url (JDBC, URI or conninfo), user,
 * schema (an identifier; default "dataflow"), lease (a duration, default
 * 60 s), purge.history_days and purge.audit_days (days, 1 .. 36500),
 * encrypted, password, keyfile (an absolute path), and every key libpq knows (host, port, dbname,
 * sslmode, connect_timeout, ...) passed through, and notify_allow (a
 * comma-separated list of absolute program paths; a relative one is an
 * error), listen_url (like url: a direct session for --follow's LISTEN);
 * keys that libpq knows
 * override what url implied, and password= and schema= override a JDBC
 * url's password and currentSchema. Only the last setting of a key counts;
 * an empty value is no setting (url aside: it is required). Return the
 * settings (caller frees with settings_free), or NULL with *errp =
 * "PATH:LINE: message" naming the offending key.
 */
struct settings	*settings_from_properties(const struct properties *p,
		    char **errp);
/*
 * Read env_allow= of p, comma-separated environment names this host lets
 * jobs get from parameters and dataset attributes (see ident_env_refusal),
 * into *allowp: a NULL-terminated list (caller frees with xfree_strv),
 * or NULL when the key is absent or empty. Return 0, or -1 with *errp =
 * "PATH:LINE: message" (caller frees) for a name no host may allow.
 */
int		 settings_env_allow(const struct properties *p,
		    char ***allowp, char **errp);
/*
 * Return whether a job's notify command whose program is prog may run on
 * this host: prog is absolute and listed in notify_allow, compared byte for
 * byte (no $PATH lookup, no normalisation). Nothing is allowed by default.
 */
bool		 settings_notify_allowed(const struct settings *s,
		    const char *prog);
/*
 * Return settings like s but for listen_url's connection (what a follower
 * LISTENs on when url leads to a transaction pooler), or NULL when s has
 * no listen_url. Caller frees with settings_free.
 */
struct settings	*settings_for_listen(const struct settings *s);
/* Return whether key is one of libpq's documented connection keywords. */
bool		 settings_is_libpq_key(const char *key);
/* Free s, wiping secrets; NULL is a no-op. */
void		 settings_free(struct settings *s);

#endif
