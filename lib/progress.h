/* progress.h: a progress line on a terminal for long operations (count,
 * rate, ETA, or elapsed time while one statement runs). */
#ifndef DF_PROGRESS_H
#define DF_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

#define PROGRESS_REDRAW_MS	250	/* at most 4 redraws a second */

struct progress;

/*
 * Return a new progress line about what (copied) written to fd with "\r"
 * and redrawn every PROGRESS_REDRAW_MS by a thread of its own, or NULL
 * (nothing is ever written) when quiet or fd is not a terminal. total is
 * the count expected, or -1 when unknown (then the line shows the count
 * so far, or a spinner and the elapsed time while there is none). Free
 * with progress_end.
 */
struct progress	*progress_new(int fd, const char *what, long long total,
		    bool quiet);
/* Set the count done so far (p may be NULL). */
void		 progress_set(struct progress *p, long long done);
/*
 * Read the count done from *counter at each redraw instead (memory that
 * other processes add to atomically, runjob --streams); p may be NULL.
 */
void		 progress_watch(struct progress *p, const long long *counter);
/* Stop the thread, clear the line, free p; NULL is a no-op. */
void		 progress_end(struct progress *p);
/*
 * Write the line for done of total (-1: unknown) after secs seconds, tick
 * the redraws so far (the spinner), to buf: "what 1200/5000 24% 300/s ETA
 * 13s", "what 1200 300/s 4.0s", "what | 2.5s". Return buf.
 */
const char	*progress_format(char *buf, size_t len, const char *what,
		    long long done, long long total, double secs,
		    unsigned int tick);

#endif
