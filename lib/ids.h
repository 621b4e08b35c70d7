/* ids.h: the rules for dataset/job identifiers, parameter names and dataids. */
#ifndef DF_IDS_H
#define DF_IDS_H

#include <stdbool.h>

#define IDENT_MAXLEN	63	/* bytes, as a PostgreSQL identifier */
#define DATAID_MAXLEN	128	/* bytes */

/* Return whether s is an identifier: [A-Za-z_][A-Za-z0-9_]*, 1..63 bytes. */
bool	ident_valid(const char *s);
/*
 * Return whether s is a valid dataid: 1..128 bytes of [A-Za-z0-9_.:+=@,-],
 * so that it is safe in file names, environment values and logs.
 */
bool	dataid_valid(const char *s);
/*
 * Return NULL when name may be exported to a job's environment from a job
 * parameter or a dataset attribute, else why not: a static phrase naming
 * the family, e.g. "PERL*: Perl's options, modules and debugger". Refused
 * are names that are not identifiers, names dataflow, the shell or the
 * dynamic loader own (dataid, DATAFLOW_*, PATH, LD_*, BASH_ENV, IFS...)
 * and names that change what an interpreter or a library runs, loads or
 * connects to (PERL*, PYTHON*, NODE_*, PG*, GIT_*, *_proxy...). allow, a
 * NULL-terminated list of exact names or NULL (the host's env_allow=),
 * widens the second kind only.
 */
const char	*ident_env_refusal(const char *name, const char *const *allow);
/*
 * Return whether name is refused whatever a host allows: not an
 * identifier, or owned by dataflow, the shell or the dynamic loader.
 */
bool		 ident_env_fixed(const char *name);
/* Return whether name may be exported when the host allows nothing more:
 * ident_env_refusal(name, NULL) == NULL. */
bool		 ident_param_allowed(const char *name);

#endif
