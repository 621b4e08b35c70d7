/*
 * dburl.c: turn the url= of dataflow.properties (OpenDataFlow's JDBC URL, a
 * libpq URI or a conninfo string) into libpq keyword/value pairs.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dburl.h"
#include "strbuf.h"
#include "xmalloc.h"

#define DBURL_JDBC		"jdbc:postgresql:"
#define DBURL_DEFAULT_HOST	"localhost"	/* as the JDBC driver does */
#define DBURL_DEFAULT_PORT	"5432"
#define DBURL_SHOWMAX		255	/* longest host a message quotes */

/* JDBC parameters that have a libpq keyword of the same meaning. */
static const struct {
	const char	*jdbc;
	const char	*libpq;
} dburl_params[] = {
	{ "user",			"user" },
	{ "password",			"password" },
	{ "sslmode",			"sslmode" },
	{ "connectTimeout",		"connect_timeout" },
	{ "loginTimeout",		"connect_timeout" },	/* seconds too */
	{ "gssEncMode",			"gssencmode" },
	{ "ApplicationName",		"application_name" },
	{ "options",			"options" },
	{ "sslcert",			"sslcert" },
	{ "sslkey",			"sslkey" },
	{ "sslrootcert",		"sslrootcert" },
	{ "target_session_attrs",	"target_session_attrs" },
	{ "currentSchema",		"schema" }	/* dataflow's own */
};

/* The JDBC driver's targetServerType values, old and new spellings. */
static const struct {
	const char	*jdbc;
	const char	*libpq;
} dburl_server_types[] = {
	{ "any",		"any" },
	{ "primary",		"primary" },
	{ "master",		"primary" },
	{ "secondary",		"standby" },
	{ "standby",		"standby" },
	{ "slave",		"standby" },
	{ "preferSecondary",	"prefer-standby" },
	{ "preferStandby",	"prefer-standby" },
	{ "preferSlave",	"prefer-standby" }
};

void
conninfo_set(struct conninfo *ci, const char *key, const char *value)
{
	char	*copy;
	size_t	 i;

	for (i = 0; i < ci->n; i++) {
		if (strcmp(ci->keys[i], key) != 0)
			continue;
		if (value == NULL) {
			free(ci->keys[i]);
			xfreezero_str(ci->values[i]);
			/* Move the NULL terminators down as well. */
			memmove(ci->keys + i, ci->keys + i + 1,
			    (ci->n - i) * sizeof *ci->keys);
			memmove(ci->values + i, ci->values + i + 1,
			    (ci->n - i) * sizeof *ci->values);
			ci->n--;
			return;
		}
		/* Copy first: value may be the one being replaced. */
		copy = xstrdup(value);
		xfreezero_str(ci->values[i]);
		ci->values[i] = copy;
		return;
	}
	if (value == NULL)
		return;
	ci->keys = xreallocarray(ci->keys, ci->n + 2, sizeof *ci->keys);
	ci->values = xreallocarray(ci->values, ci->n + 2, sizeof *ci->values);
	ci->keys[ci->n] = xstrdup(key);
	ci->values[ci->n] = xstrdup(value);
	ci->n++;
	ci->keys[ci->n] = NULL;
	ci->values[ci->n] = NULL;
}

const char *
conninfo_get(const struct conninfo *ci, const char *key)
{
	size_t	 i;

	for (i = 0; i < ci->n; i++) {
		if (strcmp(ci->keys[i], key) == 0)
			return ci->values[i];
	}
	return NULL;
}

void
conninfo_clear(struct conninfo *ci)
{
	size_t	 i;

	for (i = 0; i < ci->n; i++) {
		free(ci->keys[i]);
		xfreezero_str(ci->values[i]);
	}
	free(ci->keys);
	free(ci->values);
	ci->keys = ci->values = NULL;
	ci->n = 0;
}

static int
dburl_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode len bytes of s; with plus, '+' is a space as in the JDBC driver's
 * URLDecoder. Messages never quote s: it may hold a password.
 */
