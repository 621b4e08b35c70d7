/* dataflow.h: the operations command's subcommand table and shared helpers. */
#ifndef DF_DATAFLOW_H
#define DF_DATAFLOW_H

#include <stdbool.h>
#include <stddef.h>

#include "report.h"

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
extern const struct cmd_entry cmd_complete_entry;
extern const struct cmd_entry cmd_trigger_entry;
extern const struct cmd_entry cmd_serve_entry;
extern const struct cmd_entry cmd_token_entry;
extern const struct cmd_entry cmd_purge_entry;

/*
 * "dataflow workers" per worker, or with id "workers show ID" (one in
 * full); cmd_worker_list.c. Return the exit status.
 */
int		 cmd_worker_list(struct global_opts *g, const char *id);

/* Say the warnings of opening the database (a properties file others can
 * read): the report function of open_opts. */
void		 cmd_open_report(void *arg, enum report_level level,
		    const char *msg);
/* Print "usage: dataflow NAME USAGE" to stderr and return EXIT_USAGE. */
int		 cmd_usage(const struct cmd_entry *entry);
/*
 * Load the settings and connect, or print why and return NULL with
 * *status set to the exit status (78 configuration, 75 unreachable).
 */
struct db	*cmd_connect(const struct global_opts *g, struct settings **sp,
		    int *status);
/*
 * Say on stderr, in one line, when the database's schema version is not
 * the one this dataflow knows (a mixed fleet during an upgrade); silent
 * when it cannot tell (the statement that follows says why).
 */
void		 cmd_schema_warn(struct db *db);
/*
 * Return the env_allow= names of the properties file dataflow would use
 * (see settings_env_allow), NULL-terminated, or NULL when there is no such
 * file or key; one that cannot be read is said and allows nothing. Free
 * with xfree_strv.
 */
char		**cmd_env_allow(const struct global_opts *g);

/* Output helpers of the operations subcommands (output.c). */
struct db_error;
struct json_t;

/*
 * Print "could not WHAT: message" for a failed statement and return the
 * exit status: 78 for an unknown job, a missing privilege (the role in the
 * properties) or a schema that needs "dataflow init", 75 for an
 * unreachable database, 1 otherwise.
 */
int		 cmd_db_fail(const char *what, const struct db_error *e);
/* Print o on stdout as the listings' documents are (listing_json_text)
 * and release it. */
void		 cmd_json_print(struct json_t *o);
/* Return a new JSON value from an SQL text value (NULL: JSON null). */
struct json_t	*cmd_json_str(const char *v);
struct json_t	*cmd_json_int(const char *v);
/* ... from a json/jsonb text value (NULL or invalid: JSON null). */
struct json_t	*cmd_json_parse(const char *v);
/*
 * Parse the value of --limit (0 means no limit) into *limit; return 0, or
 * print why and return -1.
 */
int		 cmd_parse_limit(const char *arg, long *limit);
/*
 * Return a local "YYYY-MM-DD HH:MM:SS +HHMM" from an epoch text value into buf,
 * or NULL for a NULL value.
 */
const char	*cmd_time(const char *epoch, char *buf, size_t len);
/* Return a duration ("5m03s") from a text number of seconds, or NULL. */
const char	*cmd_duration(const char *secs, char *buf, size_t len);
/* Return an age, "5m03s ago" or "just now" (none yet, or negative), from
 * a text number of seconds into buf, or NULL. */
const char	*cmd_ago(const char *secs, char *buf, size_t len);
/* Print a rendered table on stdout and free it. */
struct table;
void		 cmd_table_print(struct table *t);
/* Print "name  value" (a line of a "show"), safe for a terminal; nothing
 * when value is NULL. */
void		 cmd_show_line(const char *name, const char *value);
/* The same for an ISO 8601 time, shown as cmd_time shows times. */
void		 cmd_show_time(const char *name, const char *iso);
struct db_result;
/* Print the "host" line of a show: host, pid and user of r's first row. */
void		 cmd_show_host(const struct db_result *r);
/*
 * Print the rows of a listing: a line saying there is nothing (empty)
 * when r has no rows, else table(r).
 */
struct db_result;
void		 cmd_print_rows(const struct db_result *r,
		    void (*table)(const struct db_result *), const char *empty);
/*
 * Print a listing's JSON document (lib/listing.h), which rc (0 or -1)
 * says was made, and free it; return EXIT_OK, or after rc -1 print "could
 * not WHAT: ..." and return the exit status of cmd_db_fail, and clear e.
 */
int		 cmd_print_json(const char *what, int rc, char *json,
		    struct db_error *e);

/*
 * The partitions that ready and resubmit are given: DATAID arguments and a
 * range, --from A --to B with --daily or --step N. CMD_RANGE_OPTIONS goes
 * in a command's getopt_long table; cmd_range_option takes what it
 * returns.
 */
enum {
	CMD_OPT_FROM = 0x1000, CMD_OPT_TO, CMD_OPT_DAILY, CMD_OPT_STEP
};
#define CMD_RANGE_OPTIONS \
	{ "from",	required_argument,	NULL, CMD_OPT_FROM }, \
	{ "to",		required_argument,	NULL, CMD_OPT_TO }, \
	{ "daily",	no_argument,		NULL, CMD_OPT_DAILY }, \
	{ "step",	required_argument,	NULL, CMD_OPT_STEP }

struct cmd_partitions {
	const char	*from, *to;
	bool		 daily;
	long		 step;
	char		**ids;		/* the arguments, then the range */
	size_t		 n;
	char		**range;	/* what ids points into */
};

/*
 * Take getopt_long's ch if it is a range option: return 1 when taken, 0
 * when ch is not one, -1 after printing why its value is wrong.
 */
int		 cmd_range_option(struct cmd_partitions *cp, int ch,
		    const char *arg);
/* Whether any range option was given (a range, or half of one). */
bool		 cmd_range_given(const struct cmd_partitions *cp);
/*
 * Check the range options and the DATAID arguments args[0..nargs-1] and
 * set cp->ids and cp->n to all of them; return 0, or print why and return
 * -1 (a usage error). Release with cmd_partitions_free.
 */
int		 cmd_partitions(struct cmd_partitions *cp, char **args,
		    size_t nargs);
void		 cmd_partitions_free(struct cmd_partitions *cp);

/*
 * Add the --match TAG=VALUE arg to (*tags)[0..*ntags-1] (grown; free with
 * config_kv_free); return 0, or print why and return -1 (a usage error).
 */
struct cfg_kv;
int		 cmd_tag_add(struct cfg_kv **tags, size_t *ntags,
		    const char *arg);

#endif
