/* stamp.c: the job script of the start-latency bench: the first thing it
 * does is read CLOCK_MONOTONIC, then it writes "DATAID NANOSECONDS" as one
 * line to the FIFO named by its argument, where bench/wake.c reads it. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct timespec	 ts;
	const char	*dataid;
	char		 line[128];
	int		 fd, n;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (argc != 2 || (dataid = getenv("dataid")) == NULL)
		return 64;
	n = snprintf(line, sizeof(line), "%.64s %lld\n", dataid,
	    (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	if ((fd = open(argv[1], O_WRONLY | O_APPEND)) == -1)
		return 66;
	/* One write under PIPE_BUF: atomic on the FIFO. */
	if (write(fd, line, (size_t)n) != n)
		return 74;
	return close(fd) == 0 ? 0 : 74;
}
