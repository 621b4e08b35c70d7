/* passkey.h: obtain the passkey from a file, the environment or a prompt. */
#ifndef DF_PASSKEY_H
#define DF_PASSKEY_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

struct option;

#define PASSKEY_MAX		1024	/* buffer size; passkeys are shorter */
#define PASSKEY_ENV		"PASSKEY"	/* OpenDataFlow's name */
#define PASSKEY_FILE_ENV	"DATAFLOW_PASSKEY_FILE"

/* What the programs say of an argument passkey_refuse_argv() found. */
#define PASSKEY_NO_OPTION	"there is no --passkey option: a passkey on " \
	"the command line shows in ps(1); use $PASSKEY, --passkey-file or " \
	"the prompt"

/* Flags of passkey_get(). */
#define PASSKEY_PROMPT		0x01	/* ask the terminal as a last resort */
#define PASSKEY_CONFIRM		0x02	/* ask twice (when encrypting) */

enum passkey_source {
	PASSKEY_FROM_NONE = 0,
	PASSKEY_FROM_FILE,	/* --passkey-file, $DATAFLOW_PASSKEY_FILE */
	PASSKEY_FROM_ENV,		/* $PASSKEY */
	PASSKEY_FROM_PROMPT		/* the terminal */
};

/* A passkey in a fixed buffer, so that it can be wiped: passkey_clear(). */
struct passkey {
	char			 buf[PASSKEY_MAX];	/* NUL-terminated */
	size_t			 len;
	enum passkey_source	 source;
};

/*
 * Fill pk from, in this order: the file named by file (--passkey-file) when
 * not NULL, $PASSKEY when set and not empty, the file named by
 * $DATAFLOW_PASSKEY_FILE, and, with PASSKEY_PROMPT, a no-echo prompt when
 * standard input is a terminal. Return 1 with pk filled, 0 when none of
 * these is available (pk is empty), or -1 with *errp (caller frees) when one
 * is given but unusable: a file that cannot be read or is open to group or
 * others, an empty or too long passkey, a NUL byte, a prompt that failed.
 */
int		 passkey_get(struct passkey *pk, const char *file, int flags,
		    char **errp);
/*
 * Fill pk from the file at path: its contents less one trailing "\n" (or
 * "\r\n"). Symbolic links are followed; the file reached must be a regular
 * file or a pipe, with no permission for group or others, except that a file
 * owned by root may be readable by its group. Return 1, or -1 with *errp
 * (caller frees) and pk empty.
 */
int		 passkey_read_file(struct passkey *pk, const char *path,
		    char **errp);
/*
 * Read the file at path into the size bytes at buf, checked as
 * passkey_read_file checks a passkey file; what names it in messages
 * ("passkey file", "key file"). Return the bytes read (size when it may
 * hold more), or -1 with *errp (caller frees). The caller wipes buf.
 */
ssize_t		 passkey_read_private(const char *path, const char *what,
		    char *buf, size_t size, char **errp);
/* Wipe pk. */
void		 passkey_clear(struct passkey *pk);
/*
 * Wipe the value of $PASSKEY in place (so that /proc/PID/environ no longer
 * shows it) and remove it from the environment, so that child processes do
 * not inherit it.
 */
void		 passkey_scrub_env(void);
/*
 * Return whether arg is --passkey or an abbreviation of it ("--p" to
 * "--passkey"), alone or followed by "=VALUE" ("--=VALUE" included).
 */
bool		 passkey_is_option(const char *arg);
/*
 * Find the first argument that passkey_is_option among the options that
 * getopt_long(argc, argv, optstring, longopts) would parse (so not in an
 * option's argument, nor after "--" or, with "+", the first operand); with
 * optstring NULL, among every argument before "--". Wipe its value (what
 * follows "=", else the next argument) and return its index in argv, or
 * return 0 when there is none. getopt_long prints nothing meanwhile, and
 * its state is reset (optind = 0) for the caller's own parse.
 */
int		 passkey_refuse_argv(int argc, char **argv,
		    const char *optstring, const struct option *longopts);
/* Return a short name for source ("file", "$PASSKEY", "terminal"), static. */
const char	*passkey_source_name(enum passkey_source source);

#endif
