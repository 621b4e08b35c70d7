/*
 * drive.c: the bench's process driver: spawn commands and time them, from
 * exec to exit, as a scheduler would run RunJob. Prints JSON on stdout.
 *
 *   drive [-n RUNS] [-w WARMUP] [-T SECS] [-e STATUS] [-l LOG]
 *         -- CMD [ARG...] [::: CMD [ARG...]]...
 *	Run each command RUNS times, the commands taking turns (so that the
 *	machine's noise falls on all alike); one JSON object per command:
 *	wall time median/min/p10/p90/max/mean, peak RSS, failures.
 *   drive -j STREAMS -x IDLE [-T SECS] [-l LOG] -- CMD [ARG...]
 *	Drain: STREAMS concurrent loops, each running CMD again and again
 *	until it exits IDLE (nothing left to claim); one JSON object: the
 *	runs that exited 0, elapsed seconds and their rate per second.
 *
 * Children get /dev/null as stdin and stdout, stderr goes to LOG (default
 * /dev/null). The clock stops when wait4() returns: what a caller waits.
 * With $BENCH_PHASES_FILE set, each child also gets $BENCH_T0, the
 * CLOCK_MONOTONIC time of its spawn in ns, for bench/phases.so.
 */
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stats.h"

#define DRIVE_MAXCMDS		16
#define DRIVE_MAXSTREAMS	256
#define DRIVE_MAXFAIL		20	/* per stream, then it stops */

extern char **environ;

struct cmd {
	char		**argv;
	struct stats	  wall;
	long		  maxrss_kb;	/* largest seen */
	double		  cpu_ms;	/* user + system, summed */
	double		  minflt;	/* page faults, summed */
	unsigned long	  counted;	/* runs in the sums */
	unsigned long	  failed;
	int		  last_bad;	/* an unexpected status, for the log */
};

static const char	*log_path = "/dev/null";
static volatile sig_atomic_t stop;

static void
usage(void)
{
	fputs("usage: drive [-n RUNS] [-w WARMUP] [-T SECS] [-e STATUS] "
	    "[-l LOG] -- CMD... [::: CMD...]...\n"
	    "       drive -j STREAMS -x IDLE [-T SECS] [-l LOG] -- CMD...\n",
	    stderr);
	exit(64);
}

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static long
number(const char *s, long min, long max)
{
	char	*end;
	long	 n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || n < min || n > max) {
		fprintf(stderr, "drive: bad number \"%s\"\n", s);
		usage();
	}
	return n;
}

/* Start argv with stdin/stdout on /dev/null, stderr appended to the log. */
static pid_t
spawn(char **argv)
{
	posix_spawn_file_actions_t	 fa;
	char				 t0[32];
	pid_t				 pid;
	int				 e;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, log_path,
	    O_WRONLY | O_CREAT | O_APPEND, 0644);
	/* For bench/phases.so: when the exec began. */
	if (getenv("BENCH_PHASES_FILE") != NULL) {
		snprintf(t0, sizeof(t0), "%lld", (long long)stats_now());
		setenv("BENCH_T0", t0, 1);
	}
	e = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (e != 0) {
		fprintf(stderr, "drive: %s: %s\n", argv[0], strerror(e));
		exit(70);
	}
	return pid;
}

/* Return the exit status as a shell shows it (128+N for signal N). */
static int
status_of(int ws)
{
	if (WIFEXITED(ws))
		return WEXITSTATUS(ws);
	if (WIFSIGNALED(ws))
		return 128 + WTERMSIG(ws);
	return 255;
}

/* Add one run's resource usage to c. */
static void
account(struct cmd *c, const struct rusage *ru)
{
	if (ru->ru_maxrss > c->maxrss_kb)
		c->maxrss_kb = ru->ru_maxrss;
	c->cpu_ms += (double)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) *
	    1e3 + (double)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1e3;
	c->minflt += (double)ru->ru_minflt;
	c->counted++;
}

static void
print_cmd_json(const struct cmd *c, const char *mode)
{
	char	**a;

	printf("{\"mode\":\"%s\",\"cmd\":\"", mode);
	for (a = c->argv; *a != NULL; a++) {
		const char *p;

		for (p = *a; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				putchar('\\');
			if ((unsigned char)*p >= 0x20)
				putchar(*p);
		}
		if (a[1] != NULL)
			putchar(' ');
	}
	printf("\",\"failed\":%lu,\"last_bad_status\":%d,\"maxrss_kb\":%ld,"
	    "\"cpu_mean_ms\":%.4f,\"minflt_mean\":%.1f", c->failed,
	    c->last_bad, c->maxrss_kb,
	    c->counted > 0 ? c->cpu_ms / (double)c->counted : 0,
	    c->counted > 0 ? c->minflt / (double)c->counted : 0);
}

