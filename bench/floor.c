/*
 * floor.c: the physical floor of one RunJob invocation, for bench/run to
 * measure runjob against: connect, claim one partition in one statement,
 * fork/exec the program, record the outcome in one statement, exit. No
 * features: no properties file, no environment but "dataid", no lease, no
 * signals, no retries.
 *
 *   floor [-D] [-m MAX] [-x IDLE] -d CONNINFO -j JOB PROG [ARG...]
 *   floor [-D] [-R] -L N [-k JOB2] -d CONNINFO -j JOB
 *
 *   -D	claim and finish with df_claim() and df_end_run(), the statements
 *	runjob sends (lib/claim.c), instead of the minimal ones below
 *   -m	partitions per process, connection reused (default 1, 0: drain)
 *   -x	exit status when nothing was claimable (default 0)
 *   -L	latency: N claim/finish pairs without running anything; prints
 *	JSON statistics of both statements; -R reconnects before each
 *	claim (untimed), so that every claim is a session's first, as in a
 *	runjob process; -k alternates the claims between JOB and JOB2 (a
 *	reference measured in the same moments), with separate statistics
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "stats.h"

extern char **environ;

/* The same text as lib/claim.c, so that the server does the same work. */
static const char df_claim_sql[] =
    "SELECT outcome, run_id, dataid, attempt, info FROM df_claim("
    "$1, $2, $3, $4::text[], $5, $6::integer, $7, $8, $9::jsonb, "
    "$10::integer, $11::boolean)";
static const char df_finish_sql[] =
    "SELECT df_end_run($1::bigint, $2, $3::integer, $4::integer, $5, "
    "$6::jsonb, $7)";

/*
 * The least a correct claim must do, in one statement: lock the first ready
 * work row (skipping rows other claimers hold), start a run, mark the work
 * running and the job's outputs RUNNING. Columns: run_id, dataid.
 */
static const char floor_claim_sql[] =
    "WITH w AS (SELECT jobid, dataid, attempts FROM work "
    "  WHERE jobid = $1 AND state = 'ready' "
    "  ORDER BY dataid LIMIT 1 FOR UPDATE SKIP LOCKED), "
    "r AS (INSERT INTO run (jobid, dataid, attempt, status, host, pid, "
    "    username, lease_until) "
    "  SELECT jobid, dataid, attempts + 1, 'RUNNING', $2, $3::integer, $4, "
    "    now() + interval '60 s' FROM w "
    "  RETURNING run_id, jobid, dataid), "
    "u AS (UPDATE work SET state = 'running', run_id = r.run_id, "
    "    attempts = work.attempts + 1, modified = now() FROM r "
    "  WHERE work.jobid = r.jobid AND work.dataid = r.dataid), "
    "o AS (INSERT INTO partition_status AS s (datasetid, dataid, status, "
    "    run_id) "
    "  SELECT i.datasetid, r.dataid, 'RUNNING', r.run_id "
    "  FROM job_item i, r WHERE i.jobid = r.jobid AND i.itemtype = 'OUT' "
    "  ON CONFLICT (datasetid, dataid) DO UPDATE SET status = 'RUNNING', "
    "    run_id = excluded.run_id, modified = now()) "
    "SELECT run_id, dataid FROM r";

/* And its finish: the run, its work row and its outputs. */
static const char floor_finish_sql[] =
    "WITH r AS (UPDATE run SET status = $2::text, ended = now(), "
    "    exit_code = $3::integer "
    "  WHERE run_id = $1::bigint AND status = 'RUNNING' "
    "  RETURNING jobid, dataid), "
    "w AS (UPDATE work SET state = CASE WHEN $2::text = 'SUCCEEDED' "
    "    THEN 'succeeded' ELSE 'ready' END, modified = now() FROM r "
    "  WHERE work.jobid = r.jobid AND work.dataid = r.dataid "
    "    AND work.run_id = $1::bigint AND work.state = 'running'), "
    "p AS (UPDATE partition_status s SET status = CASE "
    "    WHEN $2::text = 'SUCCEEDED' THEN 'READY' ELSE 'FAILED' END, "
    "    modified = now() FROM r, job_item i "
    "  WHERE i.jobid = r.jobid AND i.itemtype = 'OUT' "
    "    AND s.datasetid = i.datasetid AND s.dataid = r.dataid "
    "    AND s.run_id = $1::bigint AND s.status = 'RUNNING') "
    "SELECT count(*) FROM r";

