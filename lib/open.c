/* open.c: find the properties, resolve the settings, get the database
 * password and connect, with the same messages for every program. */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "exitcodes.h"
#include "local.h"
#include "open.h"
#include "properties.h"
#include "secrets.h"
#include "settings.h"
#include "xmalloc.h"

int
open_settings(const struct open_opts *o, struct settings **sp, char **errp)
{
	struct properties	*props;
	struct settings		*s;
	char			*path, *warning;
	size_t			 i;

	*sp = NULL;
	*errp = NULL;
	if ((path = properties_find(o->config, errp)) == NULL)
		return EXIT_CONFIG;
	props = properties_load(path, errp);
	free(path);
	if (props == NULL)
		return EXIT_CONFIG;
	/* A file others can read the password in: say so. */
	if ((warning = properties_check_mode(props)) != NULL) {
		report(&o->report, REPORT_WARN, "%s", warning);
		free(warning);
	}
	s = settings_from_properties(props, errp);
	properties_free(props);
	if (s == NULL)
		return EXIT_CONFIG;
	report(&o->report, REPORT_DEBUG, "using %s", s->path);
	for (i = 0; i < s->nunknown; i++)
		report(&o->report, REPORT_DEBUG, "%s: ignoring unknown key "
		    "\"%s\"", s->path, s->unknown[i]);
	if (s->ignored != NULL)
		report(&o->report, REPORT_DEBUG, "%s: url: ignoring JDBC "
		    "parameters without a libpq equivalent: %s", s->path,
		    s->ignored);
	*sp = s;
	return EXIT_OK;
}

/* The database password into *password as o->passkey says; 0 or -1. */
static int
open_password(const struct open_opts *o, const struct settings *s,
    struct secrets *sec, char **password, char **errp)
{
	struct secrets	 mine;
	int		 rc;

	if (o->passkey == OPEN_PASSKEY_KEEP) {
		if (secrets_open(sec, o->passkey_file, secrets_keyfile_path(s),
		    s->encrypted != NULL, errp) == -1)
			return -1;
		sec->report = o->report;
		if ((rc = secrets_db_password(sec, s, password, errp)) == -1)
			secrets_close(sec);
		return rc;
	}
	memset(&mine, 0, sizeof(mine));
	/* Without a passkey an encrypted password says what is missing. */
	if (o->passkey == OPEN_PASSKEY_NEEDED && s->encrypted != NULL &&
	    secrets_open(&mine, o->passkey_file, secrets_keyfile_path(s),
	    true, errp) == -1)
		return -1;
	mine.report = o->report;
	rc = secrets_db_password(&mine, s, password, errp);
	secrets_close(&mine);
	return rc;
}

/*
 * Why the connection failed, naming the server the settings point at, and
 * for an unreachable one what to do: start it ("dataflow local start" for
 * a cluster of "dataflow local"). Caller frees.
 */
static char *
open_connect_message(const struct settings *s, const struct db_error *e)
{
	char	*host, *port, *dbname, *where, *dir, *msg;

	host = db_setting(s, "host");
	port = db_setting(s, "port");
	dbname = db_setting(s, "dbname");
	where = xasprintf("database \"%s\" on %s \"%s\"%s%s",
	    dbname != NULL ? dbname : "dataflow", host != NULL &&
	    host[0] == '/' ? "socket directory" : "host", host != NULL ?
	    host : "localhost", port != NULL ? " port " : "",
	    port != NULL ? port : "");
	if (e->kind != DB_ERR_CONNECT || strcmp(e->sqlstate, "53300") == 0)
		msg = xasprintf("could not connect to the dataflow %s: %s",
		    where, e->message);
	else if ((dir = local_dir_of_host(host)) != NULL) {
		msg = xasprintf("could not connect to the dataflow %s: %s "
		    "(the local cluster is not running? start it with: "
		    "dataflow local start --dir %s)", where, e->message, dir);
		free(dir);
	} else
		msg = xasprintf("could not connect to the dataflow %s: %s "
		    "(is the server running there? url= in %s says where)",
		    where, e->message, s->path);
	free(where);
	free(host);
	free(port);
	free(dbname);
	return msg;
}

/* Connect with password, then wipe it; return as open_connect. */
static int
open_with(const struct open_opts *o, const struct settings *s,
    char *password, struct db **dbp, char **errp)
{
	struct db_error	 e = { 0 };
	int		 status;

	*dbp = db_connect(s, password, o->appname, o->db_flags, &e);
	xfreezero_str(password);
	if (*dbp != NULL)
		return EXIT_OK;
	*errp = open_connect_message(s, &e);
	status = db_error_exit(&e);
	db_error_clear(&e);
	return status;
}

int
open_connect(const struct open_opts *o, const struct settings *s,
    struct secrets *sec, struct db **dbp, char **errp)
{
	char	*password = NULL;
	int	 status;

	*dbp = NULL;
	*errp = NULL;
	if (open_password(o, s, sec, &password, errp) == -1)
		return EXIT_CONFIG;
	status = open_with(o, s, password, dbp, errp);
	if (status != EXIT_OK && o->passkey == OPEN_PASSKEY_KEEP)
		secrets_close(sec);
	return status;
}

int
open_again(const struct open_opts *o, const struct settings *s,
    struct secrets *sec, struct db **dbp, char **errp)
{
	char	*password = NULL;

	*dbp = NULL;
	*errp = NULL;
	if (secrets_db_password(sec, s, &password, errp) == -1)
		return EXIT_CONFIG;
	return open_with(o, s, password, dbp, errp);
}

int
open_database(const struct open_opts *o, struct secrets *sec,
    struct settings **sp, struct db **dbp, char **errp)
{
	int	 status;

	*dbp = NULL;
	if ((status = open_settings(o, sp, errp)) != EXIT_OK)
		return status;
	if ((status = open_connect(o, *sp, sec, dbp, errp)) != EXIT_OK) {
		settings_free(*sp);
		*sp = NULL;
	}
	return status;
}
