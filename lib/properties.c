/*
 * properties.c: find and parse dataflow.properties, the Java-style key=value
 * file that OpenDataFlow users already have (SPEC §4).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "properties.h"
#include "strbuf.h"
#include "trust.h"
#include "xmalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR	"/etc"
#endif

#define PROPERTIES_NAME		"dataflow.properties"
#define PROPERTIES_MAXFILE	(16 * 1024 * 1024)	/* bytes */

struct properties_line {
	const char	*origin;
	int		 line;		/* first physical line */
	const char	*s;
	size_t		 len;
	size_t		 i;		/* parse position */
};

static bool
properties_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\f';
}

char *
properties_find(const char *explicit, char **errp)
{
	struct strbuf	 looked = STRBUF_INIT;
	struct stat	 sb;
	const char	*env, *xdg, *home;
	char		*cand[4] = { NULL, NULL, NULL, NULL }, *found = NULL;
	size_t		 i;

	*errp = NULL;
	/* Paths the user named must exist: never fall back silently. */
	if (explicit != NULL) {
		if (stat(explicit, &sb) == -1) {
			*errp = xasprintf("could not find \"%s\" (--config): "
			    "%s", explicit, strerror(errno));
			return NULL;
		}
		return xstrdup(explicit);
	}
	if ((env = getenv("DATAFLOW_PROPERTIES")) != NULL && *env != '\0') {
		if (stat(env, &sb) == -1) {
			*errp = xasprintf("could not find \"%s\" "
			    "($DATAFLOW_PROPERTIES): %s", env, strerror(errno));
			return NULL;
		}
		return xstrdup(env);
	}

	cand[0] = xstrdup(PROPERTIES_NAME);
	/* The XDG spec says to ignore a relative XDG_CONFIG_HOME. */
	xdg = getenv("XDG_CONFIG_HOME");
	home = getenv("HOME");
	if (xdg != NULL && xdg[0] == '/')
		cand[1] = xasprintf("%s/dataflow/" PROPERTIES_NAME, xdg);
	else if (home != NULL && home[0] != '\0')
		cand[1] = xasprintf("%s/.config/dataflow/" PROPERTIES_NAME,
		    home);
	cand[2] = xstrdup(SYSCONFDIR "/dataflow/" PROPERTIES_NAME);
	/* SPEC §4 names /etc; a /usr/local build also honours its own. */
	if (strcmp(SYSCONFDIR, "/etc") != 0)
		cand[3] = xstrdup("/etc/dataflow/" PROPERTIES_NAME);

	for (i = 0; i < 4; i++) {
		if (cand[i] == NULL)
			continue;
		/*
		 * Any stat error skips the candidate: an unsearchable
		 * $HOME (sudo keeps it) must not hide the system file. A
		 * file that exists but cannot be read is still returned,
		 * so that loading it reports why.
		 */
		if (stat(cand[i], &sb) == 0) {
			found = cand[i];
			cand[i] = NULL;
			break;
		}
		strbuf_addf(&looked, "%s%s", looked.len > 0 ? ", " : "",
		    cand[i]);
	}
	if (found == NULL)
		*errp = xasprintf("no properties file found (looked for %s)",
		    looked.buf);
	strbuf_free(&looked);
	for (i = 0; i < 4; i++)
		free(cand[i]);
	return found;
}

/* Return the line number of byte off in text (lines end in \n, \r\n, \r). */
static int
properties_line_at(const char *text, size_t off)
{
	size_t	 i;
	int	 line = 1;

	for (i = 0; i < off; i++) {
		if (text[i] == '\n' ||
		    (text[i] == '\r' && (i + 1 >= off || text[i + 1] != '\n')))
			line++;
	}
	return line;
}

/* Refuse the directory dir holds path in when others can replace it. */
static int
properties_trust_dir(const char *path, const char *dir, char **errp)
{
	struct stat	 st;
	char		*why;

	if (stat(dir, &st) == -1) {
		*errp = xasprintf("could not stat \"%s\", the directory of "
		    "\"%s\": %s", dir, path, strerror(errno));
		return -1;
	}
	if ((why = trust_dir(&st)) != NULL) {
		*errp = xasprintf("refusing \"%s\": its directory \"%s\" is "
		    "%s: others can replace it", path, dir, why);
		free(why);
		return -1;
	}
	return 0;
}

/*
 * Refuse the file opened from path (st, from fstat) when another user
 * could have written it (SPEC §4): not a regular file, owned by neither us
 * nor root, writable by group or others, or in a directory others can
 * write without the sticky bit. A symbolic link is followed (a system file
 * may be one), but the link itself must be ours or root's, and the
 * directories of both the link and its target pass the directory check.
 */
