/*
 * test_passkey.c: unit tests for lib/passkey.c: which arguments name the
 * --passkey option that does not exist (data/passkey_argv.tsv), and the
 * passkey wiped from what /proc/PID/environ shows.
 */
#include <sys/wait.h>

#include <fcntl.h>
#include <getopt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "passkey.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "tsv.h"

#define MAXARGS	32
#define SCRUB_CHILD	"--scrub-child"
#define SCRUB_SECRET	"scrub-secret-in-environ"

static const char	*self;	/* argv[0], to run ourselves again */

/* Like runjob's: options stop at the script. */
static const struct option runjob_options[] = {
	{ "job",	  required_argument,	NULL, 'j' },
	{ "config",	  required_argument,	NULL, 'c' },
	{ "param",	  required_argument,	NULL, 'P' },
	{ "passkey-file", required_argument,	NULL, 'F' },
	{ "quiet",	  no_argument,		NULL, 'q' },
	{ "verbose",	  no_argument,		NULL, 'v' },
	{ NULL,		  0,			NULL, 0 }
};

/* Like cryptor's: permuted, operands anywhere. */
static const struct option cryptor_options[] = {
	{ "decrypt",	  no_argument,		NULL, 'd' },
	{ "encrypt",	  no_argument,		NULL, 'e' },
	{ "passkey-file", required_argument,	NULL, 'F' },
	{ "salt-from",	  required_argument,	NULL, 'S' },
	{ NULL,		  0,			NULL, 0 }
};

/* Split s on spaces into fresh strings in argv; return their number. */
static int
split(const char *s, char **argv)
{
	char	*copy = xstrdup(s), *p = copy, *w;
	int	 n = 0;

	while ((w = strsep(&p, " ")) != NULL && n < MAXARGS - 1)
		argv[n++] = xstrdup(w);
	argv[n] = NULL;
	free(copy);
	return n;
}

static char *
join(int argc, char **argv)
{
	struct strbuf	 sb = STRBUF_INIT;
	int		 i;

	for (i = 0; i < argc; i++)
		strbuf_addf(&sb, "%s%s", i > 0 ? " " : "",
		    argv[i][0] != '\0' ? argv[i] : "''");
	return strbuf_detach(&sb);
}

static void
test_table(void **state)
{
	const struct tcase	*c = *state;
	char			*argv[MAXARGS], *after;
	int			 argc, i, got;

	if (strcmp(c->f[0], "is") == 0) {
		assert_int_equal(passkey_is_option(c->f[1]),
		    strcmp(c->f[2], "yes") == 0);
		return;
	}
	if (strcmp(c->f[0], "refuse") != 0 || c->nf != 5)
		fail_msg("bad case");
	argc = split(c->f[2], argv);
	if (strcmp(c->f[1], "runjob") == 0)
		got = passkey_refuse_argv(argc, argv, "+j:c:qv",
		    runjob_options);
	else if (strcmp(c->f[1], "cryptor") == 0)
		got = passkey_refuse_argv(argc, argv, "de", cryptor_options);
	else
		got = passkey_refuse_argv(argc, argv, NULL, NULL);
	assert_int_equal(got, atoi(c->f[3]));
	assert_int_equal(optind, 0);
	after = join(argc, argv);
	assert_string_equal(after, c->f[4]);
	/* The value is wiped, and the message names it not. */
	assert_null(strstr(after, "SECRETX"));
	assert_null(strstr(PASSKEY_NO_OPTION, "SECRETX"));
	free(after);
	for (i = 0; i < argc; i++)
		free(argv[i]);
}

/* The caller's own parse starts afresh, and sees argv unpermuted. */
static void
test_parse_after(void **state)
{
	char	*argv[MAXARGS];
	int	 argc, ch, i, seen = 0;

	(void)state;
	argc = split("cryptor CT -d --passkey-f f", argv);
	assert_int_equal(passkey_refuse_argv(argc, argv, "de",
	    cryptor_options), 0);
	assert_string_equal(argv[1], "CT");
	while ((ch = getopt_long(argc, argv, "de", cryptor_options,
	    NULL)) != -1) {
		if (ch == 'd')
			seen |= 1;
		else if (ch == 'F' && strcmp(optarg, "f") == 0)
			seen |= 2;
		else
			fail_msg("unexpected option %d", ch);
	}
	assert_int_equal(seen, 3);
	assert_int_equal(optind, argc - 1);
	assert_string_equal(argv[optind], "CT");
	for (i = 0; i < argc; i++)
		free(argv[i]);
	optind = 0;
}

/*
 * In a copy of ourselves started with PASSKEY in its environment: wipe it,
 * then read /proc/self/environ, which shows the environment as exec gave
 * it (what another process could read). Exit 0 when the passkey is gone
 * and the rest is there.
 */
static int
scrub_child(void)
{
	char	 buf[65536];
	size_t	 len = 0;
	ssize_t	 n;
	int	 fd;

	passkey_scrub_env();
	if (getenv(PASSKEY_ENV) != NULL)
		return 1;
	if ((fd = open("/proc/self/environ", O_RDONLY)) == -1)
		return 77;
	while (len < sizeof(buf) &&
	    (n = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (memmem(buf, len, "OTHER=1", 8) == NULL)
		return 77;	/* not our environment (valgrind's?) */
	if (memmem(buf, len, SCRUB_SECRET, strlen(SCRUB_SECRET)) != NULL)
		return 2;
	return 0;
}

static void
test_scrub_env(void **state)
{
	static char	 child[] = SCRUB_CHILD;
	static char	 pk[] = PASSKEY_ENV "=" SCRUB_SECRET, other[] = "OTHER=1";
	char		*argv[] = { NULL, child, NULL };
	char		*envp[] = { pk, other, NULL };
	pid_t		 pid;
	int		 status;

	(void)state;
	argv[0] = (char *)(uintptr_t)self;
	if ((pid = fork()) == -1)
		fail_msg("fork failed");
	if (pid == 0) {
		execve(self, argv, envp);
		_exit(3);
	}
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status))
		fail_msg("the child did not exit");
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

int
main(int argc, char **argv)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_parse_after),
		cmocka_unit_test(test_scrub_env),
	};

	if (argc == 2 && strcmp(argv[1], SCRUB_CHILD) == 0)
		return scrub_child();
	self = argv[0];
	return tsv_run_group("passkey", fixed, sizeof fixed / sizeof fixed[0],
	    TEST_DATADIR "/passkey_argv.tsv", 3, test_table);
}