static char *
dburl_decode(const char *s, size_t len, bool plus, const char *what,
    char **errp)
{
	struct strbuf	 out = STRBUF_INIT;
	size_t		 i;
	int		 hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] == '+' && plus) {
			strbuf_addc(&out, ' ');
			continue;
		}
		if (s[i] != '%') {
			strbuf_addc(&out, s[i]);
			continue;
		}
		if (i + 2 >= len) {
			*errp = xasprintf("invalid percent-escape in the %s of "
			    "the JDBC URL", what);
			goto fail;
		}
		hi = dburl_hexval((unsigned char)s[i + 1]);
		lo = dburl_hexval((unsigned char)s[i + 2]);
		if (hi == -1 || lo == -1) {
			*errp = xasprintf("invalid percent-escape in the %s of "
			    "the JDBC URL", what);
			goto fail;
		}
		if (hi == 0 && lo == 0) {
			*errp = xasprintf("%%00 is not allowed in the %s of "
			    "the JDBC URL", what);
			goto fail;
		}
		strbuf_addc(&out, (char)(hi * 16 + lo));
		i += 2;
	}
	return strbuf_detach(&out);
fail:
	strbuf_free(&out);
	return NULL;
}

static bool
dburl_port_valid(const char *s)
{
	size_t	 i;
	long	 v = 0;

	if (s[0] == '\0' || strlen(s) > 5)
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 1 && v <= 65535;
}

/*
 * Return before, then the len bytes at piece (a host, port or parameter
 * value of the url) in double quotes, for a message to quote; or "" when
 * the piece may hold a secret (parameters typed where a host, port or value
 * belongs: "db:5432&password=x", "ssl=true?password=x", found by fuzzing),
 * is longer than a host name, or holds control characters. Caller frees.
 */
static char *
dburl_shown(const char *before, const char *piece, size_t len)
{
	size_t	 i;

	if (len > DBURL_SHOWMAX)
		return xstrdup("");
	for (i = 0; i < len; i++) {
		if (piece[i] == '=' || piece[i] == '&' || piece[i] == '@' ||
		    (unsigned char)piece[i] < 0x20 || piece[i] == 0x7f)
			return xstrdup("");
	}
	return xasprintf("%s\"%.*s\"", before, (int)len, piece);
}

/* Append one "host[:port]" of a JDBC URL to the libpq host and port lists. */
static int
dburl_jdbc_address(const char *addr, size_t len, struct strbuf *hosts,
    struct strbuf *ports, char **errp)
{
	const char	*end = addr + len, *rb, *colon = NULL, *hend;
	char		*host = NULL, *port = NULL, *q = NULL;
	int		 rc = -1;

	if (len > 0 && addr[0] == '[') {
		/* An IPv6 address: [::1] or [::1]:5432. */
		if ((rb = memchr(addr, ']', len)) == NULL) {
			q = dburl_shown(" ", addr, len);
			*errp = xasprintf("invalid IPv6 address%s in JDBC URL: "
			    "missing \"]\"", q);
			goto out;
		}
		if (rb + 1 < end && rb[1] != ':') {
			q = dburl_shown(" ", addr, len);
			*errp = xasprintf("invalid host%s in JDBC URL", q);
			goto out;
		}
		if (rb + 1 < end)
			colon = rb + 1;
		addr++;
		hend = rb;
	} else {
		for (hend = end; hend > addr && hend[-1] != ':'; hend--)
			;
		if (hend > addr) {
			colon = hend - 1;
			hend = colon;
		} else
			hend = end;
		if (memchr(addr, ':', (size_t)(hend - addr)) != NULL) {
			q = dburl_shown(" ", addr, len);
			*errp = xasprintf("invalid host%s in JDBC URL: IPv6 "
			    "addresses must be in brackets", q);
			goto out;
		}
	}
	if ((host = dburl_decode(addr, (size_t)(hend - addr), false, "host",
	    errp)) == NULL)
		goto out;
	if (strchr(host, ',') != NULL) {
		q = dburl_shown(" ", host, strlen(host));
		*errp = xasprintf("invalid host%s in JDBC URL: contains \",\"",
		    q);
		goto out;
	}
	if (colon != NULL) {
		port = xstrndup(colon + 1, (size_t)(end - colon - 1));
		if (!dburl_port_valid(port)) {
			q = dburl_shown(" ", port, strlen(port));
			*errp = xasprintf("invalid port%s in JDBC URL", q);
			goto out;
		}
	}
	strbuf_addf(hosts, "%s%s", hosts->len > 0 ? "," : "",
	    host[0] != '\0' ? host : DBURL_DEFAULT_HOST);
	strbuf_addf(ports, "%s%s", ports->len > 0 ? "," : "",
	    port != NULL ? port : DBURL_DEFAULT_PORT);
	rc = 0;
out:
	free(host);
	free(port);
	free(q);
	return rc;
}

