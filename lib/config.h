/* config.h: the declarative configuration (JSON): datasets and jobs; the
 * model and its decoder (config.c, config_model.c), with the checks and the
 * encoder included for whoever needs the whole module. */
#ifndef DF_CONFIG_H
#define DF_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "config_check.h"
#include "config_encode.h"
#include "diag.h"

struct json_t;

#define CONFIG_MAXVALUE		4096	/* longest attribute/param value, bytes */
#define CONFIG_MAXDEPTH		16	/* deepest JSON nesting accepted */
#define CONFIG_MAXTAGS		64	/* most tags on one job */
#define CONFIG_TODAY		"today"	/* the pseudo-dataset: dataid = date */
#define CONFIG_TRIGGER		"trigger" /* the pseudo-dataset whose partitions
					   callers make (dataflow trigger) */

struct cfg_kv {
	char	*key;
	char	*value;
};

/* Standard dataset attributes, in OpenDataFlow's order. */
#define CFG_NATTRS	6
extern const char *const cfg_attr_names[CFG_NATTRS];
/* hostname, database, schemaname, tablename, username, encryptedpass */
/* The index in cfg_attr_names (and attrs) of the dataset's password, as
 * cryptor encrypted it. */
#define CFG_ATTR_ENCRYPTEDPASS	5

struct cfg_dataset {
	char		*id;
	char		*attrs[CFG_NATTRS];	/* NULL when absent */
	struct cfg_kv	*extra;			/* sorted by key */
	size_t		 nextra;
};

enum cfg_order {
	ORDER_OLDEST_FIRST,
	ORDER_NEWEST_FIRST,
	ORDER_LATEST_ONLY
};

#define CFG_DEFAULT_MAX_ATTEMPTS	3
#define CONFIG_MAXARGV			32	/* notify: command + arguments */

struct cfg_job {
	char		*id;
	char		**inputs;	/* dataset ids, sorted, no duplicates */
	size_t		 ninputs;
	char		**outputs;	/* likewise */
	size_t		 noutputs;
	struct cfg_kv	*params;	/* sorted by key */
	size_t		 nparams;
	struct cfg_kv	*tags;		/* sorted by key; dataflow trigger
					   --match selects jobs by them */
	size_t		 ntags;
	bool		 paused;
	int		 max_attempts;	/* >= 1; default 3 */
	long		 timeout_secs;	/* 0: none */
	enum cfg_order	 order;
	int		 max_running;	/* 0: unlimited */
	char		*owner;		/* NULL when absent */
	char		**notify;	/* command and arguments run (no shell)
					   when a run fails; NULL: none */
	size_t		 nnotify;
	bool		 notify_always;	/* also when a run succeeds */
};

struct config {
	struct cfg_dataset	*datasets;	/* sorted by id */
	size_t			 ndatasets;
	struct cfg_job		*jobs;		/* sorted by id */
	size_t			 njobs;
};

/*
 * Read and fully validate the JSON file at path ("-" for stdin). Syntax
 * errors give "PATH:LINE:COL: message"; other errors name the JSON path,
 * e.g. 'PATH: jobs.load.inputs[1]: unknown dataset "x"'. Checks: types,
 * unknown keys, identifiers, duplicate keys, value sizes and nesting depth,
 * references to undeclared datasets (the pseudo-dataset "today" needs no
 * declaration), a dataset produced by two jobs, and dependency cycles.
 * Return the configuration (caller frees with config_free), or NULL with
 * every problem found appended to d.
 */
struct config	*config_load_file(const char *path, struct diag *d);
/* Same as config_load_file for JSON text in memory. */
struct config	*config_load_string(const char *text, const char *origin,
		    struct diag *d);
/* Same, for an already parsed document. */
struct config	*config_from_json(struct json_t *root, const char *origin,
		    struct diag *d);
/* Find a dataset or job by id in c (sorted, as loaded), or NULL. */
struct cfg_dataset *config_dataset(const struct config *c, const char *id);
/*
 * Return what the pseudo-dataset id is ("the pseudo-dataset of the current
 * date", ...), or NULL when id is no pseudo-dataset: an input only, never
 * declared, never an output.
 */
const char	*config_pseudo(const char *id);
struct cfg_job	*config_job(const struct config *c, const char *id);
/* Return the name of an order ("oldest-first", ...). */
const char	*config_order_name(enum cfg_order o);
/* Parse an order name; return 0, or -1 if unknown. */
int		 config_order_parse(const char *s, enum cfg_order *o);
/* Sort the arrays of c into their canonical order (after building by hand). */
void		 config_sort(struct config *c);
/* Free c; NULL is a no-op. */
void		 config_free(struct config *c);

#endif
