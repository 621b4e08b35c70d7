/* prom.h: the Prometheus text exposition format: metric families, samples,
 * escaping, and the atomic write of a node_exporter textfile. */
#ifndef DF_PROM_H
#define DF_PROM_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf;
struct json_t;

enum prom_type {
	PROM_GAUGE,
	PROM_COUNTER,
	PROM_SUMMARY,
	PROM_UNTYPED
};

struct prom;

/* Return a new, empty exposition; the caller frees it with prom_free. */
struct prom	*prom_new(void);
/* Free p; NULL is a no-op. */
void		 prom_free(struct prom *p);
/*
 * Start the metric family name (its HELP and TYPE lines): the samples
 * added next belong to it. A counter's name includes its "_total". An
 * invalid or repeated name is recorded as p's error (see prom_finish).
 */
void		 prom_family(struct prom *p, const char *name,
		    enum prom_type type, const char *help);
/*
 * Add a sample of the current family: its name plus suffix ("" or NULL;
 * "_sum" or "_count" for a summary), the labels as a NULL-terminated list
 * of name, value pairs (labels may be NULL), and the value. A sample
 * outside a family, a bad suffix or an invalid label name is recorded as
 * p's error.
 */
void		 prom_sample(struct prom *p, const char *suffix,
		    const char *const *labels, double value);
/*
 * Return the exposition text (caller frees), or NULL with the first error
 * recorded in *errp (caller frees). p is left empty either way.
 */
char		*prom_finish(struct prom *p, char **errp);

/*
 * Add the worker gauges from df_metrics' "workers" array ({jobid, state,
 * count}): dataflow_workers{state} for running, idle and gone (0 when
 * none), and dataflow_job_workers{jobid,state} for each pair given.
 */
void		 prom_workers(struct prom *p, const struct json_t *workers);

/* Return whether s is a metric name: [a-zA-Z_:][a-zA-Z0-9_:]*. */
bool		 prom_metric_name_valid(const char *s);
/*
 * Return whether s is a label name: [a-zA-Z_][a-zA-Z0-9_]*, not starting
 * with "__" (reserved for Prometheus itself).
 */
bool		 prom_label_name_valid(const char *s);
/*
 * Append s as the inside of a label value: backslash, double quote and
 * newline escaped, bytes that are not UTF-8 replaced by U+FFFD.
 */
void		 prom_escape_label(struct strbuf *sb, const char *s);
/* Append s as HELP text: backslash and newline escaped, UTF-8 repaired. */
void		 prom_escape_help(struct strbuf *sb, const char *s);
/*
 * Write v to buf as the format wants it and return buf: "NaN", "+Inf",
 * "-Inf", whole numbers without exponent or point below 1e15, others in
 * the shortest of 15 or 17 significant digits that reads back exactly.
 */
const char	*prom_format_value(double v, char *buf, size_t len);

/*
 * Write text to dir/name atomically, for node_exporter's textfile
 * collector: into a new hidden file dir/.name.XXXXXX (which the collector
 * ignores), flushed, mode 0644, then renamed over dir/name, so readers see
 * the old file or the new one, never a part. Return 0, or -1 with *errp
 * (caller frees) naming the file; no temporary file is left behind.
 */
int		 prom_textfile_write(const char *dir, const char *name,
		    const char *text, char **errp);

#endif
