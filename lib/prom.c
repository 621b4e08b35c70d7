/* prom.c: the Prometheus text exposition format (version 0.0.4) and the
 * atomic write of a node_exporter textfile. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "prom.h"
#include "strbuf.h"
#include "xmalloc.h"

struct prom {
	struct strbuf	 out;
	char		**names;	/* families declared so far */
	size_t		 nnames;
	enum prom_type	 type;		/* of the current family */
	char		*error;		/* the first one */
};

static const char *const prom_type_names[] = {
	"gauge", "counter", "summary", "untyped"
};

struct prom *
prom_new(void)
{
	return xcalloc(1, sizeof(struct prom));
}

static void
prom_clear(struct prom *p)
{
	size_t	 i;

	for (i = 0; i < p->nnames; i++)
		free(p->names[i]);
	free(p->names);
	p->names = NULL;
	p->nnames = 0;
	free(p->out.buf);
	p->out.buf = NULL;
	p->out.len = p->out.cap = 0;
	free(p->error);
	p->error = NULL;
}

void
prom_free(struct prom *p)
{
	if (p == NULL)
		return;
	prom_clear(p);
	free(p);
}

/* Record the first error only: it is the one that explains the others. */
static void
prom_error(struct prom *p, char *msg)
{
	if (p->error == NULL)
		p->error = msg;
	else
		free(msg);
}

bool
prom_metric_name_valid(const char *s)
{
	size_t	 i;

	if (s == NULL || s[0] == '\0' || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == ':'))
			return false;
	}
	return true;
}

bool
prom_label_name_valid(const char *s)
{
	if (s == NULL || strchr(s, ':') != NULL || strncmp(s, "__", 2) == 0)
		return false;
	return prom_metric_name_valid(s);
}

/*
 * Return the length of the well-formed UTF-8 sequence at s (1..4), or 0
 * when the byte there does not start one (stray continuation, overlong
 * form, surrogate, beyond U+10FFFF, truncated).
 */
static size_t
prom_utf8_len(const unsigned char *s)
{
	size_t	 n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) ||	/* overlong */
	    (s[0] == 0xed && s[1] > 0x9f) ||	/* surrogate */
	    (s[0] == 0xf0 && s[1] < 0x90) ||	/* overlong */
	    (s[0] == 0xf4 && s[1] > 0x8f))	/* beyond U+10FFFF */
		return 0;
	return n;
}

/* Append s escaped: quote too for label values, not for HELP text. */
static void
prom_escape(struct strbuf *sb, const char *s, bool quote)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 n;

	while (*u != '\0') {
		if (*u == '\\')
			strbuf_add(sb, "\\\\");
		else if (*u == '\n')
			strbuf_add(sb, "\\n");
		else if (*u == '"' && quote)
			strbuf_add(sb, "\\\"");
		else if ((n = prom_utf8_len(u)) == 0) {
			strbuf_add(sb, "\xef\xbf\xbd");
			u++;
			continue;
		} else {
			strbuf_addn(sb, (const char *)u, n);
			u += n;
			continue;
		}
		u++;
	}
}

void
prom_escape_label(struct strbuf *sb, const char *s)
{
	prom_escape(sb, s, true);
}

void
prom_escape_help(struct strbuf *sb, const char *s)
{
	prom_escape(sb, s, false);
}

const char *
prom_format_value(double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "NaN");
	else if (isinf(v))
		snprintf(buf, len, "%sInf", v > 0 ? "+" : "-");
	else if (v == 0)
		snprintf(buf, len, "0");	/* also -0 */
	else if (fabs(v) < 1e15 && v == (double)(long long)v)
		snprintf(buf, len, "%.0f", v);
	else {
		snprintf(buf, len, "%.15g", v);
		if (strtod(buf, NULL) != v)
			snprintf(buf, len, "%.17g", v);
	}
	return buf;
}

void
prom_family(struct prom *p, const char *name, enum prom_type type,
    const char *help)
{
	size_t	 i;

	if (!prom_metric_name_valid(name)) {
		prom_error(p, xasprintf("invalid metric name \"%s\"",
		    name != NULL ? name : ""));
		return;
	}
	for (i = 0; i < p->nnames; i++) {
		if (strcmp(p->names[i], name) == 0) {
			prom_error(p, xasprintf("metric family \"%s\" "
			    "declared twice", name));
			return;
		}
	}
	p->names = xreallocarray(p->names, p->nnames + 1, sizeof(char *));
	p->names[p->nnames++] = xstrdup(name);
	p->type = type;
	if (help != NULL) {
		strbuf_addf(&p->out, "# HELP %s ", name);
		prom_escape_help(&p->out, help);
		strbuf_addc(&p->out, '\n');
	}
	strbuf_addf(&p->out, "# TYPE %s %s\n", name,
	    prom_type_names[type]);
}

