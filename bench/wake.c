/*
 * wake.c: the start latency of a waiting worker, for bench/run: from the
 * commit that makes a partition claimable to its script's first
 * instruction. One partition at a time, each made ready only once the
 * worker waits again (its last claim found nothing).
 *
 *   wake -d CONNINFO -j JOB -s DATASET -f FIFO -n N [-w WARM] [-p PREFIX]
 *        [-T SECS]
 *
 *   -j, -s	the job the worker runs and the dataset it reads
 *   -f	the FIFO the worker's script (bench/stamp.c) writes its
 *	CLOCK_MONOTONIC nanoseconds to
 *   -n	samples; each makes PREFIX followed by its number ready with
 *	"SELECT df_ready(DATASET, ARRAY[dataid], 'bench')" in a statement of
 *	its own (autocommit): when PQexec returns, the commit is done
 *   -w	samples before those, not counted (default 0)
 *   -T	the longest wait for one script, in seconds (default 10)
 *
 * The latency ("start") is the script's clock minus the one read as PQexec
 * returned, both CLOCK_MONOTONIC of this machine; "start_send" counts from
 * before the statement was sent: the commit lies between the two. Prints
 * one JSON object: their statistics and the statement's.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "stats.h"

/* The worker waits: the last partition's run is recorded and its next
 * claim, which found nothing, has returned. */
static const char waiting_sql[] =
    "SELECT ($2 = '' OR EXISTS (SELECT 1 FROM work WHERE jobid = $1 "
    "  AND dataid = $2 AND state = 'succeeded')) "
    "AND EXISTS (SELECT 1 FROM pg_stat_activity "
    "  WHERE application_name = 'runjob' AND state = 'idle' "
    "  AND query LIKE '%df_claim(%')";
static const char ready_sql[] =
    "SELECT df_ready($1, ARRAY[$2], 'bench')";

static void
die(const char *what, PGconn *conn)
{
	fprintf(stderr, "wake: %s%s%s\n", what, conn != NULL ? ": " : "",
	    conn != NULL ? PQerrorMessage(conn) : "");
	exit(70);
}

/* Return the one boolean or text value of sql with parameters p; die on
 * failure. */
static bool
query_true(PGconn *conn, const char *sql, int n, const char *const *p)
{
	PGresult	*res;
	bool		 t;

	res = PQexecParams(conn, sql, n, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		die(sql, conn);
	t = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return t;
}

/* Poll until the worker waits, a millisecond apart; false at deadline. */
static bool
await_waiting(PGconn *conn, const char *job, const char *last, int64_t until)
{
	const char	*p[2] = { job, last };
	struct timespec	 ms = { 0, 1000000 };

	while (!query_true(conn, waiting_sql, 2, p)) {
		if (stats_now() > until)
			return false;
		nanosleep(&ms, NULL);
	}
	return true;
}

/* Read the stamp of dataid from fd (non-blocking, opened O_RDWR); -1 at
 * the deadline or when the line is another partition's. */
static int64_t
read_stamp(int fd, const char *dataid, char *buf, size_t *have, size_t cap,
    int64_t until)
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	char		*nl, *sp;
	long long	 v = -1;
	ssize_t		 n;
	int		 ms;

	while ((nl = memchr(buf, '\n', *have)) == NULL) {
		ms = (int)((until - stats_now()) / 1000000);
		if (ms <= 0 || poll(&pfd, 1, ms) <= 0)
			return -1;
		n = read(fd, buf + *have, cap - 1 - *have);
		if (n <= 0 && errno != EAGAIN)
			return -1;
		if (n > 0)
			*have += (size_t)n;
	}
	*nl = '\0';
	if ((sp = strchr(buf, ' ')) != NULL && (size_t)(sp - buf) ==
	    strlen(dataid) && strncmp(buf, dataid, (size_t)(sp - buf)) == 0)
		v = strtoll(sp + 1, NULL, 10);
	*have -= (size_t)(nl + 1 - buf);
	memmove(buf, nl + 1, *have);
	return (int64_t)v;
}

int
main(int argc, char **argv)
{
	const char	*conninfo = NULL, *job = NULL, *ds = NULL, *fifo = NULL;
	const char	*prefix = "w", *p[2];
	struct stats	 lat = { 0 }, send = { 0 }, stmt = { 0 };
	char		 dataid[64], last[64] = "", buf[256];
	size_t		 have = 0;
	long		 n = 0, warm = 0, timeout = 10, i;
	int64_t		 t0, t1, ts;
	PGconn		*conn;
	PGresult	*res;
	int		 ch, fd;

	while ((ch = getopt(argc, argv, "d:j:s:f:n:w:p:T:")) != -1) {
		switch (ch) {
		case 'd': conninfo = optarg; break;
		case 'j': job = optarg; break;
		case 's': ds = optarg; break;
		case 'f': fifo = optarg; break;
		case 'n': n = strtol(optarg, NULL, 10); break;
		case 'w': warm = strtol(optarg, NULL, 10); break;
		case 'p': prefix = optarg; break;
		case 'T': timeout = strtol(optarg, NULL, 10); break;
		default: goto usage;
		}
	}
	if (conninfo == NULL || job == NULL || ds == NULL || fifo == NULL ||
	    n <= 0 || warm < 0 || timeout <= 0)
		goto usage;
	if ((fd = open(fifo, O_RDWR | O_NONBLOCK)) == -1) {
		perror(fifo);
		return 66;
	}
	conn = PQconnectdb(conninfo);
	if (PQstatus(conn) != CONNECTION_OK)
		die("connect", conn);
	for (i = 0; i < warm + n; i++) {
		if (!await_waiting(conn, job, last,
		    stats_now() + timeout * 1000000000LL))
			die("the worker does not wait", NULL);
		snprintf(dataid, sizeof(dataid), "%s%08ld", prefix, i + 1);
		p[0] = ds;
		p[1] = dataid;
		t0 = stats_now();
		res = PQexecParams(conn, ready_sql, 2, NULL, p, NULL, NULL, 0);
		t1 = stats_now();
		if (PQresultStatus(res) != PGRES_TUPLES_OK)
			die("df_ready", conn);
		PQclear(res);
		/* A stamp late past the deadline would be taken for the
		 * next one's: none is skipped. */
		if ((ts = read_stamp(fd, dataid, buf, &have, sizeof(buf),
		    t1 + timeout * 1000000000LL)) < 0)
			die("no stamp from the script, or another's", NULL);
		if (i >= warm) {
			stats_add(&stmt, t1 - t0);
			stats_add(&lat, ts - t1);
			stats_add(&send, ts - t0);
		}
		snprintf(last, sizeof(last), "%s", dataid);
	}
	printf("{\"samples\":%ld,\"warmup\":%ld", n, warm);
	stats_json(stdout, "start", &lat);
	stats_json(stdout, "start_send", &send);
	stats_json(stdout, "commit", &stmt);
	printf("}\n");
	stats_free(&lat);
	stats_free(&send);
	stats_free(&stmt);
	PQfinish(conn);
	close(fd);
	return 0;
usage:
	fprintf(stderr, "usage: wake -d CONNINFO -j JOB -s DATASET -f FIFO "
	    "-n N [-p PREFIX] [-T SECS]\n");
	return 64;
}
