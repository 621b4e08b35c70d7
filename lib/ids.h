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
 * Return whether name may be exported to a job's environment as a parameter:
 * an identifier that does not name PATH, HOME, SHELL, IFS, LD_*, DATAFLOW_*,
 * dataid, jobid or PASSKEY, which dataflow or the dynamic loader own, nor
 * BASH_ENV, ENV, SHELLOPTS, BASHOPTS or PS4, which run code in a shell.
 */
bool	ident_param_allowed(const char *name);

#endif