struct floor {
	const char	*conninfo;
	const char	*jobid;
	bool		 df;
	char		 host[256];
	char		 pid[16];
	char		 user[64];
	char		 today[16];
	PGconn		*conn;
};

static void
usage(void)
{
	fputs("usage: floor [-D] [-m MAX] [-x IDLE] -d CONNINFO "
	    "-j JOB PROG [ARG...]\n"
	    "       floor [-D] [-R] -L N [-k JOB2] -d CONNINFO -j JOB\n",
	    stderr);
	exit(64);
}

static void
floor_connect(struct floor *f)
{
	f->conn = PQconnectdb(f->conninfo);
	if (PQstatus(f->conn) != CONNECTION_OK) {
		fprintf(stderr, "floor: connect: %s", PQerrorMessage(f->conn));
		exit(75);
	}
}

/* Claim; return 1 with run_id and dataid (caller frees), 0 for none. */
static int
floor_claim(struct floor *f, char **run_id, char **dataid)
{
	const char	*p[11];
	PGresult	*res;
	int		 rc = 0;

	if (f->df) {
		p[0] = f->jobid;
		p[1] = NULL;
		p[2] = f->today;
		p[3] = "{}";
		p[4] = f->host;
		p[5] = f->pid;
		p[6] = f->user;
		p[7] = NULL;
		p[8] = "{}";
		p[9] = "60";
		p[10] = "false";
		res = PQexecParams(f->conn, df_claim_sql, 11, NULL, p, NULL,
		    NULL, 0);
	} else {
		p[0] = f->jobid;
		p[1] = f->host;
		p[2] = f->pid;
		p[3] = f->user;
		res = PQexecParams(f->conn, floor_claim_sql, 4, NULL, p, NULL,
		    NULL, 0);
	}
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fprintf(stderr, "floor: claim: %s", PQerrorMessage(f->conn));
		exit(70);
	}
	if (f->df && PQntuples(res) == 1 &&
	    strcmp(PQgetvalue(res, 0, 0), "claimed") == 0) {
		*run_id = strdup(PQgetvalue(res, 0, 1));
		*dataid = strdup(PQgetvalue(res, 0, 2));
		rc = 1;
	} else if (!f->df && PQntuples(res) == 1) {
		*run_id = strdup(PQgetvalue(res, 0, 0));
		*dataid = strdup(PQgetvalue(res, 0, 1));
		rc = 1;
	}
	PQclear(res);
	return rc;
}

static void
floor_finish(struct floor *f, const char *run_id, int status)
{
	const char	*p[7];
	char		 code[16];
	PGresult	*res;

	snprintf(code, sizeof(code), "%d", status);
	p[0] = run_id;
	p[1] = status == 0 ? "SUCCEEDED" : "FAILED";
	p[2] = code;
	p[3] = NULL;
	p[4] = NULL;
	p[5] = NULL;
	p[6] = NULL;
	res = PQexecParams(f->conn, f->df ? df_finish_sql : floor_finish_sql,
	    f->df ? 7 : 3, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fprintf(stderr, "floor: finish: %s", PQerrorMessage(f->conn));
		exit(70);
	}
	PQclear(res);
}

