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

#endif
