/*
 * fuzz_dburl.c: fuzz target for the url= of dataflow.properties
 * (lib/dburl.c): JDBC URLs, libpq URIs and connection strings.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dburl.h"
#include "fuzz.h"

#define JDBC	"jdbc:postgresql:"

/* The text of dburl's messages, which a "secret" may happen to be part of. */
static const char messages[] =
    "empty url; unsupported JDBC URL \"jdbc:\" (only jdbc:postgresql: is "
    "supported); url is not a JDBC URL (jdbc:postgresql:...), a libpq URI "
    "(postgresql://...) or a connection string (key=value ...); a JDBC URL "
    "takes no user or password before \"@\": use ?user=...&password=... "
    "or the user= and password= keys; invalid percent-escape in the host "
    "database name parameters of the JDBC URL; %00 is not allowed; "
    "invalid IPv6 address in JDBC URL: missing \"]\"; invalid host in "
    "JDBC URL: IPv6 addresses must be in brackets; contains \",\"; invalid "
    "port; invalid JDBC parameter ssl: expected true or false; unsupported "
    "JDBC targetServerType; unsupported JDBC parameter; the database name in "
    "the JDBC URL must not contain \"=\" or \"://\"";

/* Check that the secret (if it may be one) is not in err. */
static void
check_secret(const char *url, const char *secret, const char *err)
{
	if (strlen(secret) < 6 || fuzz_count(url, secret) != 1 ||
	    strstr(messages, secret) != NULL)
		return;
	FUZZ_CHECK(strstr(err, secret) == NULL);
}

static size_t
count_char(const char *s, char c)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		n += *s == c;
	return n;
}

/*
 * Messages never quote the url, which may hold a password: check that a
 * password= value, or what precedes an '@' in the hosts (a user:password
 * that the JDBC form does not allow), is not in err. Only strings of 6
 * bytes or more that occur once in the url and are not words of the
 * messages count: others may be in the message for another reason.
 */
static void
check_no_secret(const char *url, const char *err)
{
	const char	*p, *end, *at;
	char		*secret;

	if ((p = strstr(url, "password=")) != NULL) {
		p += strlen("password=");
		end = p + strcspn(p, "&");
		secret = strndup(p, (size_t)(end - p));
		check_secret(url, secret, err);
		free(secret);
	}
	if (strncmp(url, JDBC "//", strlen(JDBC "//")) != 0)
		return;
	p = url + strlen(JDBC "//");
	end = p + strcspn(p, "/?");
	if ((at = memchr(p, '@', (size_t)(end - p))) == NULL)
		return;
	secret = strndup(p, (size_t)(at - p));
	check_secret(url, secret, err);
	free(secret);
}

static void
check_jdbc(const struct conninfo *ci)
{
	const char	*host, *port, *db;

	/* host and port always set, one port per host. */
	host = conninfo_get(ci, "host");
	port = conninfo_get(ci, "port");
	FUZZ_CHECK(host != NULL && port != NULL);
	FUZZ_CHECK(count_char(host, ',') == count_char(port, ','));
	FUZZ_CHECK(strspn(port, "0123456789,") == strlen(port));
	/* libpq would expand such a dbname as a connection string. */
	if ((db = conninfo_get(ci, "dbname")) != NULL)
		FUZZ_CHECK(strchr(db, '=') == NULL &&
		    strstr(db, "://") == NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conninfo	 ci = { NULL, NULL, 0 };
	char		*url, *err = NULL;
	size_t		 i;

	if ((url = fuzz_cstr(data, size)) == NULL)
		return 0;
	if (dburl_parse(url, &ci, &err) == -1) {
		FUZZ_CHECK(err != NULL && err[0] != '\0');
		check_no_secret(url, err);
		free(err);
	} else {
		FUZZ_CHECK(err == NULL);
		FUZZ_CHECK(ci.n > 0);
		FUZZ_CHECK(ci.keys[ci.n] == NULL && ci.values[ci.n] == NULL);
		for (i = 0; i < ci.n; i++)
			FUZZ_CHECK(conninfo_get(&ci, ci.keys[i]) ==
			    ci.values[i]);
		if (strncmp(url, JDBC, strlen(JDBC)) == 0)
			check_jdbc(&ci);
		else
			FUZZ_CHECK(ci.n == 1 &&
			    strcmp(ci.values[0], url) == 0);
	}
	/* Removing every key leaves it empty. */
	while (ci.n > 0) {
		char *key = strdup(ci.keys[0]);

		conninfo_set(&ci, key, NULL);
		FUZZ_CHECK(conninfo_get(&ci, key) == NULL);
		free(key);
	}
	conninfo_clear(&ci);
	free(url);
	return 0;
}
