/* env.h: build the environment a job's script runs with (SPEC §3). */
#ifndef DF_ENV_H
#define DF_ENV_H

#include <stddef.h>

struct claim;
struct diag;

struct env_spec {
	const char	 *jobid;
	const struct claim *claim;
	const char *const *passwords;	/* per claim dataset: decrypted
					   password or NULL; may be NULL */
	const char	 *metrics_file;	/* DATAFLOW_METRICS_FILE, or NULL */
	const char *const *env_allow;	/* the host's env_allow= names,
					   NULL-terminated; may be NULL */
};

/*
 * Return the job's environment: inherited (minus any variable dataflow
 * sets) followed by the job parameters, every dataset's <D>_<attr>
 * variables and dataflow's own (dataid, jobid, DATAFLOW_*), later ones
 * winning. Names that ident_env_refusal refuses (dataflow's own, PATH,
 * LD_*, interpreters' and libraries' variables), unless spec->env_allow
 * names them, are left out, each with a message added to warnings. The array and its
 * strings are owned by the caller: free with env_free (it wipes them, as
 * they may hold passwords).
 */
char	**env_build(char *const *inherited, const struct env_spec *spec,
	    struct diag *warnings);
/*
 * Return inherited with the n variables names[i]=values[i] set (replacing
 * inherited ones of the same names; a NULL value leaves the variable out).
 * Free with env_free.
 */
char	**env_with(char *const *inherited, const char *const *names,
	    const char *const *values, size_t n);
/* Wipe and free an environment from env_build; NULL is a no-op. */
void	  env_free(char **env);

#endif
