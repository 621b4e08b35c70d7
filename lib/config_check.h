/* config_check.h: the checks of a configuration as a whole
 * (config_check.c). */
#ifndef DF_CONFIG_CHECK_H
#define DF_CONFIG_CHECK_H

struct config;
struct diag;

/*
 * Check references, duplicate ids, datasets with two producers and cycles
 * of c (done by the loaders; exposed for configurations built in memory).
 * Return 0, or -1 with problems added to d.
 */
int	 config_check(const struct config *c, const char *origin,
	    struct diag *d);
/*
 * Check the environment names the jobs of c would get: every parameter,
 * and <dataset>_<name> for every dataset's standard variables and extra
 * attributes, against ident_env_refusal with allow (the host's env_allow=
 * names, NULL-terminated, or NULL). The loaders refuse only the names no
 * host may allow; whoever stores a configuration calls this too. Return
 * 0, or -1 with a message per refused name added to d.
 */
int	 config_check_env(const struct config *c, const char *origin,
	    const char *const *allow, struct diag *d);

#endif
