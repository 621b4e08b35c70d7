/* dataflow.h: the operations command's subcommand table and shared helpers. */
#ifndef DF_DATAFLOW_H
#define DF_DATAFLOW_H

#include <stdbool.h>

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

#endif
