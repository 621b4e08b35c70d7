/* passkey.c: find the passkey (never in argv), keep it in a wipeable buffer. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <readpassphrase.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "passkey.h"
#include "xmalloc.h"

extern char **environ;

/* Copy the len bytes at src into pk; what names them in messages. */
static int
passkey_set(struct passkey *pk, const char *src, size_t len,
    enum passkey_source source, const char *what, char **errp)
{
	if (len == 0) {
		*errp = xasprintf("%s is empty", what);
		return -1;
	}
	if (len > PASSKEY_MAX - 1) {
		*errp = xasprintf("%s is too long (more than %d bytes)", what,
		    PASSKEY_MAX - 1);
		return -1;
	}
	if (memchr(src, '\0', len) != NULL) {
		*errp = xasprintf("%s contains a NUL byte", what);
		return -1;
	}
	memcpy(pk->buf, src, len);
	pk->buf[len] = '\0';
	pk->len = len;
	pk->source = source;
	return 1;
}

ssize_t
passkey_read_private(const char *path, const char *what, char *buf,
    size_t size, char **errp)
{
	struct stat	 st;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		*errp = xasprintf("could not open %s \"%s\": %s", what, path,
		    strerror(errno));
		return -1;
	}
	n = -1;
	if (fstat(fd, &st) == -1) {
		*errp = xasprintf("could not stat %s \"%s\": %s", what, path,
		    strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
		*errp = xasprintf("%s \"%s\" is not a regular file", what,
		    path);
		goto out;
	}
	/* As PostgreSQL does for its key: root may share it with a group. */
	if ((st.st_mode & 077) != 0 &&
	    (st.st_uid != 0 || (st.st_mode & 037) != 0)) {
		*errp = xasprintf("%s \"%s\" is accessible by group or others "
		    "(mode %04o): chmod 600 it", what, path,
		    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if ((n = fileio_read_full(fd, buf, size)) == -1)
		*errp = xasprintf("could not read %s \"%s\": %s", what, path,
		    strerror(errno));
out:
	close(fd);
	return n;
}

int
passkey_read_file(struct passkey *pk, const char *path, char **errp)
{
	char		 tmp[PASSKEY_MAX + 1];
	char		*what;
	ssize_t		 n;
	size_t		 len;
	int		 rv;

	passkey_clear(pk);
	if ((n = passkey_read_private(path, "passkey file", tmp, sizeof(tmp),
	    errp)) == -1) {
		explicit_bzero(tmp, sizeof(tmp));
		return -1;
	}
	len = (size_t)n;
	if (len > 0 && tmp[len - 1] == '\n') {
		len--;
		if (len > 0 && tmp[len - 1] == '\r')
			len--;
	}
	what = xasprintf("passkey file \"%s\"", path);
	rv = passkey_set(pk, tmp, len, PASSKEY_FROM_FILE, what, errp);
	explicit_bzero(tmp, sizeof(tmp));
	free(what);
	return rv;
}

/* Ask for the passkey on the terminal, twice with PASSKEY_CONFIRM. */
static int
passkey_prompt(struct passkey *pk, int flags, char **errp)
{
	char	 tmp[PASSKEY_MAX + 1], again[PASSKEY_MAX + 1];
	int	 rv = -1;

	if (readpassphrase("Passkey: ", tmp, sizeof(tmp),
	    RPP_ECHO_OFF | RPP_REQUIRE_TTY) == NULL) {
		*errp = xasprintf("could not read the passkey from the "
		    "terminal: %s", strerror(errno));
		goto out;
	}
	if (flags & PASSKEY_CONFIRM) {
		if (readpassphrase("Passkey again: ", again, sizeof(again),
		    RPP_ECHO_OFF | RPP_REQUIRE_TTY) == NULL) {
			*errp = xasprintf("could not read the passkey from the "
			    "terminal: %s", strerror(errno));
			goto out;
		}
		if (strcmp(tmp, again) != 0) {
			*errp = xasprintf("the passkeys typed do not match");
			goto out;
		}
	}
	rv = passkey_set(pk, tmp, strlen(tmp), PASSKEY_FROM_PROMPT,
	    "the passkey typed", errp);
out:
	explicit_bzero(tmp, sizeof(tmp));
	explicit_bzero(again, sizeof(again));
	return rv;
}

int
passkey_get(struct passkey *pk, const char *file, int flags, char **errp)
{
	const char	*v;

	passkey_clear(pk);
	if (file != NULL)
		return passkey_read_file(pk, file, errp);
	if ((v = getenv(PASSKEY_ENV)) != NULL && *v != '\0')
		return passkey_set(pk, v, strlen(v), PASSKEY_FROM_ENV,
		    "$" PASSKEY_ENV, errp);
	if ((v = getenv(PASSKEY_FILE_ENV)) != NULL && *v != '\0')
		return passkey_read_file(pk, v, errp);
	if ((flags & PASSKEY_PROMPT) && isatty(STDIN_FILENO))
		return passkey_prompt(pk, flags, errp);
	return 0;
}

void
passkey_clear(struct passkey *pk)
{
	explicit_bzero(pk, sizeof(*pk));
}

void
passkey_scrub_env(void)
{
	const size_t	 n = sizeof(PASSKEY_ENV "=") - 1;
	char		**e;

	for (e = environ; e != NULL && *e != NULL; e++) {
		if (strncmp(*e, PASSKEY_ENV "=", n) == 0)
			explicit_bzero(*e + n, strlen(*e + n));
	}
	unsetenv(PASSKEY_ENV);
}

/*
 * There is no --passkey option, and its abbreviations must not reach
 * getopt_long, which would show the passkey: every prefix of "passkey" is
 * also one of "passkey-file", so getopt_long finds "--passk=SECRET"
 * ambiguous and prints it whole, SECRET included, or (in a program without
 * a "passkey" entry) takes it for --passkey-file and SECRET for a file name
 * that the error shows. So "--NAME" and "--NAME=VALUE" are refused when
 * NAME is a prefix of "passkey", from "--p" up to "--passkey", and also
 * for the empty NAME of "--=VALUE" (ambiguous with every option); "--"
 * alone ends the options. What extends past "passkey" is left to
 * getopt_long: "--passkey-", "--passkey-f" and so on are unambiguous
 * abbreviations of --passkey-file.
 */
bool
passkey_is_option(const char *arg)
{
	size_t	 len;

	if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0')
		return false;
	arg += 2;
	len = strcspn(arg, "=");
	return len <= strlen("passkey") && strncmp(arg, "passkey", len) == 0;
}

/* Wipe the value of the passkey option argv[i]; we exit right after. */
static void
passkey_wipe_option(int argc, char **argv, int i)
{
	char	*eq;

	if ((eq = strchr(argv[i], '=')) != NULL)
		explicit_bzero(eq + 1, strlen(eq + 1));
	else if (i + 1 < argc)
		explicit_bzero(argv[i + 1], strlen(argv[i + 1]));
}

/*
 * The index of the argument that getopt_long has just parsed in v, when it
 * may be a long option: the last it consumed, or the one before it when
 * that was the option's own argument. -1 when it is the argument argof
 * (in a cluster of short options optind stays put, and v[optind - 1] may
 * be the argument an earlier option took).
 */
static int
passkey_parsed(char **v, const char *argof)
{
	int	 i = optind - 1;

	if (optarg != NULL && optarg == v[i] && i > 1)
		i--;
	return i < 1 || v[i] == argof ? -1 : i;
}

int
passkey_refuse_argv(int argc, char **argv, const char *optstring,
    const struct option *longopts)
{
	const char	*found = NULL, *argof = NULL;
	char		**v;
	int		  i, saved_opterr = opterr;

	if (optstring == NULL) {
		for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
			if (passkey_is_option(argv[i])) {
				passkey_wipe_option(argc, argv, i);
				return i;
			}
		}
		return 0;
	}
	/* A silent parse of a copy: getopt_long may permute it. */
	v = xcalloc((size_t)argc + 1, sizeof(*v));
	memcpy(v, argv, (size_t)argc * sizeof(*v));
	opterr = 0;
	optind = 0;
	while (getopt_long(argc, v, optstring, longopts, NULL) != -1) {
		if ((i = passkey_parsed(v, argof)) != -1 &&
		    passkey_is_option(v[i])) {
			found = v[i];
			break;
		}
		if (optarg != NULL && optarg == v[optind - 1])
			argof = optarg;
	}
	free(v);
	opterr = saved_opterr;
	optind = 0;
	for (i = 1; found != NULL && i < argc; i++) {
		if (argv[i] == found) {
			passkey_wipe_option(argc, argv, i);
			return i;
		}
	}
	return 0;
}

const char *
passkey_source_name(enum passkey_source source)
{
	switch (source) {
	case PASSKEY_FROM_FILE:
		return "file";
	case PASSKEY_FROM_ENV:
		return "$" PASSKEY_ENV;
	case PASSKEY_FROM_PROMPT:
		return "terminal";
	default:
		return "none";
	}
}
