/* trust.c: the ownership and mode checks that keep other local users out of
 * the files dataflow trusts: properties, the local cluster, run logs. */
#include <sys/types.h>
#include <sys/stat.h>

#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "trust.h"
#include "xmalloc.h"

char *
trust_private(const struct stat *st, uid_t also)
{
	struct passwd	*pw;

	if (st->st_uid != geteuid() && st->st_uid != 0 &&
	    (also == TRUST_NOBODY || st->st_uid != also)) {
		if ((pw = getpwuid(st->st_uid)) != NULL)
			return xasprintf("owned by user \"%s\" (uid %lu), not "
			    "by you or root", pw->pw_name,
			    (unsigned long)st->st_uid);
		return xasprintf("owned by uid %lu, not by you or root",
		    (unsigned long)st->st_uid);
	}
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return xasprintf("writable by group or others (mode %04o)",
		    (unsigned)(st->st_mode & 07777));
	return NULL;
}

char *
trust_dir(const struct stat *st)
{
	if ((st->st_mode & S_IWOTH) != 0 && (st->st_mode & S_ISVTX) == 0)
		return xasprintf("writable by others and not sticky (mode "
		    "%04o)", (unsigned)(st->st_mode & 07777));
	return NULL;
}

char *
trust_dirname(const char *path)
{
	const char	*slash;

	if ((slash = strrchr(path, '/')) == NULL)
		return xstrdup(".");
	/* "a//b" is in "a"; "/b" and "//b" are in "/". */
	while (slash > path && slash[-1] == '/')
		slash--;
	if (slash == path)
		return xstrdup("/");
	return xasprintf("%.*s", (int)(slash - path), path);
}
