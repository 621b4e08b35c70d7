/* test_serve.c: unit tests for the server's pure parts: the route matcher
 * (serve/route.c) and its Allow list, the Host allowlist (serve/http.c), who may call what
 * (serve/auth.c) and the status of a failed statement (serve/resp.c); the
 * cases live in data/serve.tsv. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth.h"
#include "db.h"
#include "http.h"
#include "route.h"
#include "serve.h"
#include "strbuf.h"
#include "tsv.h"

/* A table of patterns for the matcher, without handlers. */
static const struct serve_route table[] = {
	{ "GET", "/healthz", SERVE_ROLE_NONE, false, NULL },
	{ "GET", "/api/v1/jobs/{job}", SERVE_ROLE_VIEWER, false, NULL },
	{ "GET", "/api/v1/jobs/{job}/partitions", SERVE_ROLE_VIEWER, false,
	    NULL },
	{ "POST", "/api/v1/jobs/{job}/pause", SERVE_ROLE_OPERATOR, true,
	    NULL },
	{ "GET", "/api/v1/runs/{id}", SERVE_ROLE_VIEWER, false, NULL },
	{ "POST", "/api/v1/session", SERVE_ROLE_NONE, false, NULL },
	{ "GET", "/api/v1/session", SERVE_ROLE_SESSION, false, NULL },
	{ "DELETE", "/api/v1/session", SERVE_ROLE_SESSION, false, NULL },
	{ "POST", "/api/v1/session", SERVE_ROLE_NONE, false, NULL },
	{ NULL, NULL, SERVE_ROLE_NONE, false, NULL }
};

/* match METHOD PATH "STATUS[ ARG...]": the status and the arguments. */
static void
test_match(const struct tcase *c)
{
	struct strbuf	 sb = STRBUF_INIT;
	char		*args[SERVE_MAXARG], *got;
	size_t		 n, i;
	int		 status;

	route_match(table, c->f[1], c->f[2], args, &n, &status);
	strbuf_addf(&sb, "%d", status);
	for (i = 0; i < n; i++) {
		strbuf_addf(&sb, " %s", args[i]);
		free(args[i]);
	}
	got = strbuf_detach(&sb);
	assert_string_equal(got, c->f[3]);
	free(got);
}

/* host VALUE yes|no: served by a server on 192.0.2.1 with --host
 * api.example. */
static void
test_host(const struct tcase *c)
{
	static char		 name[] = "api.example";
	static char *const	 hosts[] = { name };
	struct http_conf	 conf;

	memset(&conf, 0, sizeof(conf));
	conf.addr = "192.0.2.1";
	conf.hosts = hosts;
	conf.nhosts = 1;
	assert_int_equal(http_host_allowed(&conf, c->f[1]),
	    strcmp(c->f[2], "yes") == 0);
}

static enum serve_role
role_of(const char *s)
{
	if (strcmp(s, "session") == 0)
		return SERVE_ROLE_SESSION;
	return strcmp(s, "none") == 0 ? SERVE_ROLE_NONE : auth_role_parse(s);
}

/*
 * decide ROUTE-ROLE MUTATES CALLER-ROLE HOW READ-ONLY CSRF STATUS: HOW is
 * token, session (its CSRF token "good") or anonymous; CSRF the request's
 * X-CSRF-Token, "-" for none.
 */
static void
test_decide(const struct tcase *c)
{
	struct serve_route	 r = { "POST", "/x", SERVE_ROLE_NONE, false,
	    NULL };
	struct auth_caller	 caller;
	static char		 name[] = "t", good[] = "good";
	const char		*why = NULL;

	r.role = role_of(c->f[1]);
	r.mutates = strcmp(c->f[2], "yes") == 0;
	memset(&caller, 0, sizeof(caller));
	if (strcmp(c->f[4], "anonymous") != 0) {
		caller.name = name;
		caller.role = role_of(c->f[3]);
		caller.session = strcmp(c->f[4], "session") == 0;
		caller.csrf = caller.session ? good : NULL;
	}
	assert_int_equal(auth_decide(&r, &caller, strcmp(c->f[5], "yes") == 0,
	    strcmp(c->f[6], "-") == 0 ? NULL : c->f[6], &why),
	    atoi(c->f[7]));
}

/* dbstatus KIND SQLSTATE STATUS */
static void
test_dbstatus(const struct tcase *c)
{
	struct db_error	 e = { 0 };

	e.kind = strcmp(c->f[1], "connect") == 0 ? DB_ERR_CONNECT :
	    strcmp(c->f[1], "lost") == 0 ? DB_ERR_LOST : DB_ERR_QUERY;
	strlcpy(e.sqlstate, strcmp(c->f[2], "-") == 0 ? "" : c->f[2],
	    sizeof(e.sqlstate));
	assert_int_equal(serve_db_status(&e), atoi(c->f[3]));
}

static void
test_table(void **state)
{
	const struct tcase	*c = *state;

	if (strcmp(c->f[0], "match") == 0 && c->nf >= 4)
		test_match(c);
	else if (strcmp(c->f[0], "host") == 0)
		test_host(c);
	else if (strcmp(c->f[0], "decide") == 0 && c->nf >= 8)
		test_decide(c);
	else if (strcmp(c->f[0], "dbstatus") == 0 && c->nf >= 4)
		test_dbstatus(c);
	else if (strcmp(c->f[0], "allow") == 0 && c->nf >= 4) {
		char	 buf[64];

		assert_string_equal(route_allow(table, c->f[1], buf,
		    (size_t)atoi(c->f[2])), c->f[3]);
	} else if (strcmp(c->f[0], "utf8") == 0)
		assert_int_equal(route_utf8_valid(c->f[1], strlen(c->f[1])),
		    strcmp(c->f[2], "yes") == 0);
	else
		fail_msg("unknown case \"%s\"", c->f[0]);
}

static void
test_token(void **state)
{
	unsigned char	 hash[AUTH_HASHLEN], again[AUTH_HASHLEN];
	char		*token, *other, *errmsg = NULL;

	(void)state;
	assert_int_equal(auth_token_new(&token, hash, &errmsg), 0);
	assert_int_equal(strlen(token), strlen(AUTH_TOKEN_PREFIX) +
	    2 * AUTH_HASHLEN);
	assert_int_equal(strncmp(token, AUTH_TOKEN_PREFIX,
	    strlen(AUTH_TOKEN_PREFIX)), 0);
	assert_int_equal(auth_hash(token, again), 0);
	assert_memory_equal(hash, again, AUTH_HASHLEN);
	assert_int_equal(auth_token_new(&other, again, &errmsg), 0);
	assert_string_not_equal(token, other);
	free(token);
	free(other);
}

static void
test_hash_text(void **state)
{
	unsigned char	 hash[AUTH_HASHLEN];
	char		 text[2 * AUTH_HASHLEN + 3];

	(void)state;
	assert_int_equal(auth_hash("abc", hash), 0);
	auth_hash_text(hash, text);
	/* SHA-256("abc"), FIPS 180-2 */
	assert_string_equal(text, "\\xba7816bf8f01cfea414140de5dae2223b00361a3"
	    "96177a9cb410ff61f20015ad");
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_token),
		cmocka_unit_test(test_hash_text),
	};

	return tsv_run_group("serve", fixed, sizeof fixed / sizeof fixed[0],
	    TEST_DATADIR "/serve.tsv", 3, test_table);
}
