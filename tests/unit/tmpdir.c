/* tmpdir.c: scratch directories for the unit tests that write files. */
#include <sys/stat.h>

#include <dirent.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "strbuf.h"
#include "tmpdir.h"
#include "xmalloc.h"

char *
tmpdir_new(const char *test)
{
	const char	*tmp = getenv("TMPDIR");
	char		*dir;

	dir = xasprintf("%s/%s.XXXXXX", tmp != NULL && *tmp != '\0' ? tmp :
	    "/tmp", test);
	assert_non_null(mkdtemp(dir));
	/* Reachable by the other users some tests become. */
	assert_int_equal(chmod(dir, 0755), 0);
	return dir;
}

char *
tmpdir_list(const char *dir)
{
	struct dirent	**ents;
	struct strbuf	  sb = STRBUF_INIT;
	int		  n, i;

	n = scandir(dir, &ents, NULL, alphasort);
	assert_true(n >= 0);
	for (i = 0; i < n; i++) {
		if (strcmp(ents[i]->d_name, ".") != 0 &&
		    strcmp(ents[i]->d_name, "..") != 0)
			strbuf_addf(&sb, "%s%s", sb.len > 0 ? " " : "",
			    ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
	return strbuf_detach(&sb);
}

static int
tmpdir_remove_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

void
tmpdir_remove(char *dir)
{
	assert_int_equal(nftw(dir, tmpdir_remove_one, 16, FTW_DEPTH |
	    FTW_PHYS), 0);
	free(dir);
}