/* fork/exec argv with dataid in the environment; return its status. */
static int
floor_spawn(char **argv, const char *dataid)
{
	pid_t	 pid;
	int	 ws;

	setenv("dataid", dataid, 1);
	if ((pid = fork()) == -1) {
		perror("floor: fork");
		exit(70);
	}
	if (pid == 0) {
		execve(argv[0], argv, environ);
		_exit(127);
	}
	while (waitpid(pid, &ws, 0) == -1)
		if (errno != EINTR) {
			perror("floor: waitpid");
			exit(70);
		}
	if (WIFEXITED(ws))
		return WEXITSTATUS(ws);
	return 128 + (WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
}

/* -L: claim/finish pairs, no child; JSON statistics on stdout. */
static int
floor_latency(struct floor *f, long n, bool reconnect, const char *ref)
{
	struct stats	 claim[2], finish[2];
	const char	*jobs[2] = { f->jobid, ref };
	char		*run_id, *dataid;
	int64_t		 t;
	long		 i;
	int		 k;

	memset(claim, 0, sizeof(claim));
	memset(finish, 0, sizeof(finish));
	floor_connect(f);
	for (i = 0; i < n; i++) {
		k = ref != NULL ? (int)(i % 2) : 0;
		f->jobid = jobs[k];
		if (reconnect && i > 0) {
			PQfinish(f->conn);
			floor_connect(f);
		}
		t = stats_now();
		if (floor_claim(f, &run_id, &dataid) == 0)
			break;
		stats_add(&claim[k], stats_now() - t);
		t = stats_now();
		floor_finish(f, run_id, 0);
		stats_add(&finish[k], stats_now() - t);
		free(run_id);
		free(dataid);
	}
	PQfinish(f->conn);
	printf("{\"sql\":\"%s\",\"session\":\"%s\"", f->df ? "df" : "floor",
	    reconnect ? "new" : "reused");
	stats_json(stdout, "claim", &claim[0]);
	stats_json(stdout, "finish", &finish[0]);
	if (ref != NULL) {
		stats_json(stdout, "ref_claim", &claim[1]);
		stats_json(stdout, "ref_finish", &finish[1]);
	}
	printf("}\n");
	for (k = 0; k < 2; k++) {
		stats_free(&claim[k]);
		stats_free(&finish[k]);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct floor	 f;
	const char	*u, *ref = NULL;
	char		*run_id, *dataid;
	struct tm	 tm;
	time_t		 now;
	long		 max = 1, runs = 0, lat = 0;
	int		 ch, idle = 0, status = 0;
	bool		 reconnect = false;

	memset(&f, 0, sizeof(f));
	while ((ch = getopt(argc, argv, "+Dd:j:k:m:x:L:R")) != -1) {
		switch (ch) {
		case 'D':
			f.df = true;
			break;
		case 'd':
			f.conninfo = optarg;
			break;
		case 'j':
			f.jobid = optarg;
			break;
		case 'k':
			ref = optarg;
			break;
		case 'm':
			max = atol(optarg);
			break;
		case 'x':
			idle = atoi(optarg);
			break;
		case 'L':
			lat = atol(optarg);
			break;
		case 'R':
			reconnect = true;
			break;
		default:
			usage();
		}
	}
	argv += optind;
	argc -= optind;
	if (f.conninfo == NULL || f.jobid == NULL || (lat == 0 && argc == 0))
		usage();

	if (gethostname(f.host, sizeof(f.host)) == -1)
		strcpy(f.host, "unknown");
	snprintf(f.pid, sizeof(f.pid), "%d", (int)getpid());
	if ((u = getenv("USER")) == NULL)
		u = "floor";
	snprintf(f.user, sizeof(f.user), "%s", u);
	if (f.df) {
		now = time(NULL);
		localtime_r(&now, &tm);
		strftime(f.today, sizeof(f.today), "%Y-%m-%d", &tm);
	}
	if (lat > 0)
		return floor_latency(&f, lat, reconnect, ref);

	floor_connect(&f);
	for (;;) {
		if (floor_claim(&f, &run_id, &dataid) == 0) {
			if (runs == 0)
				status = idle;
			break;
		}
		status = floor_spawn(argv, dataid);
		floor_finish(&f, run_id, status);
		free(run_id);
		free(dataid);
		if (++runs == max)
			break;
	}
	PQfinish(f.conn);
	return status;
}
