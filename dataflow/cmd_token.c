/* cmd_token.c: "dataflow token add|list|revoke": the tokens of the HTTP
 * API (SPEC 9). A token is shown once; the database keeps its SHA-256. */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "actor.h"
#include "auth.h"
#include "dataflow.h"
#include "db.h"
#include "exitcodes.h"
#include "listing.h"
#include "settings.h"
#include "table.h"
#include "xmalloc.h"

static const char token_add_sql[] =
    "SELECT df_token_add($1, $2, $3::bytea, $4)";
static const char token_revoke_sql[] =
    "SELECT df_token_revoke($1, $2)";
#define TOKEN_ROWS \
    "SELECT t.name, t.role, to_json(t.created) #>> '{}' AS created, " \
    "floor(extract(epoch FROM t.created))::bigint AS created_epoch, " \
    "t.created_by, to_json(t.last_used) #>> '{}' AS last_used, " \
    "floor(extract(epoch FROM t.last_used))::bigint AS last_used_epoch, " \
    "to_json(t.revoked) #>> '{}' AS revoked, " \
    "floor(extract(epoch FROM t.revoked))::bigint AS revoked_epoch " \
    "FROM df_token_list() t"
static const char token_list_sql[] = TOKEN_ROWS;
static const char token_list_json_sql[] =
    "SELECT json_build_object('tokens', coalesce(json_agg("
    "json_build_object('name', t.name, 'role', t.role, 'created', "
    "t.created, 'created_by', t.created_by, 'last_used', t.last_used, "
    "'revoked', t.revoked)), '[]'))::text FROM (" TOKEN_ROWS ") t";

/* Whether name may name a token (as api_token's CHECK says). */
static bool
token_name_valid(const char *name)
{
	size_t	 i, n = strlen(name);

	if (n == 0 || n > 63 || name[0] == '.' || name[0] == '-' ||
	    name[0] == '_')
		return false;
	for (i = 0; i < n; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789._-", name[i]) == NULL)
			return false;
	return true;
}

static int
token_add(struct db *db, const char *name, const char *role)
{
	struct db_error	 e = { 0 };
	unsigned char	 hash[AUTH_HASHLEN];
	char		 text[2 * AUTH_HASHLEN + 3];
	char		*token = NULL, *who, *errmsg = NULL;
	const char	*p[4] = { name, role, text, NULL };
	int		 status = EXIT_OK;

	if (auth_token_new(&token, hash, &errmsg) == -1) {
		warnx("%s", errmsg);
		free(errmsg);
		return EXIT_SOFTWARE;
	}
	auth_hash_text(hash, text);
	p[3] = who = actor_name();
	if (db_exec(db, token_add_sql, 4, p, &e) < 0) {
		if (strcmp(e.sqlstate, "23505") == 0) {
			warnx("there is already a token \"%s\" (\"dataflow "
			    "token revoke\" it, or choose another name)", name);
			status = EXIT_FAIL;
		} else
			status = cmd_db_fail("add the token", &e);
	} else {
		/* Shown once, alone on its line: nothing else can show it. */
		printf("%s\n", token);
		fflush(stdout);
	}
	xfreezero_str(token);
	free(who);
	db_error_clear(&e);
	return status;
}

static int
token_revoke(struct db *db, const char *name, const struct global_opts *g)
{
	struct db_error		 e = { 0 };
	struct db_result	*r;
	char			*who;
	const char		*p[2] = { name, NULL };
	int			 status = EXIT_OK;

	p[1] = who = actor_name();
	if ((r = db_query(db, token_revoke_sql, 2, p, &e)) == NULL) {
		if (strcmp(e.sqlstate, "DF001") == 0) {
			warnx("%s", e.message);
			status = EXIT_FAIL;
		} else
			status = cmd_db_fail("revoke the token", &e);
	} else if (g->verbosity > 0)
		printf("token \"%s\" %s\n", name, strcmp(db_value(r, 0, 0),
		    "t") == 0 ? "revoked" : "was already revoked");
	db_result_free(r);
	free(who);
	db_error_clear(&e);
	return status;
}

static void
token_table(const struct db_result *r)
{
	static const char *const headers[] = {
		"NAME", "ROLE", "CREATED", "BY", "LAST USED", "REVOKED"
	};
	struct table	*t;
	char		 buf[32];
	int		 i;

	t = table_new(sizeof(headers) / sizeof(headers[0]), headers);
	for (i = 0; i < db_rows(r); i++) {
		table_add(t, db_col(r, i, "name"));
		table_add(t, db_col(r, i, "role"));
		table_add(t, cmd_time(db_col(r, i, "created_epoch"), buf,
		    sizeof(buf)));
		table_add(t, db_col(r, i, "created_by"));
		table_add(t, cmd_time(db_col(r, i, "last_used_epoch"), buf,
		    sizeof(buf)));
		table_add(t, cmd_time(db_col(r, i, "revoked_epoch"), buf,
		    sizeof(buf)));
	}
	cmd_table_print(t);
}

static int
token_list(struct db *db, const struct global_opts *g)
{
	struct db_error		 e = { 0 };
	struct db_result	*r;
	int			 status = EXIT_OK;

	if ((r = db_query(db, g->json ? token_list_json_sql : token_list_sql,
	    0, NULL, &e)) == NULL)
		status = cmd_db_fail("list the tokens", &e);
	else if (g->json)
		cmd_json_print(listing_json_value(db_value(r, 0, 0)));
	else
		cmd_print_rows(r, token_table, "no tokens");
	db_result_free(r);
	db_error_clear(&e);
	return status;
}

/* Parse "add NAME --role ROLE" into *name and *role. Return 0 or -1. */
static int
token_add_args(int argc, char **argv, const char **name, const char **role)
{
	static const struct option longopts[] = {
		{ "role",	required_argument,	NULL, 'r' },
		{ NULL,		0,			NULL, 0 }
	};
	int	 ch;

	*role = NULL;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch != 'r')
			return -1;
		*role = optarg;
	}
	if (optind != argc - 1 || *role == NULL)
		return -1;
	*name = argv[optind];
	return 0;
}

