/*
 * settings.c: resolve dataflow.properties into what the programs need: the
 * libpq keywords, dataflow's schema, the run lease, the credentials and
 * the programs a job's notify command may run.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "ids.h"
#include "settings.h"
#include "xmalloc.h"

/*
 * libpq's documented connection keywords (PostgreSQL 18). A keyword the
 * installed libpq does not know yet fails at connect time, with libpq's
 * own message; no libpq call is made here (they all live in db.c).
 */
static const char *const settings_libpq_keys[] = {
	"host", "hostaddr", "port", "dbname", "user", "password", "passfile",
	"require_auth", "channel_binding", "connect_timeout",
	"client_encoding", "options", "application_name",
	"fallback_application_name", "keepalives", "keepalives_idle",
	"keepalives_interval", "keepalives_count", "tcp_user_timeout",
	"replication", "gssencmode", "sslmode", "sslnegotiation",
	"sslcompression", "sslcert", "sslkey", "sslkeylogfile", "sslpassword",
	"sslcertmode", "sslrootcert", "sslcrl", "sslcrldir", "sslsni",
	"requirepeer", "ssl_min_protocol_version", "ssl_max_protocol_version",
	"min_protocol_version", "max_protocol_version", "krbsrvname", "gsslib",
	"gssdelegation", "service", "target_session_attrs",
	"load_balance_hosts", "oauth_issuer", "oauth_client_id",
	"oauth_client_secret", "oauth_scope"
};

#define SETTINGS_IDENT_RULE \
	"must be an identifier ([A-Za-z_][A-Za-z0-9_]*, at most 63 bytes)"

bool
settings_is_libpq_key(const char *key)
{
	size_t	 i;

	for (i = 0; i < sizeof settings_libpq_keys /
	    sizeof settings_libpq_keys[0]; i++) {
		if (strcmp(key, settings_libpq_keys[i]) == 0)
			return true;
	}
	return false;
}

/* Return whether key is one of dataflow's own (url aside). */
static bool
settings_is_dataflow_key(const char *key)
{
	return strcmp(key, "password") == 0 || strcmp(key, "encrypted") == 0 ||
	    strcmp(key, "schema") == 0 || strcmp(key, "lease") == 0 ||
	    strcmp(key, "finish_retry") == 0 ||
	    strcmp(key, "keyfile") == 0 ||
	    strcmp(key, "listen_url") == 0 ||
	    strcmp(key, "env_allow") == 0 ||
	    strcmp(key, "notify_allow") == 0 ||
	    strcmp(key, "purge.history_days") == 0 ||
	    strcmp(key, "purge.audit_days") == 0 ||
	    strncmp(key, "serve.", 6) == 0;	/* dataflow serve's own */
}

/*
 * A retention of "dataflow purge" (purge.history_days, purge.audit_days):
 * a whole number of days into *days. Return 0, or -1 with *errp.
 */
static int
settings_days(const struct properties *p, const struct property *it,
    long *days, char **errp)
{
	const char	*errstr;

	*days = (long)strtonum(it->value, 1, SETTINGS_MAX_DAYS, &errstr);
	if (errstr == NULL)
		return 0;
	*errp = xasprintf("%s:%d: invalid %s \"%s\": a number of days from "
	    "1 to %d is %s", p->path, it->line, it->key, it->value,
	    SETTINGS_MAX_DAYS, errstr);
	return -1;
}

/* Return whether item i is the last setting of its key in p. */
static bool
settings_is_last(const struct properties *p, size_t i)
{
	size_t	 j;

	for (j = i + 1; j < p->n; j++) {
		if (strcmp(p->items[j].key, p->items[i].key) == 0)
			return false;
	}
	return true;
}

static void
settings_replace(char **slot, const char *value)
{
	xfreezero_str(*slot);
	*slot = xstrdup(value);
}

/*
 * Split value, a comma-separated list, into its entries without the blanks
 * around them, empty ones dropped: a NULL-terminated list (freed with
 * xfree_strv), or NULL when there is none; *np its length.
 */
static char **
settings_split_list(const char *value, size_t *np)
{
	const char	*p = value, *end;
	char		**v = NULL;
	size_t		 len, n = 0;

	for (;;) {
		p += strspn(p, " \t");
		len = strcspn(p, ",");
		end = p + len;
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len > 0) {
			v = xreallocarray(v, n + 2, sizeof(*v));
			v[n++] = xstrndup(p, len);
			v[n] = NULL;
		}
		if (*end == '\0')
			break;
		p = end + 1;
	}
	*np = n;
	return v;
}

int
settings_env_allow(const struct properties *p, char ***allowp, char **errp)
{
	const char	*v;
	char		**allow;
	size_t		 i, n;

	*allowp = NULL;
	*errp = NULL;
	if ((v = properties_get(p, "env_allow")) == NULL)
		return 0;
	allow = settings_split_list(v, &n);
	for (i = 0; i < n; i++) {
		if (ident_env_fixed(allow[i])) {
			*errp = xasprintf("%s:%d: env_allow: \"%s\" can never "
			    "be allowed (%s)", p->path,
			    properties_line(p, "env_allow"), allow[i],
			    ident_env_refusal(allow[i], NULL));
			xfree_strv(allow);
			return -1;
		}
	}
	*allowp = allow;
	return 0;
}