/* Add name to the pseudo-key "ignored", a comma-separated list. */
static void
dburl_ignore(struct conninfo *ci, const char *name)
{
	const char	*was = conninfo_get(ci, "ignored");
	char		*list;

	list = was != NULL ? xasprintf("%s,%s", was, name) : xstrdup(name);
	conninfo_set(ci, "ignored", list);
	free(list);
}

/* Map one JDBC query parameter; *ssl tracks ssl=, sslmode= wins over it. */
static int
dburl_jdbc_param(const char *name, const char *value, struct conninfo *ci,
    int *ssl, bool *sslmode, char **errp)
{
	size_t	 i;
	char	*q;

	if (strcmp(name, "ssl") == 0) {
		/* The driver takes a bare "ssl" as true. */
		if (value[0] == '\0' || strcasecmp(value, "true") == 0)
			*ssl = 1;
		else if (strcasecmp(value, "false") == 0)
			*ssl = 0;
		else {
			q = dburl_shown("=", value, strlen(value));
			*errp = xasprintf("invalid JDBC parameter ssl%s: "
			    "expected true or false", q);
			free(q);
			return -1;
		}
		return 0;
	}
	if (strcmp(name, "targetServerType") == 0) {
		for (i = 0; i < sizeof dburl_server_types /
		    sizeof dburl_server_types[0]; i++) {
			if (strcmp(value, dburl_server_types[i].jdbc) == 0) {
				conninfo_set(ci, "target_session_attrs",
				    dburl_server_types[i].libpq);
				return 0;
			}
		}
		q = dburl_shown(" ", value, strlen(value));
		*errp = xasprintf("unsupported JDBC targetServerType%s", q);
		free(q);
		return -1;
	}
	for (i = 0; i < sizeof dburl_params / sizeof dburl_params[0]; i++) {
		if (strcmp(name, dburl_params[i].jdbc) == 0) {
			if (strcmp(name, "sslmode") == 0)
				*sslmode = true;
			conninfo_set(ci, dburl_params[i].libpq, value);
			return 0;
		}
	}
	if (strcmp(name, "tcpKeepAlive") == 0) {
		conninfo_set(ci, "keepalives", strcasecmp(value, "false") == 0 ?
		    "0" : "1");
		return 0;
	}
	/* The driver's own tuning (socketTimeout, prepareThreshold, ...):
	 * no libpq equivalent; the file must work unchanged. The names go
	 * in the pseudo-key "ignored" for a -v note. */
	dburl_ignore(ci, name);
	return 0;
}

