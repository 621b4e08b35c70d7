/*
 * replay.c: main() of the fuzz targets in builds without libFuzzer: run
 * LLVMFuzzerTestOneInput once on each file named on the command line, or on
 * every file of the target's seed corpus (FUZZ_CORPUSDIR/NAME for the
 * program fuzz_NAME), printing TAP. A crash or failed invariant aborts.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define REPLAY_MAXFILE	(16L * 1024 * 1024)	/* bytes */

static int
replay_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run the target on the file at path; return 0, or -1 if unreadable. */
static int
replay_file(const char *path)
{
	struct stat	 st;
	uint8_t		*buf;
	size_t		 n;
	FILE		*fp;

	if ((fp = fopen(path, "rb")) == NULL)
		return -1;
	if (fstat(fileno(fp), &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > REPLAY_MAXFILE) {
		fclose(fp);
		errno = EINVAL;
		return -1;
	}
	/* One spare byte: an empty file still gets a valid pointer. */
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		fclose(fp);
		return -1;
	}
	n = fread(buf, 1, (size_t)st.st_size, fp);
	fclose(fp);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	struct dirent	 *de;
	const char	 *base;
	char		**files = NULL, **more, *dir;
	size_t		  n = 0, i;
	DIR		 *d;
	int		  failed = 0;

	if (argc > 1) {
		for (i = 1; i < (size_t)argc; i++) {
			if (replay_file(argv[i]) == -1) {
				printf("not ok %zu - %s: %s\n", i, argv[i],
				    strerror(errno));
				failed = 1;
			} else
				printf("ok %zu - %s\n", i, argv[i]);
		}
		printf("1..%d\n", argc - 1);
		return failed;
	}

	base = strrchr(argv[0], '/') != NULL ? strrchr(argv[0], '/') + 1 :
	    argv[0];
	/* Libtool-free builds name the program fuzz_NAME exactly. */
	if (strncmp(base, "fuzz_", 5) == 0)
		base += 5;
	if (asprintf(&dir, "%s/%s", FUZZ_CORPUSDIR, base) == -1)
		abort();
	if ((d = opendir(dir)) == NULL) {
		printf("Bail out! could not open \"%s\": %s\n", dir,
		    strerror(errno));
		free(dir);
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((more = reallocarray(files, n + 1, sizeof(*files))) ==
		    NULL)
			abort();
		files = more;
		if (asprintf(&files[n++], "%s/%s", dir, de->d_name) == -1)
			abort();
	}
	closedir(d);
	if (n > 1)
		qsort(files, n, sizeof(*files), replay_cmp);
	printf("1..%zu\n", n);
	for (i = 0; i < n; i++) {
		/* Flush first: a crash must not lose the lines before it. */
		fflush(stdout);
		if (replay_file(files[i]) == -1) {
			printf("not ok %zu - %s: %s\n", i + 1,
			    strrchr(files[i], '/') + 1, strerror(errno));
			failed = 1;
		} else
			printf("ok %zu - %s\n", i + 1,
			    strrchr(files[i], '/') + 1);
		free(files[i]);
	}
	free(files);
	free(dir);
	return failed;
}
