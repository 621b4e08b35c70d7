/*
 * test_properties.c: unit tests for lib/properties.c; each file in
 * data/properties/NAME.properties is checked against NAME.expect.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "properties.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "tsv.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR	"/etc"
#endif

#define PROPDIR		TEST_DATADIR "/properties"

/* Return the contents of path (NUL-terminated) and its length. */
static char *
slurp(const char *path, size_t *len)
{
	struct strbuf	 sb = STRBUF_INIT;
	char		 buf[4096];
	size_t		 r;
	FILE		*fp;

	if ((fp = fopen(path, "rb")) == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	while ((r = fread(buf, 1, sizeof buf, fp)) > 0)
		strbuf_addn(&sb, buf, r);
	fclose(fp);
	*len = sb.len;
	return strbuf_detach(&sb);
}

static void
write_file(const char *path, const char *data, size_t len)
{
	FILE	*fp;

	if ((fp = fopen(path, "wb")) == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* Replace the "@" that starts an expected message with path. */
static char *
expand_at(const char *msg, const char *path)
{
	return msg[0] == '@' ? xasprintf("%s%s", path, msg + 1) :
	    xstrdup(msg);
}

static void
check_against(const struct properties *p, const char *err,
    const struct tcase *want, size_t nwant, const char *path)
{
	char	*msg;
	size_t	 i, j;
	bool	 last;

	if (nwant > 0 && strcmp(want[0].f[0], "error") == 0) {
		if (p != NULL)
			fail_msg("%s: parsed, expected an error", path);
		msg = expand_at(want[0].f[1], path);
		assert_string_equal(err, msg);
		free(msg);
		return;
	}
	if (p == NULL)
		fail_msg("%s: unexpected error: %s", path, err);
	assert_null(err);
	assert_string_equal(p->path, path);
	assert_int_equal(p->n, nwant);
	for (i = 0; i < nwant; i++) {
		if (want[i].nf != 3)
			fail_msg("%s: expect line needs LINE KEY VALUE",
			    want[i].name);
		assert_int_equal(p->items[i].line, atoi(want[i].f[0]));
		assert_string_equal(p->items[i].key, want[i].f[1]);
		assert_string_equal(p->items[i].value, want[i].f[2]);
		/* The lookups see the last setting of each key. */
		for (last = true, j = i + 1; j < nwant; j++) {
			if (strcmp(want[j].f[1], want[i].f[1]) == 0)
				last = false;
		}
		if (last) {
			assert_string_equal(properties_get(p, want[i].f[1]),
			    want[i].f[2]);
			assert_int_equal(properties_line(p, want[i].f[1]),
			    atoi(want[i].f[0]));
		}
	}
}

/* One data file: load it, and parse its text, against NAME.expect. */
static void
test_file(void **state)
{
	const char		*path = *state;
	struct properties	*p;
	struct tcase		*want = NULL;
	char			*expect, *err, *text;
	size_t			 nwant = 0, len;

	expect = xasprintf("%.*s.expect", (int)(strlen(path) -
	    strlen(".properties")), path);
	if (tsv_load(expect, 1, &want, &nwant) == -1)
		fail_msg("cannot read %s", expect);

	p = properties_load(path, &err);
	check_against(p, err, want, nwant, path);
	properties_free(p);
	free(err);

	text = slurp(path, &len);
	p = properties_parse(text, path, &err);
	check_against(p, err, want, nwant, path);
	properties_free(p);
	free(err);

	free(text);
	tsv_free(want, nwant);
	free(expect);
}

static void
test_maxline(void **state)
{
	struct properties	*p;
	struct strbuf		 sb = STRBUF_INIT;
	char			*big, *err;

	(void)state;
	/* Exactly PROPERTIES_MAXLINE bytes is fine. */
	big = xmalloc(PROPERTIES_MAXLINE + 2);
	memset(big, 'x', PROPERTIES_MAXLINE + 1);
	big[0] = 'k';
	big[1] = '=';
	big[PROPERTIES_MAXLINE] = '\0';
	p = properties_parse(big, "mem", &err);
	assert_non_null(p);
	assert_int_equal(strlen(properties_get(p, "k")),
	    PROPERTIES_MAXLINE - 2);
	properties_free(p);

	/* One more byte is not, even as the second line. */
	big[PROPERTIES_MAXLINE] = 'x';
	big[PROPERTIES_MAXLINE + 1] = '\0';
	strbuf_add(&sb, "a=1\r\n");
	strbuf_add(&sb, big);
	strbuf_add(&sb, "\r\nb=2\r\n");
	assert_null(properties_parse(sb.buf, "mem", &err));
	assert_string_equal(err, "mem:2: line longer than 65536 bytes");
	free(err);
	strbuf_free(&sb);

	/* Nor in a comment. */
	big[0] = '#';
	strbuf_add(&sb, "a=1\n\n");
	strbuf_add(&sb, big);
	assert_null(properties_parse(sb.buf, NULL, &err));
	assert_string_equal(err, "(string):3: line longer than 65536 bytes");
	free(err);
	strbuf_free(&sb);

	/* Nor made of continued lines, named by where they start. */
	memset(big, 'y', PROPERTIES_MAXLINE / 2);
	big[PROPERTIES_MAXLINE / 2] = '\0';
	strbuf_addf(&sb, "a=1\nb=%s\\\n %s\\\n  %s\n", big, big, big);
	assert_null(properties_parse(sb.buf, "mem", &err));
	assert_string_equal(err, "mem:2: line longer than 65536 bytes");
	free(err);
	strbuf_free(&sb);
	free(big);
}

/* A scratch directory, removed by the teardown. */
struct scratch {
	char	 dir[PATH_MAX];
	char	 cwd[PATH_MAX];
	char	*env[3];
};

static const char *const scratch_vars[3] = {
	"DATAFLOW_PROPERTIES", "XDG_CONFIG_HOME", "HOME"
};

static int
scratch_setup(void **state)
{
	struct scratch	*s = xcalloc(1, sizeof *s);
	const char	*v;
	size_t		 i;

	snprintf(s->dir, sizeof s->dir, "%s/df-test-XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(s->dir) == NULL || getcwd(s->cwd, sizeof s->cwd) == NULL)
		return -1;
	for (i = 0; i < 3; i++) {
		v = getenv(scratch_vars[i]);
		s->env[i] = v != NULL ? xstrdup(v) : NULL;
	}
	*state = s;
	return 0;
}

static int
scratch_rm(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
scratch_teardown(void **state)
{
	struct scratch	*s = *state;
	size_t		 i;
	int		 rc = 0;

	if (chdir(s->cwd) == -1)
		rc = -1;
	for (i = 0; i < 3; i++) {
		if (s->env[i] != NULL)
			setenv(scratch_vars[i], s->env[i], 1);
		else
			unsetenv(scratch_vars[i]);
		free(s->env[i]);
	}
	if (nftw(s->dir, scratch_rm, 16, FTW_DEPTH | FTW_PHYS) == -1)
		rc = -1;
	free(s);
	return rc;
}

/* Create s->dir/rel (and its directories); a trailing '/' makes a dir. */
static char *
scratch_make(struct scratch *s, const char *rel)
{
	char	*path, *p;

	path = xasprintf("%s/%s", s->dir, rel);
	for (p = path + strlen(s->dir) + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) == -1 && errno != EEXIST)
			fail_msg("mkdir %s: %s", path, strerror(errno));
		*p = '/';
	}
	if (path[strlen(path) - 1] != '/')
		write_file(path, "url=jdbc:postgresql:x\n", 22);
	return path;
}

static void
scratch_cd(struct scratch *s, const char *rel)
{
	char	*path;

	path = xasprintf("%s/%s", s->dir, rel);
	if (chdir(path) == -1)
		fail_msg("chdir %s: %s", path, strerror(errno));
	free(path);
}

static void
assert_found(const char *explicit, const char *want)
{
	char	*got, *err;

	got = properties_find(explicit, &err);
	if (got == NULL)
		fail_msg("expected %s, got error: %s", want, err);
	assert_null(err);
	assert_string_equal(got, want);
	free(got);
}

static void
assert_not_found(const char *explicit, const char *want)
{
	char	*got, *err;

	got = properties_find(explicit, &err);
	if (got != NULL)
		fail_msg("expected an error, found %s", got);
	assert_string_equal(err, want);
	free(err);
}

/* --config, then $DATAFLOW_PROPERTIES: named files must exist. */
static void
test_find_named(void **state)
{
	struct scratch	*s = *state;
	char		*explicit, *env, *cwd, *xdg, *missing, *want;

	explicit = scratch_make(s, "explicit.properties");
	env = scratch_make(s, "env.properties");
	cwd = scratch_make(s, "cwd/dataflow.properties");
	xdg = scratch_make(s, "xdg/dataflow/dataflow.properties");
	missing = xasprintf("%s/missing.properties", s->dir);
	scratch_cd(s, "cwd");
	setenv("DATAFLOW_PROPERTIES", env, 1);
	setenv("XDG_CONFIG_HOME", xdg, 1);

	assert_found(explicit, explicit);
	want = xasprintf("could not find \"%s\" (--config): No such file or "
	    "directory", missing);
	assert_not_found(missing, want);
	free(want);

	assert_found(NULL, env);
	setenv("DATAFLOW_PROPERTIES", missing, 1);
	want = xasprintf("could not find \"%s\" ($DATAFLOW_PROPERTIES): No "
	    "such file or directory", missing);
	assert_not_found(NULL, want);
	free(want);

	/* An empty variable is no setting. */
	setenv("DATAFLOW_PROPERTIES", "", 1);
	assert_found(NULL, "dataflow.properties");

	free(explicit);
	free(env);
	free(cwd);
	free(xdg);
	free(missing);
}

/* Then ./, $XDG_CONFIG_HOME or ~/.config, and SYSCONFDIR. */
static void
test_find_search(void **state)
{
	struct scratch	*s = *state;
	struct stat	 sb;
	char		*xdgfile, *homefile, *dir, *want;
	const char	*sys = SYSCONFDIR "/dataflow/dataflow.properties";
	const char	*etc = "/etc/dataflow/dataflow.properties";
	/* The system places, as listed when nothing is found. */
	char		*syslist = strcmp(sys, etc) == 0 ? xstrdup(sys) :
			    xasprintf("%s, %s", sys, etc);
	bool		 have_sys = stat(sys, &sb) == 0 ||
			    stat(etc, &sb) == 0;

	free(scratch_make(s, "cwd/dataflow.properties"));
	free(scratch_make(s, "empty/"));
	free(scratch_make(s, "xdg_without/"));
	xdgfile = scratch_make(s, "xdg/dataflow/dataflow.properties");
	homefile = scratch_make(s, "home/.config/dataflow/dataflow.properties");
	unsetenv("DATAFLOW_PROPERTIES");
	dir = xasprintf("%s/xdg", s->dir);
	setenv("XDG_CONFIG_HOME", dir, 1);
	free(dir);
	dir = xasprintf("%s/home", s->dir);
	setenv("HOME", dir, 1);
	free(dir);

	scratch_cd(s, "cwd");
	assert_found(NULL, "dataflow.properties");
	scratch_cd(s, "empty");
	assert_found(NULL, xdgfile);

	/* A relative XDG_CONFIG_HOME is ignored, as the XDG spec says. */
	setenv("XDG_CONFIG_HOME", "../xdg", 1);
	assert_found(NULL, homefile);
	setenv("XDG_CONFIG_HOME", "", 1);
	assert_found(NULL, homefile);
	unsetenv("XDG_CONFIG_HOME");
	assert_found(NULL, homefile);

	/* An XDG_CONFIG_HOME replaces ~/.config: no fallback to it. */
	dir = xasprintf("%s/xdg_without", s->dir);
	setenv("XDG_CONFIG_HOME", dir, 1);
	if (have_sys)
		assert_found(NULL, sys);
	else {
		want = xasprintf("no properties file found (looked for "
		    "dataflow.properties, %s/dataflow/dataflow.properties, "
		    "%s)", dir, syslist);
		assert_not_found(NULL, want);
		free(want);
	}
	free(dir);

	/* Without HOME nor XDG_CONFIG_HOME only two places are left. */
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("HOME");
	want = xasprintf("no properties file found (looked for "
	    "dataflow.properties, %s)", syslist);
	if (have_sys)
		assert_found(NULL, sys);
	else
		assert_not_found(NULL, want);
	setenv("HOME", "", 1);
	if (have_sys)
		assert_found(NULL, sys);
	else
		assert_not_found(NULL, want);
	free(want);
	free(syslist);

	free(xdgfile);
	free(homefile);
}

/* A candidate that is not a readable file is found, and fails to load. */
static void
test_find_directory(void **state)
{
	struct scratch		*s = *state;
	struct properties	*p;
	char			*path, *err;

	free(scratch_make(s, "cwd/dataflow.properties/"));
	unsetenv("DATAFLOW_PROPERTIES");
	scratch_cd(s, "cwd");
	path = properties_find(NULL, &err);
	assert_non_null(path);
	assert_string_equal(path, "dataflow.properties");
	p = properties_load(path, &err);
	assert_null(p);
	assert_string_equal(err,
	    "refusing \"dataflow.properties\": not a regular file");
	free(err);
	free(path);
}

static void
test_load_errors(void **state)
{
	struct scratch		*s = *state;
	struct properties	*p;
	struct strbuf		 sb = STRBUF_INIT;
	char			*path, *err, *want, line[100];
	size_t			 i;

	path = xasprintf("%s/missing.properties", s->dir);
	assert_null(properties_load(path, &err));
	want = xasprintf("could not open \"%s\": No such file or directory",
	    path);
	assert_string_equal(err, want);
	free(want);
	free(err);
	free(path);

	/* NUL bytes: a binary file, named with the line of the first. */
	path = xasprintf("%s/nul.properties", s->dir);
	write_file(path, "a=1\r\nb=2\r\0c=3\n\0", 16);
	assert_null(properties_load(path, &err));
	want = xasprintf("%s:3: NUL byte, not a text file", path);
	assert_string_equal(err, want);
	free(want);
	free(err);
	write_file(path, "\0", 1);
	assert_null(properties_load(path, &err));
	want = xasprintf("%s:1: NUL byte, not a text file", path);
	assert_string_equal(err, want);
	free(want);
	free(err);
	free(path);

	/* A file of over 16 MiB of valid lines is refused whole. */
	path = xasprintf("%s/big.properties", s->dir);
	memset(line, 'x', sizeof line);
	line[0] = '#';
	line[sizeof line - 1] = '\n';
	for (i = 0; i < 16 * 1024 * 1024 / sizeof line + 1; i++)
		strbuf_addn(&sb, line, sizeof line);
	write_file(path, sb.buf, sb.len);
	assert_null(properties_load(path, &err));
	want = xasprintf("%s: larger than 16777216 bytes", path);
	assert_string_equal(err, want);
	free(want);
	free(err);
	/* Just under the limit is fine. */
	write_file(path, sb.buf, 16 * 1024 * 1024);
	p = properties_load(path, &err);
	assert_non_null(p);
	assert_int_equal(p->n, 0);
	properties_free(p);
	strbuf_free(&sb);
	free(path);

	/* An unreadable file (root reads everything: skip then). */
	if (geteuid() != 0) {
		path = xasprintf("%s/secret.properties", s->dir);
		write_file(path, "a=1\n", 4);
		assert_int_equal(chmod(path, 0), 0);
		assert_null(properties_load(path, &err));
		want = xasprintf("could not open \"%s\": Permission denied",
		    path);
		assert_string_equal(err, want);
		free(want);
		free(err);
		free(path);
	}
}

static void
test_api(void **state)
{
	struct properties	*p;
	struct strbuf		 sb = STRBUF_INIT;
	char			*err;
	int			 i;

	(void)state;
	properties_free(NULL);
	p = properties_parse("a=1\nb=2\na=3\n", NULL, &err);
	assert_non_null(p);
	assert_null(err);
	assert_string_equal(p->path, "(string)");
	assert_int_equal(p->n, 3);
	assert_string_equal(properties_get(p, "a"), "3");
	assert_int_equal(properties_line(p, "a"), 3);
	assert_string_equal(properties_get(p, "b"), "2");
	assert_int_equal(properties_line(p, "b"), 2);
	assert_null(properties_get(p, "c"));
	assert_int_equal(properties_line(p, "c"), 0);
	/* Keys are case-sensitive, as in Java. */
	assert_null(properties_get(p, "A"));
	properties_free(p);

	/* Line endings, in memory (a checkout may rewrite the data files). */
	p = properties_parse("a=1\r\nb = x \\\r\n  y \r\n# c\r\nd=2", "crlf",
	    &err);
	assert_non_null(p);
	assert_int_equal(p->n, 3);
	assert_string_equal(properties_get(p, "b"), "x y");
	assert_int_equal(properties_line(p, "b"), 2);
	assert_string_equal(properties_get(p, "d"), "2");
	assert_int_equal(properties_line(p, "d"), 5);
	properties_free(p);
	p = properties_parse("a=1\rb=2\r\rc=3", "cr", &err);
	assert_non_null(p);
	assert_int_equal(p->n, 3);
	assert_string_equal(properties_get(p, "b"), "2");
	assert_int_equal(properties_line(p, "c"), 4);
	properties_free(p);

	p = properties_parse("", "empty", &err);
	assert_non_null(p);
	assert_int_equal(p->n, 0);
	assert_null(properties_get(p, "a"));
	properties_free(p);

	/* Many keys: the array grows. */
	for (i = 0; i < 1000; i++)
		strbuf_addf(&sb, "k%d=%d\n", i, i * 2);
	p = properties_parse(sb.buf, "many", &err);
	strbuf_free(&sb);
	assert_non_null(p);
	assert_int_equal(p->n, 1000);
	assert_string_equal(properties_get(p, "k777"), "1554");
	assert_int_equal(properties_line(p, "k777"), 778);
	assert_string_equal(properties_get(p, "k0"), "0");
	assert_string_equal(properties_get(p, "k999"), "1998");
	properties_free(p);
}

/* A key in a message is escaped and cut short (found while fuzzing). */
static void
test_key_quoted(void **state)
{
	struct strbuf	 sb = STRBUF_INIT;
	char		*err = NULL;
	size_t		 i;

	(void)state;
	assert_null(properties_parse("a\\u001b[2Jb\n", "mem", &err));
	assert_string_equal(err, "mem:1: missing \"=\" after key "
	    "\"a\\x1b[2Jb\"");
	free(err);
	/* A long line without "=": 64 bytes of it, on a UTF-8 boundary. */
	for (i = 0; i < 63; i++)
		strbuf_addc(&sb, 'k');
	for (i = 0; i < 1000; i++)
		strbuf_add(&sb, "\xc3\xa9");
	assert_null(properties_parse(sb.buf, "mem", &err));
	strbuf_free(&sb);
	assert_string_equal(err, "mem:1: missing \"=\" after key "
	    "\"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
	    "\"...");
	free(err);
}

/* Load text written to a file of mode m; return properties_check_mode(). */
static char *
mode_warning(struct scratch *s, const char *text, mode_t m)
{
	struct properties	*p;
	char			*path, *err = NULL, *w;

	path = xasprintf("%s/mode.properties", s->dir);
	unlink(path);
	write_file(path, text, strlen(text));
	assert_int_equal(chmod(path, m), 0);
	p = properties_load(path, &err);
	assert_non_null(p);
	assert_int_equal(p->mode, (int)m);
	w = properties_check_mode(p);
	properties_free(p);
	free(path);
	return w;
}

/* A file open to others is warned about (SPEC §4: secrets stay private). */
static void
test_check_mode(void **state)
{
	struct scratch		*s = *state;
	struct properties	*p;
	const char		*secrets[] = {
		"url=jdbc:postgresql:x\npassword=s3cret\n",
		"url=jdbc:postgresql:x\nencrypted=df1:AAAA\n",
		"url=jdbc:postgresql://h/x?user=u&password=s3cret\n",
		"url=postgresql://u:s3cret@h/x\n",
	};
	char			*w, *err = NULL;
	size_t			 i;

	/* No secret, not writable by others: nothing to say. */
	assert_null(mode_warning(s, "url=jdbc:postgresql:x\n", 0644));
	assert_null(mode_warning(s, "url=jdbc:postgresql:x\n", 0600));
	for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		assert_null(mode_warning(s, secrets[i], 0600));
		assert_null(mode_warning(s, secrets[i], 0400));
		w = mode_warning(s, secrets[i], 0644);
		assert_non_null(w);
		assert_non_null(strstr(w, "mode.properties holds a password "
		    "and is readable by group or others (mode 0644): chmod "
		    "600 it"));
		free(w);
		/* Group-readable is fine for root's files only. */
		w = mode_warning(s, secrets[i], 0640);
		if (geteuid() == 0)
			assert_null(w);
		else
			assert_non_null(w);
		free(w);
	}
	/* A user without a password is no secret. */
	assert_null(mode_warning(s, "url=postgresql://etl@h/x?host=/run\n",
	    0644));
	assert_null(mode_warning(s, "url=jdbc:postgresql://h/x?user=u\n",
	    0644));
	/* An empty secret is no secret. */
	assert_null(mode_warning(s, "url=jdbc:postgresql:x\npassword=\n",
	    0644));
	/* Properties from a string have no mode. */
	p = properties_parse("password=x\n", "mem", &err);
	assert_non_null(p);
	assert_int_equal(p->mode, -1);
	assert_null(properties_check_mode(p));
	properties_free(p);
}

/* Load path; return the error (caller frees), or NULL if it loaded. */
static char *
load_error(const char *path)
{
	struct properties	*p;
	char			*err = NULL;

	p = properties_load(path, &err);
	if (p != NULL)
		assert_null(err);
	else
		assert_non_null(err);
	properties_free(p);
	return err;
}

static void
assert_refused(const char *path, const char *why)
{
	char	*err, *want;

	err = load_error(path);
	want = xasprintf("refusing \"%s\": %s", path, why);
	if (err == NULL)
		fail_msg("%s loaded, want: %s", path, want);
	assert_string_equal(err, want);
	free(want);
	free(err);
}

/* path, owned by uid 65534, is refused as another user's. */
static void
err_owned_by(const char *path)
{
	char	*err;

	err = load_error(path);
	assert_non_null(err);
	assert_non_null(strstr(err, "(uid 65534), not by you or root"));
	assert_int_equal(strncmp(err, "refusing \"", 10), 0);
	free(err);
}

/*
 * SPEC §4: a file another user could have written is refused: writable by
 * group or others, owned by another user, not a regular file (a FIFO must
 * not hang the reader), in a directory others can write that is not
 * sticky, or reached through another user's symbolic link.
 */
static void
test_refused(void **state)
{
	struct scratch	*s = *state;
	char		*path, *dir, *link, *why, *real;

	path = scratch_make(s, "private/a.properties");
	write_file(path, "url=jdbc:postgresql:x\n", 22);
	assert_null(load_error(path));
	assert_int_equal(chmod(path, 0664), 0);
	assert_refused(path, "writable by group or others (mode 0664): "
	    "chmod go-w it");
	assert_int_equal(chmod(path, 0602), 0);
	assert_refused(path, "writable by group or others (mode 0602): "
	    "chmod go-w it");
	assert_int_equal(chmod(path, 0644), 0);

	/* A symbolic link of ours to it is followed. */
	link = xasprintf("%s/link.properties", s->dir);
	assert_int_equal(symlink(path, link), 0);
	assert_null(load_error(link));

	/* The directory: others may not replace the file, unless sticky. */
	dir = xasprintf("%s/private", s->dir);
	assert_int_equal(chmod(dir, 0777), 0);
	why = xasprintf("its directory \"%s\" is writable by others and "
	    "not sticky (mode 0777): others can replace it", dir);
	assert_refused(path, why);
	free(why);
	/* Through the link too: the target's directory counts. */
	real = realpath(dir, NULL);
	assert_non_null(real);
	why = xasprintf("its directory \"%s\" is writable by others and "
	    "not sticky (mode 0777): others can replace it", real);
	assert_refused(link, why);
	free(why);
	free(real);
	assert_int_equal(chmod(dir, 01777), 0);
	assert_null(load_error(path));
	assert_int_equal(chmod(dir, 0775), 0);
	assert_null(load_error(path));
	assert_int_equal(chmod(dir, 0700), 0);

	/* Another user's file or link; only root can make them here. */
	if (geteuid() == 0) {
		assert_int_equal(lchown(link, 65534, 65534), 0);
		assert_refused(link, "a symbolic link owned by uid 65534, not "
		    "by you or root");
		assert_int_equal(chown(path, 65534, 65534), 0);
		err_owned_by(path);
	}
	free(link);
	free(dir);
	free(path);

	/* A FIFO is refused at once: opening it does not wait. */
	path = xasprintf("%s/fifo.properties", s->dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_refused(path, "not a regular file");
	free(path);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_api),
		cmocka_unit_test(test_maxline),
		cmocka_unit_test(test_key_quoted),
		cmocka_unit_test_setup_teardown(test_load_errors,
		    scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_find_named,
		    scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_find_search,
		    scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_find_directory,
		    scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_check_mode,
		    scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_refused,
		    scratch_setup, scratch_teardown),
	};
	static const struct tsv_files files[] = {
		{ "*.properties", NULL, test_file, NULL, NULL },
	};

	return tsv_run_files("properties", fixed,
	    sizeof fixed / sizeof fixed[0], PROPDIR, files, 1);
}