static int
cmd_token_exec(struct global_opts *g, int argc, char **argv)
{
	struct settings	*s = NULL;
	struct db	*db;
	const char	*name = NULL, *role = NULL, *what;
	int		 status;

	if (argc < 2)
		return cmd_usage(&cmd_token_entry);
	what = argv[1];
	if (strcmp(what, "add") == 0) {
		if (token_add_args(argc - 1, argv + 1, &name, &role) == -1)
			return cmd_usage(&cmd_token_entry);
		if (strcmp(role, "viewer") != 0 &&
		    strcmp(role, "operator") != 0) {
			warnx("--role %s: a token is a viewer or an operator",
			    role);
			return EXIT_USAGE;
		}
	} else if (strcmp(what, "revoke") == 0 && argc == 3)
		name = argv[2];
	else if (strcmp(what, "list") != 0 || argc != 2)
		return cmd_usage(&cmd_token_entry);
	if (name != NULL && !token_name_valid(name)) {
		warnx("\"%s\" is not a token name: letters, digits, '.', '_' "
		    "and '-', starting with a letter or digit, at most 63",
		    name);
		return EXIT_USAGE;
	}
	if ((db = cmd_connect(g, &s, &status)) == NULL)
		return status;
	if (role != NULL)
		status = token_add(db, name, role);
	else if (name != NULL)
		status = token_revoke(db, name, g);
	else
		status = token_list(db, g);
	db_close(db);
	settings_free(s);
	return status;
}

const struct cmd_entry cmd_token_entry = {
	"token", "add NAME --role viewer|operator | list | revoke NAME",
	"the HTTP API's tokens: add (shown once), list, revoke",
	cmd_token_exec
};
