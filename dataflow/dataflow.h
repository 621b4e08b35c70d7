/* dataflow.h: the operations command's subcommand table and shared helpers. */
#ifndef DF_DATAFLOW_H
#define DF_DATAFLOW_H

#include <stdbool.h>
#include <stddef.h>

struct db;
struct settings;

/* Options every subcommand accepts before its own. */
struct global_opts {
	const char	*config;	/* --config FILE */
	const char	*passkey_file;	/* --passkey-file FILE */
	bool		 json;		/* --json */
	int		 verbosity;
};

struct cmd_entry {
	const char	*name;
	const char	*usage;		/* arguments, after the name */
	const char	*summary;	/* one line for --help */
	/* Run the subcommand: argv[0] is its name. Return the exit status. */
	int		(*exec)(struct global_opts *g, int argc,
			    char **argv);
};

extern const struct cmd_entry cmd_init_entry;
extern const struct cmd_entry cmd_validate_entry;
extern const struct cmd_entry cmd_apply_entry;
extern const struct cmd_entry cmd_export_entry;
extern const struct cmd_entry cmd_ready_entry;
extern const struct cmd_entry cmd_rekey_entry;
extern const struct cmd_entry cmd_local_entry;
extern const struct cmd_entry cmd_import_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_runs_entry;
extern const struct cmd_entry cmd_show_entry;
extern const struct cmd_entry cmd_explain_entry;
extern const struct cmd_entry cmd_resubmit_entry;
extern const struct cmd_entry cmd_pause_entry;
extern const struct cmd_entry cmd_resume_entry;
extern const struct cmd_entry cmd_audit_entry;
extern const struct cmd_entry cmd_metrics_entry;
extern const struct cmd_entry cmd_workers_entry;
extern const struct cmd_entry cmd_graph_entry;

/* Print "usage: dataflow NAME USAGE" to stderr and return EXIT_USAGE. */
int		 cmd_usage(const struct cmd_entry *entry);
/*
 * Load the settings and connect, or print why and return NULL with
 * *status set to the exit status (78 configuration, 75 unreachable).
 */
struct db	*cmd_connect(const struct global_opts *g, struct settings **sp,
		    int *status);
/* Return who is acting, for the audit trail ("user@host"); caller frees. */
char		*cmd_actor(void);

/* Output helpers of the operations subcommands (output.c). */
struct db_error;
struct json_t;

/*
 * Print "could not WHAT: message" for a failed statement and return the
 * exit status: 78 for an unknown job or a schema that needs "dataflow
 * init", 75 for an unreachable database, 1 otherwise.
 */
int		 cmd_db_fail(const char *what, const struct db_error *e);
/* Print o on stdout as indented JSON and release it. */
void		 cmd_json_print(struct json_t *o);
/* Return a new JSON value from an SQL text value (NULL: JSON null). */
struct json_t	*cmd_json_str(const char *v);
struct json_t	*cmd_json_int(const char *v);
struct json_t	*cmd_json_real(const char *v);
struct json_t	*cmd_json_bool(const char *v);
/* ... from a json/jsonb text value (NULL or invalid: JSON null). */
struct json_t	*cmd_json_parse(const char *v);
/*
 * Parse the value of --limit (0 means no limit) into *limit; return 0, or
 * print why and return -1.
 */
int		 cmd_parse_limit(const char *arg, long *limit);
/*
 * Return a local "YYYY-MM-DD HH:MM:SS" from an epoch text value into buf,
 * or NULL for a NULL value.
 */
const char	*cmd_time(const char *epoch, char *buf, size_t len);
/* Return a duration ("5m03s") from a text number of seconds, or NULL. */
const char	*cmd_duration(const char *secs, char *buf, size_t len);
/* Print a rendered table on stdout and free it. */
struct table;
void		 cmd_table_print(struct table *t);

#endif