static int
dburl_jdbc(const char *url, struct conninfo *ci, char **errp)
{
	struct strbuf	 hosts = STRBUF_INIT, ports = STRBUF_INIT;
	const char	*rest, *end, *slash, *a, *comma, *tok, *amp, *eq;
	char		*db = NULL, *name = NULL, *value = NULL;
	bool		 sslmode = false;
	int		 ssl = -1, rc = -1;

	rest = url + strlen(DBURL_JDBC);
	end = rest + strcspn(rest, "?");
	if (strncmp(rest, "//", 2) == 0) {
		/* jdbc:postgresql://host[:port][,host[:port]...][/db] */
		rest += 2;
		if ((slash = memchr(rest, '/', (size_t)(end - rest))) == NULL)
			slash = end;
		/*
		 * The JDBC form has no user:password@: refuse it before the
		 * host messages below, which quote the host and would show
		 * the password (found by fuzzing).
		 */
		if (memchr(rest, '@', (size_t)(slash - rest)) != NULL) {
			*errp = xstrdup("a JDBC URL takes no user or password "
			    "before \"@\": use ?user=...&password=... or the "
			    "user= and password= keys");
			goto out;
		}
		for (a = rest;; a = comma + 1) {
			if ((comma = memchr(a, ',', (size_t)(slash - a))) ==
			    NULL)
				comma = slash;
			if (dburl_jdbc_address(a, (size_t)(comma - a), &hosts,
			    &ports, errp) == -1)
				goto out;
			if (comma == slash)
				break;
		}
		rest = slash < end ? slash + 1 : end;
	} else {
		/* jdbc:postgresql:db or jdbc:postgresql:/ */
		if (rest < end && *rest == '/')
			rest++;
		strbuf_add(&hosts, DBURL_DEFAULT_HOST);
		strbuf_add(&ports, DBURL_DEFAULT_PORT);
	}
	if ((db = dburl_decode(rest, (size_t)(end - rest), true,
	    "database name", errp)) == NULL)
		goto out;
	/* libpq would expand such a dbname as a connection string. */
	if (strchr(db, '=') != NULL || strstr(db, "://") != NULL) {
		*errp = xstrdup("the database name in the JDBC URL must not "
		    "contain \"=\" or \"://\"");
		goto out;
	}
	conninfo_set(ci, "host", hosts.buf);
	conninfo_set(ci, "port", ports.buf);
	if (db[0] != '\0')
		conninfo_set(ci, "dbname", db);

	for (tok = *end == '?' ? end + 1 : end; *tok != '\0'; tok = amp) {
		amp = tok + strcspn(tok, "&");
		if (amp == tok) {
			amp++;
			continue;
		}
		if ((eq = memchr(tok, '=', (size_t)(amp - tok))) == NULL)
			eq = amp;
		name = xstrndup(tok, (size_t)(eq - tok));
		if (eq == amp)
			value = xstrdup("");
		else if ((value = dburl_decode(eq + 1,
		    (size_t)(amp - eq - 1), true, "parameters", errp)) == NULL)
			goto out;
		if (dburl_jdbc_param(name, value, ci, &ssl, &sslmode,
		    errp) == -1)
			goto out;
		free(name);
		xfreezero_str(value);
		name = value = NULL;
		if (*amp == '&')
			amp++;
	}
	if (ssl == 1 && !sslmode)
		conninfo_set(ci, "sslmode", "require");
	rc = 0;
out:
	strbuf_free(&hosts);
	strbuf_free(&ports);
	free(db);
	free(name);
	xfreezero_str(value);
	return rc;
}

int
dburl_parse(const char *url, struct conninfo *ci, char **errp)
{
	size_t	 n;

	*errp = NULL;
	if (url == NULL || url[0] == '\0') {
		*errp = xstrdup("empty url");
		return -1;
	}
	if (strncmp(url, DBURL_JDBC, strlen(DBURL_JDBC)) == 0)
		return dburl_jdbc(url, ci, errp);
	if (strncmp(url, "jdbc:", 5) == 0) {
		/*
		 * Name the subprotocol only: the rest may hold a password.
		 * Only a name's characters, at most 32: "jdbc:x?password=y"
		 * has no ':' or '/' after the name (found by fuzzing).
		 */
		n = strspn(url + 5, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789_-");
		n = 5 + (n > 32 ? 32 : n);
		if (url[n] == ':')
			n++;
		*errp = xasprintf("unsupported JDBC URL \"%.*s\" (only "
		    DBURL_JDBC " is supported)", (int)n, url);
		return -1;
	}
	/* The same tests libpq applies before expanding a dbname. */
	if (strncmp(url, "postgresql://", 13) == 0 ||
	    strncmp(url, "postgres://", 11) == 0 || strchr(url, '=') != NULL) {
		conninfo_set(ci, "dbname", url);
		return 0;
	}
	*errp = xstrdup("url is not a JDBC URL (jdbc:postgresql:...), a libpq "
	    "URI (postgresql://...) or a connection string (key=value ...)");
	return -1;
}