static int
properties_trusted(const char *path, const struct stat *st, char **errp)
{
	struct stat	 lst;
	char		*why, *dir = NULL, *real = NULL;
	int		 rc = -1;

	if (!S_ISREG(st->st_mode)) {
		*errp = xasprintf("refusing \"%s\": not a regular file", path);
		return -1;
	}
	if ((why = trust_private(st, TRUST_NOBODY)) != NULL) {
		*errp = xasprintf("refusing \"%s\": %s%s", path, why,
		    (st->st_mode & 022) != 0 ? ": chmod go-w it" : "");
		free(why);
		return -1;
	}
	if (lstat(path, &lst) == -1) {
		*errp = xasprintf("could not stat \"%s\": %s", path,
		    strerror(errno));
		return -1;
	}
	if (S_ISLNK(lst.st_mode)) {
		if (lst.st_uid != geteuid() && lst.st_uid != 0) {
			*errp = xasprintf("refusing \"%s\": a symbolic link "
			    "owned by uid %lu, not by you or root", path,
			    (unsigned long)lst.st_uid);
			return -1;
		}
		if ((real = realpath(path, NULL)) == NULL) {
			*errp = xasprintf("could not resolve \"%s\": %s",
			    path, strerror(errno));
			return -1;
		}
		dir = trust_dirname(real);
		if (properties_trust_dir(path, dir, errp) == -1)
			goto out;
		free(dir);
	} else if (lst.st_dev != st->st_dev || lst.st_ino != st->st_ino) {
		*errp = xasprintf("refusing \"%s\": it was replaced while "
		    "being opened", path);
		return -1;
	}
	dir = trust_dirname(path);
	rc = properties_trust_dir(path, dir, errp);
out:
	free(dir);
	free(real);
	return rc;
}

