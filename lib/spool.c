/* spool.c: a local, per-user spool of run outcomes that could not be
 * recorded, one JSON file per run. */
#include <sys/stat.h>

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "fileio.h"
#include "spool.h"
#include "xmalloc.h"

#define SPOOL_VERSION	1
#define SPOOL_PREFIX	"run-"
#define SPOOL_SUFFIX	".json"

char *
spool_dir(void)
{
	const char	*d;

	if ((d = getenv("DATAFLOW_SPOOL_DIR")) != NULL && *d != '\0')
		return xstrdup(d);
	if ((d = getenv("XDG_STATE_HOME")) != NULL && *d == '/')
		return xasprintf("%s/dataflow/spool", d);
	if ((d = getenv("HOME")) != NULL && *d != '\0')
		return xasprintf("%s/.local/state/dataflow/spool", d);
	return NULL;
}

static void
spool_set_str(json_t *o, const char *key, const char *v)
{
	if (v != NULL)
		json_object_set_new(o, key, json_string(v));
}

char *
spool_write(const char *dir, const char *db, long long run_id,
    const char *jobid, const char *dataid, const struct run_end *end,
    char **errp)
{
	json_t	*o;
	char	*text = NULL, *path = NULL;

	*errp = NULL;
	o = json_pack("{s:i, s:s, s:I, s:s, s:s, s:s}", "version",
	    SPOOL_VERSION, "db", db, "run_id", (json_int_t)run_id, "jobid",
	    jobid, "dataid", dataid, "status", end->status);
	if (end->exit_code >= 0)
		json_object_set_new(o, "exit_code",
		    json_integer(end->exit_code));
	if (end->signo > 0)
		json_object_set_new(o, "signal", json_integer(end->signo));
	spool_set_str(o, "message", end->message);
	spool_set_str(o, "metrics", end->metrics_json);
	spool_set_str(o, "stderr_tail", end->stderr_tail);
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (text == NULL) {
		*errp = xstrdup("could not encode the outcome");
		goto out;
	}

	/* The outcome must survive a crash once we say it is spooled. */
	if (fileio_mkdir_p(dir, 0700, 0700, errp) == -1)
		goto out;
	path = xasprintf("%s/%s%lld%s", dir, SPOOL_PREFIX, run_id,
	    SPOOL_SUFFIX);
	if (fileio_write_atomic(path, text, strlen(text), 0600, errp) == -1)
		goto out;
out:
	if (*errp != NULL) {
		free(path);
		path = NULL;
	}
	free(text);
	return path;
}

/* Free what e holds and zero it. */
static void
spool_entry_clear(struct spool_entry *e)
{
	free(e->path);
	free(e->db);
	free(e->jobid);
	free(e->dataid);
	free(e->status);
	free(e->message);
	free(e->metrics_json);
	free(e->stderr_tail);
	memset(e, 0, sizeof(*e));
}

static char *
spool_get_str(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

/* Parse one file into e; return 0, or -1 if it is not a spooled outcome. */
static int
spool_read(const char *path, struct spool_entry *e)
{
	json_t	*o, *v;

	memset(e, 0, sizeof(*e));
	if ((o = json_load_file(path, JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return -1;
	v = json_object_get(o, "run_id");
	if (!json_is_integer(v) || json_integer_value(json_object_get(o,
	    "version")) != SPOOL_VERSION) {
		json_decref(o);
		return -1;
	}
	e->run_id = (long long)json_integer_value(v);
	e->db = spool_get_str(o, "db");
	e->jobid = spool_get_str(o, "jobid");
	e->dataid = spool_get_str(o, "dataid");
	e->status = spool_get_str(o, "status");
	v = json_object_get(o, "exit_code");
	e->exit_code = json_is_integer(v) ? (int)json_integer_value(v) : -1;
	v = json_object_get(o, "signal");
	e->signo = json_is_integer(v) ? (int)json_integer_value(v) : 0;
	e->message = spool_get_str(o, "message");
	e->metrics_json = spool_get_str(o, "metrics");
	e->stderr_tail = spool_get_str(o, "stderr_tail");
	json_decref(o);
	if (e->db == NULL || e->jobid == NULL || e->dataid == NULL ||
	    e->status == NULL) {
		spool_entry_clear(e);
		return -1;
	}
	e->path = xstrdup(path);
	return 0;
}

/*
 * Whether a spooled entry's database identity holds a secret: written by a
 * runjob before identities left secrets out, it matches no identity made
 * now, so no runjob can ever replay it (and it keeps a password on disk).
 */
static bool
spool_db_secret(const char *db)
{
	const char	*uri = strstr(db, "://"), *at;

	if (strstr(db, "password=") != NULL)
		return true;
	/* A URI's user:password@host. */
	return uri != NULL && (at = strchr(uri + 3, '@')) != NULL &&
	    memchr(uri + 3, ':', (size_t)(at - (uri + 3))) != NULL;
}

static int
spool_cmp(const void *a, const void *b)
{
	const struct spool_entry *x = a, *y = b;

	return (x->run_id > y->run_id) - (x->run_id < y->run_id);
}

int
spool_list(const char *dir, const char *db, struct spool_entry **entries,
    size_t *n, char **errp)
{
	DIR		*d;
	struct dirent	*de;
	struct spool_entry e;
	size_t		 len, plen = strlen(SPOOL_PREFIX);
	size_t		 slen = strlen(SPOOL_SUFFIX);
	char		*path;

	*entries = NULL;
	*n = 0;
	*errp = NULL;
	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		*errp = xasprintf("could not read \"%s\": %s", dir,
		    strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= plen + slen ||
		    strncmp(de->d_name, SPOOL_PREFIX, plen) != 0 ||
		    strcmp(de->d_name + len - slen, SPOOL_SUFFIX) != 0)
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (spool_read(path, &e) == 0) {
			if (strcmp(e.db, db) == 0 || spool_db_secret(e.db)) {
				e.stale = strcmp(e.db, db) != 0;
				*entries = xreallocarray(*entries, *n + 1,
				    sizeof(**entries));
				(*entries)[(*n)++] = e;
			} else
				spool_entry_clear(&e);	/* another database's */
		}
		free(path);
	}
	closedir(d);
	if (*n > 1)
		qsort(*entries, *n, sizeof(**entries), spool_cmp);
	return 0;
}

void
spool_run_end(const struct spool_entry *e, struct run_end *end)
{
	memset(end, 0, sizeof(*end));
	end->status = e->status;
	end->exit_code = e->exit_code;
	end->signo = e->signo;
	end->message = e->message;
	end->metrics_json = e->metrics_json;
	end->stderr_tail = e->stderr_tail;
}

void
spool_free(struct spool_entry *entries, size_t n)
{
	size_t	 i;

	if (entries == NULL)
		return;
	for (i = 0; i < n; i++)
		spool_entry_clear(&entries[i]);
	free(entries);
}
