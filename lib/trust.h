/* trust.h: whether another local user could have changed a file, or could
 * replace what is in a directory (SPEC §4, "Trust boundaries"). */
#ifndef DF_TRUST_H
#define DF_TRUST_H

#include <sys/types.h>
#include <sys/stat.h>

#define TRUST_NOBODY	((uid_t)-1)	/* no third trusted owner */

/*
 * Return NULL when st (of a file or directory) is owned by the effective
 * user, by root or by also (TRUST_NOBODY: nobody else) and is writable by
 * neither group nor others. Else return why not, without the path, for the
 * caller to put after it (caller frees): 'owned by user "bob" (uid 1001),
 * not by you or root' or 'writable by group or others (mode 0666)'.
 */
char	*trust_private(const struct stat *st, uid_t also);
/*
 * Return NULL when other users cannot remove or rename what is in the
 * directory st: it is not writable by others, or it is sticky (then only
 * an entry's owner, the directory's owner and root can). Else return why
 * not (caller frees): 'writable by others and not sticky (mode 0777)'. A
 * directory writable by its group only is accepted: its members can swap
 * in files of their own, which trust_private() then refuses.
 */
char	*trust_dir(const struct stat *st);
/*
 * Return the directory part of path (caller frees): "." when it has no
 * slash, "/" for a path in the root directory.
 */
char	*trust_dirname(const char *path);

#endif