void
prom_sample(struct prom *p, const char *suffix, const char *const *labels,
    double value)
{
	const char	*family;
	char		 buf[64];
	size_t		 i;

	if (p->nnames == 0) {
		prom_error(p, xstrdup("a sample outside any metric family"));
		return;
	}
	family = p->names[p->nnames - 1];
	if (suffix == NULL)
		suffix = "";
	if (suffix[0] != '\0' && (p->type != PROM_SUMMARY ||
	    (strcmp(suffix, "_sum") != 0 && strcmp(suffix, "_count") != 0))) {
		prom_error(p, xasprintf("invalid sample \"%s%s\" of %s \"%s\"",
		    family, suffix, prom_type_names[p->type], family));
		return;
	}
	for (i = 0; labels != NULL && labels[i] != NULL; i += 2) {
		if (!prom_label_name_valid(labels[i]) ||
		    labels[i + 1] == NULL) {
			prom_error(p, xasprintf("invalid label \"%s\" of "
			    "metric \"%s\"", labels[i], family));
			return;
		}
	}
	strbuf_add(&p->out, family);
	strbuf_add(&p->out, suffix);
	for (i = 0; labels != NULL && labels[i] != NULL; i += 2) {
		strbuf_addf(&p->out, "%s%s=\"", i == 0 ? "{" : ",",
		    labels[i]);
		prom_escape_label(&p->out, labels[i + 1]);
		strbuf_addc(&p->out, '"');
	}
	if (i > 0)
		strbuf_addc(&p->out, '}');
	strbuf_addf(&p->out, " %s\n", prom_format_value(value, buf,
	    sizeof(buf)));
}

char *
prom_finish(struct prom *p, char **errp)
{
	char	*text = NULL;

	if (p->error != NULL) {
		*errp = p->error;
		p->error = NULL;
	} else
		text = strbuf_detach(&p->out);
	prom_clear(p);
	return text;
}

int
prom_textfile_write(const char *dir, const char *name, const char *text,
    char **errp)
{
	char	*path, *tmp;
	size_t	 len = strlen(text), off = 0;
	ssize_t	 n;
	int	 fd, rc = -1;

	path = xasprintf("%s/%s", dir, name);
	tmp = xasprintf("%s/.%s.XXXXXX", dir, name);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		*errp = xasprintf("could not create a file in \"%s\": %s", dir,
		    strerror(errno));
		goto out;
	}
	while (off < len) {
		if ((n = write(fd, text + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			*errp = xasprintf("could not write \"%s\": %s", tmp,
			    strerror(errno));
			goto fail;
		}
		off += (size_t)n;
	}
	/* mkostemp made it 0600: the collector may run as another user. */
	if (fchmod(fd, 0644) == -1 || fsync(fd) == -1) {
		*errp = xasprintf("could not write \"%s\": %s", tmp,
		    strerror(errno));
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		*errp = xasprintf("could not write \"%s\": %s", tmp,
		    strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		*errp = xasprintf("could not rename \"%s\" to \"%s\": %s", tmp,
		    path, strerror(errno));
		goto fail;
	}
	rc = 0;
	goto out;
fail:
	if (fd != -1)
		close(fd);
	unlink(tmp);
out:
	free(tmp);
	free(path);
	return rc;
}

/* The states a worker is counted in; stopped ones are not. */
static const char *const prom_worker_states[] = { "running", "idle", "gone" };

void
prom_workers(struct prom *p, const json_t *workers)
{
	const char	*labels[5], *state;
	const json_t	*w;
	double		 total;
	size_t		 i, k;

	prom_family(p, "dataflow_workers", PROM_GAUGE, "Registered workers "
	    "(runjob --drain/--follow) by state: running a run, idle, or "
	    "gone (their heartbeat lapsed).");
	labels[0] = "state";
	labels[2] = NULL;
	for (k = 0; k < sizeof(prom_worker_states) /
	    sizeof(prom_worker_states[0]); k++) {
		total = 0;
		json_array_foreach(workers, i, w) {
			state = json_string_value(json_object_get(w, "state"));
			if (state != NULL &&
			    strcmp(state, prom_worker_states[k]) == 0)
				total += json_number_value(json_object_get(w,
				    "count"));
		}
		labels[1] = prom_worker_states[k];
		prom_sample(p, NULL, labels, total);
	}
	prom_family(p, "dataflow_job_workers", PROM_GAUGE, "Registered "
	    "workers of the job by state (only the states it has).");
	labels[0] = "jobid";
	labels[2] = "state";
	labels[4] = NULL;
	json_array_foreach(workers, i, w) {
		labels[1] = json_string_value(json_object_get(w, "jobid"));
		labels[3] = json_string_value(json_object_get(w, "state"));
		if (labels[1] != NULL && labels[3] != NULL)
			prom_sample(p, NULL, labels, json_number_value(
			    json_object_get(w, "count")));
	}
}
