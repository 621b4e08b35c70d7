/* fileio.c: file plumbing written once: whole reads and writes, atomic
 * replacement (signify's writeall, PostgreSQL's durable_rename), mkdir -p. */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "strbuf.h"
#include "xmalloc.h"

int
fileio_write_all(int fd, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t
fileio_read_full(int fd, void *buf, size_t size)
{
	char	*p = buf;
	size_t	 len = 0;
	ssize_t	 n;

	while (len < size) {
		if ((n = read(fd, p + len, size - len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	return (ssize_t)len;
}

int
fileio_read_all(int fd, struct strbuf *sb, size_t max)
{
	char	 buf[8192];
	size_t	 len = 0;
	ssize_t	 n;

	for (;;) {
		if ((n = read(fd, buf, sizeof(buf))) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return 0;
		if (max > 0 && (size_t)n > max - len) {
			errno = EFBIG;
			return -1;
		}
		strbuf_addn(sb, buf, (size_t)n);
		len += (size_t)n;
	}
}

/* Return the directory part of path (caller frees): "." for none. */
static char *
fileio_dirname(const char *path)
{
	const char	*slash;

	if ((slash = strrchr(path, '/')) == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* Make a rename in dir durable. Return 0, or -1 with errno. */
static int
fileio_sync_dir(const char *dir)
{
	int	 fd, rc, saved;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	saved = errno;
	close(fd);
	/* As PostgreSQL: some file systems cannot sync a directory. */
	if (rc == -1 && (saved == EINVAL || saved == EBADF))
		rc = 0;
	errno = saved;
	return rc;
}

int
fileio_write_atomic(const char *path, const void *buf, size_t len,
    mode_t mode, char **errp)
{
	const char	*base;
	char		*dir, *tmp;
	int		 fd, rc = -1;

	dir = fileio_dirname(path);
	base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	tmp = xasprintf("%s/.%s.XXXXXX", dir, base);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		*errp = xasprintf("could not create a file in \"%s\": %s", dir,
		    strerror(errno));
		goto out;
	}
	/* mkostemp made it 0600. The file must be whole on disk before its
	 * name is: a crash after the rename must not leave it empty. */
	if (fileio_write_all(fd, buf, len) == -1 ||
	    fchmod(fd, mode) == -1 || fsync(fd) == -1) {
		*errp = xasprintf("could not write \"%s\": %s", tmp,
		    strerror(errno));
		close(fd);
		goto fail;
	}
	if (close(fd) == -1) {
		*errp = xasprintf("could not write \"%s\": %s", tmp,
		    strerror(errno));
		goto fail;
	}
	if (rename(tmp, path) == -1) {
		*errp = xasprintf("could not rename \"%s\" to \"%s\": %s", tmp,
		    path, strerror(errno));
		goto fail;
	}
	if (fileio_sync_dir(dir) == -1) {
		*errp = xasprintf("could not sync directory \"%s\": %s", dir,
		    strerror(errno));
		goto out;
	}
	rc = 0;
	goto out;
fail:
	unlink(tmp);
out:
	free(tmp);
	free(dir);
	return rc;
}

int
fileio_mkdir_p(const char *path, mode_t mode, mode_t parent_mode,
    char **errp)
{
	struct stat	 st;
	char		*p, *s;
	int		 made = 0, last, saved;

	if (*path == '\0') {
		*errp = xasprintf("could not create directory \"\": %s",
		    strerror(ENOENT));
		return -1;
	}
	p = xstrdup(path);
	for (s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		last = *s == '\0';
		*s = '\0';
		if (mkdir(p, last ? mode : parent_mode) == 0)
			made = last;
		else {
			/* An existing parent we may not write is fine. */
			saved = errno;
			if (stat(p, &st) == -1 || !S_ISDIR(st.st_mode)) {
				if (saved == EEXIST)
					saved = ENOTDIR;
				*errp = xasprintf("could not create directory "
				    "\"%s\": %s", p, strerror(saved));
				free(p);
				return -1;
			}
		}
		if (last)
			break;
		*s = '/';
	}
	free(p);
	return made;
}