/*
 * Set s->notify_allow from value, a comma-separated list of absolute
 * paths. Return NULL, or what is wrong with an entry (caller frees).
 */
static char *
settings_notify_allow(struct settings *s, const char *value)
{
	size_t	 i;

	xfree_strv(s->notify_allow);
	s->notify_allow = settings_split_list(value, &s->nnotify_allow);
	for (i = 0; i < s->nnotify_allow; i++)
		if (s->notify_allow[i][0] != '/')
			return xasprintf("\"%s\" is not an absolute path",
			    s->notify_allow[i]);
	return NULL;
}

bool
settings_notify_allowed(const struct settings *s, const char *prog)
{
	size_t	 i;

	if (prog == NULL || prog[0] != '/')
		return false;
	for (i = 0; i < s->nnotify_allow; i++) {
		if (strcmp(s->notify_allow[i], prog) == 0)
			return true;
	}
	return false;
}

/*
 * Parse listen_url= of p into s->listen_conn, then the libpq keys of p
 * over it as over url's. Return 0 (also without listen_url), or -1 with
 * *errp.
 */
static int
settings_listen_url(const struct properties *p, struct settings *s,
    char **errp)
{
	const char	*url;
	char		*err = NULL;
	size_t		 i;

	if ((url = properties_get(p, "listen_url")) == NULL || url[0] == '\0')
		return 0;
	if (dburl_parse(url, &s->listen_conn, &err) == -1) {
		*errp = xasprintf("%s:%d: invalid listen_url: %s", p->path,
		    properties_line(p, "listen_url"), err);
		free(err);
		return -1;
	}
	/* Its own password or schema would differ from url's: refused. */
	if (conninfo_get(&s->listen_conn, "password") != NULL ||
	    conninfo_get(&s->listen_conn, "schema") != NULL) {
		*errp = xasprintf("%s:%d: invalid listen_url: it takes the "
		    "password and schema of url, not its own", p->path,
		    properties_line(p, "listen_url"));
		return -1;
	}
	for (i = 0; i < p->n; i++) {
		if (settings_is_last(p, i) && p->items[i].value[0] != '\0' &&
		    settings_is_libpq_key(p->items[i].key) &&
		    strcmp(p->items[i].key, "dbname") != 0 &&
		    strcmp(p->items[i].key, "password") != 0)
			conninfo_set(&s->listen_conn, p->items[i].key,
			    p->items[i].value);
	}
	return 0;
}

struct settings *
settings_for_listen(const struct settings *s)
{
	struct settings	*l;
	size_t		 i;

	if (s->listen_conn.n == 0)
		return NULL;
	l = xcalloc(1, sizeof *l);
	l->path = xstrdup(s->path);
	for (i = 0; i < s->listen_conn.n; i++)
		conninfo_set(&l->conn, s->listen_conn.keys[i],
		    s->listen_conn.values[i]);
	l->schema = xstrdup(s->schema);
	l->lease_secs = s->lease_secs;
	l->finish_retry_secs = s->finish_retry_secs;
	l->encrypted = s->encrypted != NULL ? xstrdup(s->encrypted) : NULL;
	l->password = s->password != NULL ? xstrdup(s->password) : NULL;
	l->keyfile = s->keyfile != NULL ? xstrdup(s->keyfile) : NULL;
	return l;
}

