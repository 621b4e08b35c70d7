/* tail.h: the last bytes a failed run's script wrote to stderr, kept with
 * the run (run.stderr_tail). */
#ifndef DF_TAIL_H
#define DF_TAIL_H

#include <stddef.h>

#define TAIL_MAX	4096	/* bytes of a failed run's stderr kept */

struct tail {
	char	 buf[TAIL_MAX];
	size_t	 len;
	unsigned long long cut;	/* bytes dropped before buf */
	int	 fd;		/* tail_tee passes the bytes on to it; -1: no */
};

/* Empty t for a new run; tail_tee passes what it gets on to fd (-1: no). */
void	 tail_reset(struct tail *t, int fd);
/* Keep the last TAIL_MAX bytes of what t held followed by p[0..n-1]. */
void	 tail_add(struct tail *t, const char *p, size_t n);
/*
 * A process_run stderr callback (arg: the struct tail): keep the bytes in
 * the tail and write them whole to t->fd (a write error drops the rest).
 */
void	 tail_tee(void *arg, const char *p, size_t n);
/* Add the last TAIL_MAX bytes of the file at path (a log the script
 * wrote); a file that cannot be opened adds nothing. */
void	 tail_add_file(struct tail *t, const char *path);
/*
 * Return the tail as text for the database, NUL and bytes >= 0x80 (which
 * need not be valid UTF-8) replaced by '?'; caller frees. NULL when empty.
 * When the beginning was cut, the text starts at a line: the partial first
 * line is dropped too (unless it is the only one) and a first line says
 * how much is missing, "[... 12 KB cut]", all in at most TAIL_MAX bytes.
 */
char	*tail_text(const struct tail *t);

#endif
