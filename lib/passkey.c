/* passkey.c: find the passkey (never in argv), keep it in a wipeable buffer. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <readpassphrase.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int
passkey_read_file(struct passkey *pk, const char *path, char **errp)
{
	struct stat	 st;
	char		 tmp[PASSKEY_MAX + 1];
	char		*what = NULL;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd, rv = -1;

	passkey_clear(pk);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		*errp = xasprintf("could not open passkey file \"%s\": %s",
		    path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		*errp = xasprintf("could not stat passkey file \"%s\": %s",
		    path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
		*errp = xasprintf("passkey file \"%s\" is not a regular file",
		    path);
		goto out;
	}
	/* As PostgreSQL does for its key: root may share it with a group. */
	if ((st.st_mode & 077) != 0 &&
	    (st.st_uid != 0 || (st.st_mode & 037) != 0)) {
		*errp = xasprintf("passkey file \"%s\" is accessible by group "
		    "or others (mode %04o): chmod 600 it", path,
		    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	while (len < sizeof(tmp)) {
		n = read(fd, tmp + len, sizeof(tmp) - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			*errp = xasprintf("could not read passkey file \"%s\": "
			    "%s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > 0 && tmp[len - 1] == '\n') {
		len--;
		if (len > 0 && tmp[len - 1] == '\r')
			len--;
	}
	what = xasprintf("passkey file \"%s\"", path);
	rv = passkey_set(pk, tmp, len, PASSKEY_FROM_FILE, what, errp);
out:
	explicit_bzero(tmp, sizeof(tmp));
	free(what);
	close(fd);
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