struct settings *
settings_from_properties(const struct properties *p, char **errp)
{
	struct settings		*s;
	const struct property	*it;
	const char		*url, *v, *why;
	char			*bad;
	char			*err = NULL;
	size_t			 i;
	int			 line;
	bool			 jdbc;

	*errp = NULL;
	s = xcalloc(1, sizeof *s);
	s->path = xstrdup(p->path);
	s->lease_secs = SETTINGS_DEFAULT_LEASE;
	s->finish_retry_secs = SETTINGS_DEFAULT_FINISH_RETRY;

	if ((url = properties_get(p, "url")) == NULL) {
		*errp = xasprintf("%s: missing required key \"url\"", p->path);
		goto fail;
	}
	line = properties_line(p, "url");
	if (url[0] == '\0') {
		*errp = xasprintf("%s:%d: url is empty", p->path, line);
		goto fail;
	}
	if (dburl_parse(url, &s->conn, &err) == -1) {
		*errp = xasprintf("%s:%d: invalid url: %s", p->path, line,
		    err);
		goto fail;
	}
	jdbc = strncmp(url, "jdbc:", 5) == 0;
	/* What a JDBC URL says that is not a libpq keyword. */
	if ((v = conninfo_get(&s->conn, "schema")) != NULL) {
		if (!ident_valid(v)) {
			*errp = xasprintf("%s:%d: invalid currentSchema \"%s\" "
			    "in url: " SETTINGS_IDENT_RULE, p->path, line, v);
			goto fail;
		}
		s->schema = xstrdup(v);
		conninfo_set(&s->conn, "schema", NULL);
	}
	if ((v = conninfo_get(&s->conn, "ignored")) != NULL) {
		s->ignored = xstrdup(v);
		conninfo_set(&s->conn, "ignored", NULL);
	}
	if ((v = conninfo_get(&s->conn, "password")) != NULL) {
		s->password = xstrdup(v);
		conninfo_set(&s->conn, "password", NULL);
	}

	for (i = 0; i < p->n; i++) {
		it = &p->items[i];
		/* Only the last setting counts; an empty one is no setting. */
		if (!settings_is_last(p, i) || strcmp(it->key, "url") == 0)
			continue;
		if (!settings_is_dataflow_key(it->key) &&
		    !settings_is_libpq_key(it->key)) {
			s->unknown = xreallocarray(s->unknown,
			    s->nunknown + 1, sizeof *s->unknown);
			s->unknown[s->nunknown++] = xstrdup(it->key);
			continue;
		}
		if (it->value[0] == '\0')
			continue;
		if (strcmp(it->key, "password") == 0)
			settings_replace(&s->password, it->value);
		else if (strcmp(it->key, "encrypted") == 0)
			settings_replace(&s->encrypted, it->value);
		else if (strcmp(it->key, "keyfile") == 0) {
			if (it->value[0] != '/') {
				*errp = xasprintf("%s:%d: invalid keyfile "
				    "\"%s\": not an absolute path", p->path,
				    it->line, it->value);
				goto fail;
			}
			settings_replace(&s->keyfile, it->value);
		}
		else if (strcmp(it->key, "schema") == 0) {
			if (!ident_valid(it->value)) {
				*errp = xasprintf("%s:%d: invalid schema "
				    "\"%s\": " SETTINGS_IDENT_RULE, p->path,
				    it->line, it->value);
				goto fail;
			}
			settings_replace(&s->schema, it->value);
		} else if (strcmp(it->key, "lease") == 0) {
			if ((why = duration_check(it->value,
			    &s->lease_secs)) != NULL) {
				*errp = xasprintf("%s:%d: invalid lease "
				    "\"%s\": %s", p->path, it->line, it->value,
				    why);
				goto fail;
			}
		} else if (strcmp(it->key, "purge.history_days") == 0) {
			if (settings_days(p, it, &s->history_days, errp) == -1)
				goto fail;
		} else if (strcmp(it->key, "purge.audit_days") == 0) {
			if (settings_days(p, it, &s->audit_days, errp) == -1)
				goto fail;
		} else if (strcmp(it->key, "env_allow") == 0 ||
		    strcmp(it->key, "listen_url") == 0) {
			/* Read below. */
		} else if (strcmp(it->key, "finish_retry") == 0) {
			if ((why = duration_check(it->value,
			    &s->finish_retry_secs)) != NULL) {
				*errp = xasprintf("%s:%d: invalid finish_retry "
				    "\"%s\": %s", p->path, it->line, it->value,
				    why);
				goto fail;
			}
		} else if (strcmp(it->key, "notify_allow") == 0) {
			if ((bad = settings_notify_allow(s, it->value)) !=
			    NULL) {
				*errp = xasprintf("%s:%d: invalid notify_allow: "
				    "%s: list the programs a job's notify may "
				    "run by their absolute paths", p->path,
				    it->line, bad);
				free(bad);
				goto fail;
			}
		} else if (strncmp(it->key, "serve.", 6) == 0) {
			/* Read by dataflow serve (cmd_serve.c). */
		} else {
			/*
			 * A URI or conninfo url is itself the dbname libpq
			 * expands: a second dbname would replace it whole.
			 */
			if (strcmp(it->key, "dbname") == 0 && !jdbc) {
				*errp = xasprintf("%s:%d: dbname cannot be "
				    "combined with a url that is a libpq URI "
				    "or connection string: put the database "
				    "in the url", p->path, it->line);
				goto fail;
			}
			conninfo_set(&s->conn, it->key, it->value);
		}
	}
	if (settings_env_allow(p, &s->env_allow, errp) == -1 ||
	    settings_listen_url(p, s, errp) == -1)
		goto fail;
	if (s->schema == NULL)
		s->schema = xstrdup(SETTINGS_DEFAULT_SCHEMA);
	free(err);
	return s;

fail:
	free(err);
	settings_free(s);
	return NULL;
}

void
settings_free(struct settings *s)
{
	size_t	 i;

	if (s == NULL)
		return;
	conninfo_clear(&s->conn);
	conninfo_clear(&s->listen_conn);
	free(s->path);
	free(s->schema);
	xfreezero_str(s->encrypted);
	xfreezero_str(s->password);
	free(s->keyfile);
	for (i = 0; i < s->nunknown; i++)
		free(s->unknown[i]);
	free(s->unknown);
	free(s->ignored);
	xfree_strv(s->env_allow);
	xfree_strv(s->notify_allow);
	free(s);
}
