/* tail.c: a fixed buffer of the last bytes of a script's stderr. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "tail.h"
#include "xmalloc.h"

void
tail_reset(struct tail *t, int fd)
{
	memset(t, 0, sizeof(*t));
	t->fd = fd;
}

void
tail_add(struct tail *t, const char *p, size_t n)
{
	if (n >= sizeof(t->buf)) {
		memcpy(t->buf, p + n - sizeof(t->buf), sizeof(t->buf));
		t->len = sizeof(t->buf);
		return;
	}
	if (t->len + n > sizeof(t->buf)) {
		size_t drop = t->len + n - sizeof(t->buf);

		memmove(t->buf, t->buf + drop, t->len - drop);
		t->len -= drop;
	}
	memcpy(t->buf + t->len, p, n);
	t->len += n;
}

void
tail_tee(void *arg, const char *p, size_t n)
{
	struct tail	*t = arg;

	tail_add(t, p, n);
	if (t->fd >= 0)
		(void)fileio_write_all(t->fd, p, n);
}

void
tail_add_file(struct tail *t, const char *path)
{
	char	 buf[TAIL_MAX];
	off_t	 size;
	ssize_t	 n;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	size = lseek(fd, 0, SEEK_END);
	if (size > (off_t)sizeof(buf))
		lseek(fd, size - (off_t)sizeof(buf), SEEK_SET);
	else
		lseek(fd, 0, SEEK_SET);
	if ((n = fileio_read_full(fd, buf, sizeof(buf))) > 0)
		tail_add(t, buf, (size_t)n);
	close(fd);
}

char *
tail_text(const struct tail *t)
{
	char	*s;
	size_t	 i;

	if (t->len == 0)
		return NULL;
	/* Not xstrndup: it would stop at the first NUL the script wrote. */
	s = xmalloc(t->len + 1);
	memcpy(s, t->buf, t->len);
	s[t->len] = '\0';
	for (i = 0; i < t->len; i++)
		if (s[i] == '\0' || (unsigned char)s[i] >= 0x80)
			s[i] = '?';
	return s;
}
