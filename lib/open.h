/* open.h: from dataflow.properties to a connection to dataflow's database,
 * the one way every program opens it. */
#ifndef DF_OPEN_H
#define DF_OPEN_H

#include "report.h"

struct db;
struct secrets;
struct settings;

/* What is done with the passkey while opening. */
enum open_passkey {
	OPEN_PASSKEY_NEEDED,	/* read only when the database password is
				   encrypted (prompting on a terminal), then
				   forgotten (dataflow) */
	OPEN_PASSKEY_KEEP,	/* always looked for (prompting only when the
				   database password is encrypted) and kept
				   in the caller's secrets for the datasets'
				   passwords (runjob) */
	OPEN_PASSKEY_NEVER	/* never read: an encrypted database
				   password cannot be opened (a server, which
				   must not hold the passkey) */
};

struct open_opts {
	const char	*config;	/* --config FILE, or NULL: searched */
	const char	*passkey_file;	/* --passkey-file FILE, or NULL */
	enum open_passkey passkey;
	const char	*appname;	/* fallback_application_name */
	int		 db_flags;	/* DB_* flags of db_connect */
	struct report	 report;	/* REPORT_WARN: a properties file
					   others can read; REPORT_DEBUG: the
					   file used, its unknown keys */
};

/*
 * Find and load the properties file (properties_find, properties_load),
 * warn when others can read its secrets, and resolve the settings. Return
 * 0 (EXIT_OK) with *sp (caller frees with settings_free), or EXIT_CONFIG
 * with *errp (caller frees).
 */
int	open_settings(const struct open_opts *o, struct settings **sp,
	    char **errp);
/*
 * Obtain the database password the settings give (decrypting it with the
 * passkey as o->passkey says; with OPEN_PASSKEY_KEEP the passkey's keyring
 * is left in *sec, to be closed with secrets_close; sec is unused
 * otherwise and may be NULL) and connect. Return 0 (EXIT_OK) with *dbp
 * (caller closes with db_close), or the exit status with *errp (caller
 * frees): EXIT_CONFIG for a passkey or password that cannot be had, else
 * db_error_exit's for the connection ("could not connect to the dataflow
 * database: ..."). On failure *sec holds nothing.
 */
int	open_connect(const struct open_opts *o, const struct settings *s,
	    struct secrets *sec, struct db **dbp, char **errp);
/*
 * Connect again, with the keyring an earlier open_connect left in *sec
 * (OPEN_PASSKEY_KEEP): a forked process must not share its parent's
 * connection, and must not ask for the passkey again. Return as
 * open_connect; *sec is kept either way.
 */
int	open_again(const struct open_opts *o, const struct settings *s,
	    struct secrets *sec, struct db **dbp, char **errp);
/* open_settings then open_connect; on failure *sp and *dbp are NULL. */
int	open_database(const struct open_opts *o, struct secrets *sec,
	    struct settings **sp, struct db **dbp, char **errp);

#endif
