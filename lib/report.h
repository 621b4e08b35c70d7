/* report.h: how a library step tells its caller what happens as it goes
 * (lib never prints: the program decides what reaches the terminal). */
#ifndef DF_REPORT_H
#define DF_REPORT_H

enum report_level {
	REPORT_WARN,		/* always said (runjob: warnx) */
	REPORT_INFO,		/* a status line, unless quiet */
	REPORT_DEBUG		/* only when verbose */
};

struct report {
	/* Called with each message, one line without "prog: " or newline;
	 * msg is only valid during the call. NULL: messages are dropped. */
	void	(*fn)(void *arg, enum report_level level, const char *msg);
	void	*arg;
};

/* Format a message and hand it to r->fn; r or r->fn NULL: nothing. */
void	report(const struct report *r, enum report_level level,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
