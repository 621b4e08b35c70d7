/* tail.c: a fixed buffer of the last bytes of a script's stderr. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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
		t->cut += t->len + n - sizeof(t->buf);
		memcpy(t->buf, p + n - sizeof(t->buf), sizeof(t->buf));
		t->len = sizeof(t->buf);
		return;
	}
	if (t->len + n > sizeof(t->buf)) {
		size_t drop = t->len + n - sizeof(t->buf);

		memmove(t->buf, t->buf + drop, t->len - drop);
		t->len -= drop;
		t->cut += drop;
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
	if (size > (off_t)sizeof(buf)) {
		lseek(fd, size - (off_t)sizeof(buf), SEEK_SET);
		t->cut += (unsigned long long)size - sizeof(buf);
	} else
		lseek(fd, 0, SEEK_SET);
	if ((n = fileio_read_full(fd, buf, sizeof(buf))) > 0)
		tail_add(t, buf, (size_t)n);
	close(fd);
}

/* Room for the line that says how much was cut, which fits below
 * 10^7 MB. */
#define TAIL_HEAD	24

/* Write how much was cut, "[... 12 KB cut]\n", to buf (of len). */
static size_t
tail_cut_line(unsigned long long cut, char *buf, size_t len)
{
	int	 n;

	if (cut < 1024)
		n = snprintf(buf, len, "[... %llu bytes cut]\n", cut);
	else if (cut < 1024ULL * 1024)
		n = snprintf(buf, len, "[... %llu KB cut]\n",
		    (cut + 512) / 1024);
	else
		n = snprintf(buf, len, "[... %llu MB cut]\n",
		    (cut + 512 * 1024) / (1024 * 1024));
	return n < 0 ? 0 : (size_t)n;
}

char *
tail_text(const struct tail *t)
{
	const char	*from = t->buf, *nl;
	char		*s, head[TAIL_HEAD] = "";
	size_t		 i, n = t->len, hlen = 0;
	unsigned long long cut = t->cut;

	if (t->len == 0)
		return NULL;
	if (cut > 0 && t->len > TAIL_HEAD) {
		/*
		 * The first line is partial: start at a whole one, leaving
		 * room for the line that says so within TAIL_MAX.
		 */
		nl = memchr(t->buf + TAIL_HEAD - 1, '\n',
		    t->len - TAIL_HEAD + 1);
		if (nl != NULL && nl + 1 < t->buf + t->len)
			from = nl + 1;
		else
			from = t->buf + TAIL_HEAD;
		cut += (size_t)(from - t->buf);
		n = t->len - (size_t)(from - t->buf);
		hlen = tail_cut_line(cut, head, sizeof(head));
	}
	/* Not xstrndup: it would stop at the first NUL the script wrote. */
	s = xmalloc(hlen + n + 1);
	memcpy(s, head, hlen);
	memcpy(s + hlen, from, n);
	s[hlen + n] = '\0';
	for (i = hlen; i < hlen + n; i++)
		if (s[i] == '\0' || (unsigned char)s[i] >= 0x80)
			s[i] = '?';
	return s;
}