struct properties *
properties_load(const char *path, char **errp)
{
	struct properties	*p = NULL;
	struct strbuf		 text = STRBUF_INIT;
	char			 buf[8192];
	const char		*nul;
	struct stat		 st;
	ssize_t			 r;
	int			 fd;

	*errp = NULL;
	/* O_NONBLOCK: a FIFO planted under the name must not hang us. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) ==
	    -1) {
		*errp = xasprintf("could not open \"%s\": %s", path,
		    strerror(errno));
		goto out;
	}
	/* What was opened is what is checked: no race with a rename. */
	if (fstat(fd, &st) == -1) {
		*errp = xasprintf("could not stat \"%s\": %s", path,
		    strerror(errno));
		goto out;
	}
	if (properties_trusted(path, &st, errp) == -1)
		goto out;
	for (;;) {
		if ((r = read(fd, buf, sizeof buf)) == -1) {
			if (errno == EINTR)
				continue;
			*errp = xasprintf("could not read \"%s\": %s", path,
			    strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		if (text.len + (size_t)r > PROPERTIES_MAXFILE) {
			*errp = xasprintf("%s: larger than %d bytes", path,
			    PROPERTIES_MAXFILE);
			goto out;
		}
		strbuf_addn(&text, buf, (size_t)r);
	}
	if (text.len > 0 &&
	    (nul = memchr(text.buf, '\0', text.len)) != NULL) {
		*errp = xasprintf("%s:%d: NUL byte, not a text file", path,
		    properties_line_at(text.buf, (size_t)(nul - text.buf)));
		goto out;
	}
	p = properties_parse(text.len > 0 ? text.buf : "", path, errp);
	if (p != NULL) {
		p->mode = (int)(st.st_mode & 07777);
		p->uid = (unsigned)st.st_uid;
	}
out:
	if (fd != -1)
		close(fd);
	explicit_bzero(buf, sizeof buf);
	strbuf_free(&text);
	return p;
}

static int
properties_hex4(const char *s, size_t len, size_t i, unsigned int *v)
{
	size_t	 k;
	int	 c;

	if (i + 4 > len)
		return -1;
	*v = 0;
	for (k = i; k < i + 4; k++) {
		c = (unsigned char)s[k];
		if (c >= '0' && c <= '9')
			*v = *v * 16 + (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v = *v * 16 + (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v = *v * 16 + (unsigned int)(c - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

static void
properties_add_utf8(struct strbuf *out, unsigned int cp)
{
	if (cp < 0x80)
		strbuf_addc(out, (char)cp);
	else if (cp < 0x800) {
		strbuf_addc(out, (char)(0xc0 | (cp >> 6)));
		strbuf_addc(out, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		strbuf_addc(out, (char)(0xe0 | (cp >> 12)));
		strbuf_addc(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
		strbuf_addc(out, (char)(0x80 | (cp & 0x3f)));
	} else {
		strbuf_addc(out, (char)(0xf0 | (cp >> 18)));
		strbuf_addc(out, (char)(0x80 | ((cp >> 12) & 0x3f)));
		strbuf_addc(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
		strbuf_addc(out, (char)(0x80 | (cp & 0x3f)));
	}
}

/* Decode the escape at l->s[l->i] (a backslash) into out, as Java does. */
static int
properties_unescape(struct properties_line *l, struct strbuf *out,
    char **errp)
{
	unsigned int	 cp, lo;
	char		 c;

	if (l->i + 1 >= l->len) {
		/* Only a continuation at the end of the file leaves this. */
		l->i++;
		return 0;
	}
	c = l->s[l->i + 1];
	l->i += 2;
	switch (c) {
	case 't':
		strbuf_addc(out, '\t');
		return 0;
	case 'n':
		strbuf_addc(out, '\n');
		return 0;
	case 'r':
		strbuf_addc(out, '\r');
		return 0;
	case 'f':
		strbuf_addc(out, '\f');
		return 0;
	case 'u':
		break;
	default:
		strbuf_addc(out, c);
		return 0;
	}
	if (properties_hex4(l->s, l->len, l->i, &cp) == -1)
		goto malformed;
	l->i += 4;
	if (cp == 0) {
		*errp = xasprintf("%s:%d: \\u0000 is not allowed", l->origin,
		    l->line);
		return -1;
	}
	if (cp >= 0xdc00 && cp <= 0xdfff)
		goto surrogate;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		/* Java strings are UTF-16: join the pair into one character. */
		if (l->i + 2 > l->len || l->s[l->i] != '\\' ||
		    l->s[l->i + 1] != 'u' ||
		    properties_hex4(l->s, l->len, l->i + 2, &lo) == -1 ||
		    lo < 0xdc00 || lo > 0xdfff)
			goto surrogate;
		l->i += 6;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	properties_add_utf8(out, cp);
	return 0;

malformed:
	*errp = xasprintf("%s:%d: malformed \\uXXXX escape", l->origin,
	    l->line);
	return -1;
surrogate:
	*errp = xasprintf("%s:%d: unpaired UTF-16 surrogate in \\u escape",
	    l->origin, l->line);
	return -1;
}

static void
properties_add(struct properties *p, char *key, char *value, int line)
{
	p->items = xgrow(p->items, p->n, 1, sizeof *p->items);
	p->items[p->n].key = key;
	p->items[p->n].value = value;
	p->items[p->n].line = line;
	p->n++;
}

/* Parse one logical line (leading blanks already skipped) into p. */
static int
properties_parse_line(struct properties *p, struct properties_line *l,
    char **errp)
{
	struct strbuf	 key = STRBUF_INIT, value = STRBUF_INIT;
	size_t		 keep = 0;
	bool		 after_blank = false;
	char		 c, *q;
	int		 rc = -1;

	while (l->i < l->len) {
		c = l->s[l->i];
		if (c == '=' || c == ':' || properties_blank(c))
			break;
		if (c == '\\') {
			if (properties_unescape(l, &key, errp) == -1)
				goto out;
			continue;
		}
		strbuf_addc(&key, c);
		l->i++;
	}
	if (key.len == 0) {
		*errp = xasprintf("%s:%d: empty key", l->origin, l->line);
		goto out;
	}
	while (l->i < l->len && properties_blank(l->s[l->i]))
		l->i++;
	if (l->i >= l->len || (l->s[l->i] != '=' && l->s[l->i] != ':')) {
		q = msg_quote(key.buf, key.len, MSG_QUOTEMAX);
		*errp = xasprintf("%s:%d: missing \"=\" after key %s",
		    l->origin, l->line, q);
		free(q);
		goto out;
	}
	l->i++;
	while (l->i < l->len && properties_blank(l->s[l->i]))
		l->i++;

	/*
	 * The value runs to the end of the line or to an unescaped '#' after
	 * a blank (a comment); trailing unescaped blanks are dropped.
	 */
	while (l->i < l->len) {
		c = l->s[l->i];
		if (c == '\\') {
			if (properties_unescape(l, &value, errp) == -1)
				goto out;
			keep = value.len;
			after_blank = false;
			continue;
		}
		if (c == '#' && after_blank)
			break;
		strbuf_addc(&value, c);
		after_blank = properties_blank(c);
		if (!after_blank)
			keep = value.len;
		l->i++;
	}
	if (value.len > keep) {
		explicit_bzero(value.buf + keep, value.len - keep);
		value.len = keep;
	}
	properties_add(p, strbuf_detach(&key), strbuf_detach(&value), l->line);
	rc = 0;
out:
	strbuf_free(&key);
	strbuf_free(&value);
	return rc;
}

struct properties *
properties_parse(const char *text, const char *origin, char **errp)
{
	struct properties	*p;
	struct properties_line	 l;
	struct strbuf		 logical = STRBUF_INIT;
	const char		*s = text, *b, *eol, *next;
	size_t			 raw, nback;
	int			 lineno = 0;
	bool			 first, cont;

	*errp = NULL;
	p = xcalloc(1, sizeof *p);
	p->path = xstrdup(origin != NULL ? origin : "(string)");
	p->mode = -1;
	/* A byte order mark from a Windows editor is not part of a key. */
	if (strncmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;

	while (*s != '\0') {
		if (logical.len > 0)
			explicit_bzero(logical.buf, logical.len);
		logical.len = 0;
		memset(&l, 0, sizeof l);
		l.origin = p->path;
		l.line = lineno + 1;
		raw = 0;
		first = true;
		for (;;) {
			lineno++;
			eol = s + strcspn(s, "\r\n");
			if (eol[0] == '\r' && eol[1] == '\n')
				next = eol + 2;
			else if (eol[0] != '\0')
				next = eol + 1;
			else
				next = eol;
			raw += (size_t)(eol - s);
			if (raw > PROPERTIES_MAXLINE) {
				*errp = xasprintf("%s:%d: line longer than %d "
				    "bytes", p->path, l.line,
				    PROPERTIES_MAXLINE);
				goto fail;
			}
			for (b = s; b < eol && properties_blank(*b); b++)
				;
			s = next;
			/* Comments and blank lines never continue. */
			if (first && (b == eol || *b == '#' || *b == '!'))
				break;
			for (nback = 0; b + nback < eol &&
			    eol[-1 - (ptrdiff_t)nback] == '\\'; nback++)
				;
			cont = nback % 2 == 1;
			strbuf_addn(&logical, b,
			    (size_t)(eol - b) - (cont ? 1 : 0));
			first = false;
			if (!cont || *s == '\0')
				break;
		}
		if (first)
			continue;
		l.s = logical.buf;
		l.len = logical.len;
		if (properties_parse_line(p, &l, errp) == -1)
			goto fail;
	}
	strbuf_free(&logical);
	return p;

fail:
	strbuf_free(&logical);
	properties_free(p);
	return NULL;
}

/* Return whether p holds a secret: a password, plain or encrypted. */
static bool
properties_has_secret(const struct properties *p)
{
	const char	*v, *at;

	if ((v = properties_get(p, "password")) != NULL && v[0] != '\0')
		return true;
	if ((v = properties_get(p, "encrypted")) != NULL && v[0] != '\0')
		return true;
	if ((v = properties_get(p, "url")) == NULL)
		return false;
	/* A JDBC ?password=, a conninfo's password=, a URI's ?password=. */
	if (strstr(v, "password") != NULL)
		return true;
	/* A URI's user:password@host. */
	if ((v = strstr(v, "://")) == NULL)
		return false;
	v += 3;
	at = memchr(v, '@', strcspn(v, "/?"));
	return at != NULL && memchr(v, ':', (size_t)(at - v)) != NULL;
}

char *
properties_check_mode(const struct properties *p)
{
	/* properties_load() refused a file others can write. */
	if (p->mode == -1)
		return NULL;
	if ((p->mode & 077) != 0 && (p->uid != 0 || (p->mode & 037) != 0) &&
	    properties_has_secret(p))
		return xasprintf("%s holds a password and is readable by "
		    "group or others (mode %04o): chmod 600 it", p->path,
		    (unsigned)p->mode);
	return NULL;
}

const char *
properties_get(const struct properties *p, const char *key)
{
	size_t	 i;

	for (i = p->n; i > 0; i--) {
		if (strcmp(p->items[i - 1].key, key) == 0)
			return p->items[i - 1].value;
	}
	return NULL;
}

int
properties_line(const struct properties *p, const char *key)
{
	size_t	 i;

	for (i = p->n; i > 0; i--) {
		if (strcmp(p->items[i - 1].key, key) == 0)
			return p->items[i - 1].line;
	}
	return 0;
}

void
properties_free(struct properties *p)
{
	size_t	 i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++) {
		free(p->items[i].key);
		xfreezero_str(p->items[i].value);
	}
	free(p->items);
	free(p->path);
	free(p);
}
