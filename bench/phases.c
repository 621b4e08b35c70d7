/*
 * phases.c: an LD_PRELOAD shim that times the phases of one runjob (or
 * floor) process without changing it: from the shim's constructor (the
 * loader has mapped and relocated everything) to the connection, each
 * statement, the time between the first statement and the last one (the
 * job ran there) and the exit. At exit it appends one line to the file
 * named by $BENCH_PHASES_FILE: the program's name, then times in
 * microseconds:
 *
 *   name startup preconnect connect claim between finish exit total stmts
 *
 * preconnect: constructor to connect; connect: PQconnectdb*; claim: the
 * first statement; between: end of the first statement to the start of
 * the last; finish: the last statement (0 when there was only one); exit:
 * its end to the destructor; statements: how many were sent. When bench/drive
 * gives $BENCH_T0 (the spawn's time), the line begins with the start-up
 * (spawn to constructor: exec, loader, libraries' constructors) and ends
 * with the total (spawn to destructor); else both are 0.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "stats.h"

#define PHASES_MAXQ	64

static int64_t	t_ctor, t_conn0, t_conn1;
static int64_t	q0[PHASES_MAXQ], q1[PHASES_MAXQ];
static int	nq;

static void phases_init(void) __attribute__((constructor));
static void phases_fini(void) __attribute__((destructor));

static void
phases_init(void)
{
	t_ctor = stats_now();
}

static void
phases_fini(void)
{
	const char	*path = getenv("BENCH_PHASES_FILE");
	const char	*t0s = getenv("BENCH_T0");
	int64_t		 end = stats_now(), last, t0;
	int		 fd;

	if (path == NULL || t_conn1 == 0 || nq == 0)
		return;
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644)) == -1)
		return;
	last = nq > PHASES_MAXQ ? PHASES_MAXQ - 1 : nq - 1;
	t0 = t0s != NULL ? strtoll(t0s, NULL, 10) : 0;
	dprintf(fd, "%s %.1f %.1f %.1f %.1f %.1f %.1f %.1f %.1f %d\n",
	    program_invocation_short_name,
	    t0 > 0 ? (double)(t_ctor - t0) / 1e3 : 0.0,
	    (double)(t_conn0 - t_ctor) / 1e3,
	    (double)(t_conn1 - t_conn0) / 1e3,
	    (double)(q1[0] - q0[0]) / 1e3,
	    last > 0 ? (double)(q0[last] - q1[0]) / 1e3 : 0.0,
	    last > 0 ? (double)(q1[last] - q0[last]) / 1e3 : 0.0,
	    (double)(end - q1[last]) / 1e3,
	    t0 > 0 ? (double)(end - t0) / 1e3 : 0.0, nq);
	close(fd);
}

/* Find the next definition of name (libpq's), or die. */
static void *
phases_next(const char *name)
{
	void	*f = dlsym(RTLD_NEXT, name);

	if (f == NULL) {
		fprintf(stderr, "phases: no %s\n", name);
		abort();
	}
	return f;
}

static void
phases_q_start(void)
{
	if (nq < PHASES_MAXQ)
		q0[nq] = stats_now();
}

static void
phases_q_end(void)
{
	if (nq < PHASES_MAXQ)
		q1[nq] = stats_now();
	nq++;
}

PGconn *
PQconnectdbParams(const char *const *keywords, const char *const *values,
    int expand_dbname)
{
	static PGconn	*(*real)(const char *const *, const char *const *,
			    int);
	PGconn		*c;

	if (real == NULL)
		real = phases_next("PQconnectdbParams");
	if (t_conn0 == 0)
		t_conn0 = stats_now();
	c = real(keywords, values, expand_dbname);
	if (t_conn1 == 0)
		t_conn1 = stats_now();
	return c;
}

PGconn *
PQconnectdb(const char *conninfo)
{
	static PGconn	*(*real)(const char *);
	PGconn		*c;

	if (real == NULL)
		real = phases_next("PQconnectdb");
	if (t_conn0 == 0)
		t_conn0 = stats_now();
	c = real(conninfo);
	if (t_conn1 == 0)
		t_conn1 = stats_now();
	return c;
}

PGresult *
PQexecParams(PGconn *conn, const char *command, int nParams,
    const Oid *paramTypes, const char *const *paramValues,
    const int *paramLengths, const int *paramFormats, int resultFormat)
{
	static PGresult	*(*real)(PGconn *, const char *, int, const Oid *,
			    const char *const *, const int *, const int *,
			    int);
	PGresult	*r;

	if (real == NULL)
		real = phases_next("PQexecParams");
	phases_q_start();
	r = real(conn, command, nParams, paramTypes, paramValues,
	    paramLengths, paramFormats, resultFormat);
	phases_q_end();
	return r;
}

PGresult *
PQexec(PGconn *conn, const char *query)
{
	static PGresult	*(*real)(PGconn *, const char *);
	PGresult	*r;

	if (real == NULL)
		real = phases_next("PQexec");
	phases_q_start();
	r = real(conn, query);
	phases_q_end();
	return r;
}

PGresult *
PQexecPrepared(PGconn *conn, const char *stmtName, int nParams,
    const char *const *paramValues, const int *paramLengths,
    const int *paramFormats, int resultFormat)
{
	static PGresult	*(*real)(PGconn *, const char *, int,
			    const char *const *, const int *, const int *,
			    int);
	PGresult	*r;

	if (real == NULL)
		real = phases_next("PQexecPrepared");
	phases_q_start();
	r = real(conn, stmtName, nParams, paramValues, paramLengths,
	    paramFormats, resultFormat);
	phases_q_end();
	return r;
}

PGresult *
PQprepare(PGconn *conn, const char *stmtName, const char *query,
    int nParams, const Oid *paramTypes)
{
	static PGresult	*(*real)(PGconn *, const char *, const char *, int,
			    const Oid *);
	PGresult	*r;

	if (real == NULL)
		real = phases_next("PQprepare");
	phases_q_start();
	r = real(conn, stmtName, query, nParams, paramTypes);
	phases_q_end();
	return r;
}
