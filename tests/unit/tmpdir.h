/* tmpdir.h: scratch directories for the unit tests that write files. */
#ifndef DF_TEST_TMPDIR_H
#define DF_TEST_TMPDIR_H

/*
 * Return a new empty directory under $TMPDIR (else /tmp), mode 0755, its
 * name starting with test; the caller passes it to tmpdir_remove. Fails
 * the test when it cannot.
 */
char	*tmpdir_new(const char *test);
/* Return the names in dir but . and .., sorted, space-separated; caller
 * frees. */
char	*tmpdir_list(const char *dir);
/* Remove dir and everything under it (failing the test if it cannot),
 * and free dir. */
void	 tmpdir_remove(char *dir);

#endif