/* Latency: run every command runs times, taking turns. */
static int
latency(struct cmd *cmds, int ncmds, long runs, long warmup, int expect,
    int64_t deadline)
{
	struct rusage	 ru;
	int64_t		 t0;
	long		 i;
	pid_t		 pid;
	int		 c, ws;
	bool		 timed_out = false;

	for (i = 0; i < warmup + runs && !stop; i++) {
		if (stats_now() > deadline) {
			timed_out = true;
			break;
		}
		for (c = 0; c < ncmds; c++) {
			t0 = stats_now();
			pid = spawn(cmds[c].argv);
			while (wait4(pid, &ws, 0, &ru) == -1)
				if (errno != EINTR) {
					perror("drive: wait4");
					exit(70);
				}
			if (i < warmup)
				continue;
			stats_add(&cmds[c].wall, stats_now() - t0);
			account(&cmds[c], &ru);
			if (status_of(ws) != expect) {
				cmds[c].failed++;
				cmds[c].last_bad = status_of(ws);
			}
		}
	}
	for (c = 0; c < ncmds; c++) {
		print_cmd_json(&cmds[c], "latency");
		printf(",\"timed_out\":%s", timed_out ? "true" : "false");
		stats_json(stdout, "wall", &cmds[c].wall);
		printf("}\n");
	}
	return 0;
}

/* Drain: streams loops of cmd, each until it exits idle. */
static int
drain(struct cmd *c, int streams, int idle, int64_t deadline)
{
	struct {
		pid_t		pid;
		int64_t		start;
		unsigned	fails;
	} s[DRIVE_MAXSTREAMS];
	struct rusage	 ru;
	int64_t		 t0, end;
	unsigned long	 done = 0, idles = 0;
	pid_t		 pid;
	int		 i, ws, st, live = 0;
	bool		 timed_out = false;

	memset(s, 0, sizeof(s));
	t0 = stats_now();
	for (i = 0; i < streams; i++) {
		s[i].start = stats_now();
		s[i].pid = spawn(c->argv);
		live++;
	}
	while (live > 0) {
		if ((pid = wait4(-1, &ws, 0, &ru)) == -1) {
			if (errno == EINTR)
				continue;
			perror("drive: wait4");
			exit(70);
		}
		for (i = 0; i < streams && s[i].pid != pid; i++)
			;
		if (i == streams)
			continue;
		end = stats_now();
		st = status_of(ws);
		s[i].pid = 0;
		live--;
		account(c, &ru);
		if (st == 0) {
			done++;
			stats_add(&c->wall, end - s[i].start);
		} else if (st == idle) {
			idles++;
			continue;	/* this stream found nothing: done */
		} else {
			c->failed++;
			c->last_bad = st;
			if (++s[i].fails >= DRIVE_MAXFAIL)
				continue;
		}
		if (stop)
			continue;
		if (end > deadline) {
			timed_out = true;
			continue;
		}
		s[i].start = stats_now();
		s[i].pid = spawn(c->argv);
		live++;
	}
	end = stats_now();
	print_cmd_json(c, "drain");
	printf(",\"streams\":%d,\"partitions\":%lu,\"idle_exits\":%lu,"
	    "\"elapsed_s\":%.4f,\"rate_per_s\":%.2f,\"timed_out\":%s",
	    streams, done, idles, (double)(end - t0) / 1e9,
	    (double)done / ((double)(end - t0) / 1e9),
	    timed_out ? "true" : "false");
	stats_json(stdout, "wall", &c->wall);
	printf("}\n");
	return 0;
}

int
main(int argc, char **argv)
{
	struct cmd	 cmds[DRIVE_MAXCMDS];
	struct sigaction sa;
	long		 runs = 100, warmup = 0, secs = 3600;
	int		 ch, i, ncmds = 0, streams = 0, expect = 0, idle = -1;

	while ((ch = getopt(argc, argv, "+n:w:T:e:l:j:x:")) != -1) {
		switch (ch) {
		case 'n':
			runs = number(optarg, 1, 100000000);
			break;
		case 'w':
			warmup = number(optarg, 0, 1000000);
			break;
		case 'T':
			secs = number(optarg, 1, 86400 * 7);
			break;
		case 'e':
			expect = (int)number(optarg, 0, 255);
			break;
		case 'l':
			log_path = optarg;
			break;
		case 'j':
			streams = (int)number(optarg, 1, DRIVE_MAXSTREAMS);
			break;
		case 'x':
			idle = (int)number(optarg, 1, 255);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage();

	/* Split the commands at ":::"; each must be a path (no PATH search). */
	memset(cmds, 0, sizeof(cmds));
	cmds[0].argv = argv;
	ncmds = 1;
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], ":::") != 0)
			continue;
		argv[i] = NULL;
		if (ncmds == DRIVE_MAXCMDS || i + 1 == argc)
			usage();
		cmds[ncmds++].argv = argv + i + 1;
	}
	for (i = 0; i < ncmds; i++)
		if (cmds[i].argv[0] == NULL)
			usage();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (streams > 0) {
		if (idle < 0 || ncmds != 1)
			usage();
		return drain(&cmds[0], streams, idle,
		    stats_now() + secs * 1000000000LL);
	}
	return latency(cmds, ncmds, runs, warmup, expect,
	    stats_now() + secs * 1000000000LL);
}
