/* tsv.h: tab-separated case tables for the unit tests. */
#ifndef DF_TEST_TSV_H
#define DF_TEST_TSV_H

#include <stddef.h>

#define MAXFIELDS	16

/* One line of a data file: its fields, decoded. */
struct tcase {
	char	*name;		/* "file:line text", safe as a TAP name */
	char	*buf;
	char	*f[MAXFIELDS];
	int	 nf;
};

/* Decode a field in double quotes (\t \n \r \\ \" \xHH) in place. */
char	*tsv_unquote(char *s);
/*
 * Append the cases of the file at path to *out (grown; *nout counts them),
 * each with at least minfields fields. Return 0, or -1 after printing why.
 */
int	 tsv_load(const char *path, int minfields, struct tcase **out,
	    size_t *nout);
/* Free n cases from tsv_load. */
void	 tsv_free(struct tcase *c, size_t n);

struct CMUnitTest;
/*
 * Run a cmocka group: the nfixed tests of fixed, then test_func once per
 * case of the file at path (its state the struct tcase, with at least
 * minfields fields). Return cmocka's status, or 1 when the file could not
 * be read.
 */
int	 tsv_run_group(const char *group, const struct CMUnitTest *fixed,
	    size_t nfixed, const char *path, int minfields,
	    void (*test_func)(void **));

/* Cases that are files, one kind for tsv_run_files. */
struct tsv_files {
	const char	*pattern;	/* glob(3) pattern under the directory */
	const char	*strip;		/* taken off the end of names, or NULL */
	/* Run once per file, its state the file's path less strip. */
	void		(*test_func)(void **);
	int		(*setup)(void **);	/* NULL: none */
	int		(*teardown)(void **);	/* NULL: none */
};
/*
 * Run a cmocka group: the nfixed tests of fixed, then for each of the
 * nsets kinds of sets, one test per file of dir that matches its pattern,
 * named by its path under dir less strip. Return cmocka's status, or 1
 * when a kind has no file.
 */
int	 tsv_run_files(const char *group, const struct CMUnitTest *fixed,
	    size_t nfixed, const char *dir, const struct tsv_files *sets,
	    size_t nsets);

#endif
