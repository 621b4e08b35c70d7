/* properties.h: read dataflow.properties (Java-style key=value files). */
#ifndef DF_PROPERTIES_H
#define DF_PROPERTIES_H

#include <stddef.h>

#define PROPERTIES_MAXLINE	65536	/* longest accepted logical line */

struct property {
	char	*key;
	char	*value;
	int	 line;		/* where it was set, for messages */
};

struct properties {
	char		*path;
	struct property	*items;		/* in file order; later keys win */
	size_t		 n;
	int		 mode;		/* the file's permission bits, or -1
					   when parsed from a string */
	unsigned	 uid;		/* the file's owner */
};

/*
 * Find the properties file: explicit (from --config) if not NULL, else
 * $DATAFLOW_PROPERTIES, ./dataflow.properties,
 * $XDG_CONFIG_HOME/dataflow/dataflow.properties (default ~/.config), and
 * SYSCONFDIR/dataflow/dataflow.properties, then /etc/dataflow/dataflow.properties
 * when SYSCONFDIR is elsewhere. Return the path (caller frees),
 * or NULL with *errp saying where it looked (caller frees). An explicit or
 * $DATAFLOW_PROPERTIES path that does not exist is an error, not skipped;
 * an empty variable is unset, and a relative $XDG_CONFIG_HOME is ignored.
 */
char			*properties_find(const char *explicit, char **errp);
/*
 * Parse the file at path: "key=value" or "key: value" lines, '#' and '!'
 * comment lines, a " #" comment after a value (an unescaped '#' after a
 * blank; a value may start with '#'), surrounding blanks trimmed, an odd
 * number of trailing backslashes continuing the line, Java's escapes (\t,
 * \n, \uXXXX, "\ ", \#, ...), lines ending in LF, CRLF or CR. A line
 * without '=' or ':' after its key, a line over PROPERTIES_MAXLINE bytes
 * and a NUL byte are errors. A file another user could have written is
 * refused (SPEC §4): one that is not a regular file, is owned by neither
 * the effective user nor root, or is writable by group or others, or that
 * sits in a directory others can write without the sticky bit. A symbolic
 * link is followed (/etc/dataflow/dataflow.properties may be one), but it
 * must be owned by the effective user or root, and the target's directory
 * is checked too. What is checked is the file opened (fstat), never a
 * second lookup of path. Return the properties (caller frees with
 * properties_free), or NULL with *errp = "PATH:LINE: message" or
 * "refusing \"PATH\": why".
 */
struct properties	*properties_load(const char *path, char **errp);
/* Parse properties from a string (origin names it in messages). */
struct properties	*properties_parse(const char *text, const char *origin,
			    char **errp);
/*
 * Return a warning (caller frees) when the file p was loaded from holds a
 * secret (password=, encrypted=, a url with a password) and is readable by
 * group or others; as for passkey files, a file owned by root may be
 * readable by its group. (A file others can write is refused by
 * properties_load.) NULL when the permissions are safe or p was parsed
 * from a string.
 */
char			*properties_check_mode(const struct properties *p);
/* Return the value of key (the last one set), or NULL; owned by p. */
const char		*properties_get(const struct properties *p,
			    const char *key);
/* Return the line key was last set on, or 0. */
int			 properties_line(const struct properties *p,
			    const char *key);
/* Free p, wiping values (they may hold secrets); NULL is a no-op. */
void			 properties_free(struct properties *p);

#endif
