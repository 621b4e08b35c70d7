/* metrics.h: the name=value lines a job writes to $DATAFLOW_METRICS_FILE. */
#ifndef DF_METRICS_H
#define DF_METRICS_H

#include <stddef.h>

struct diag;

#define METRICS_MAXFILE		65536	/* bytes read from the file */
#define METRICS_MAXCOUNT	100	/* metrics kept per run */
#define METRICS_MAXNAME		63	/* bytes */
#define METRICS_MAXVALUE	256	/* bytes of a string value */

/*
 * Parse metrics text: one "name=value" a line; blank lines and lines
 * starting with '#' are skipped; names are [A-Za-z_][A-Za-z0-9_.:-]*;
 * values that read whole as finite numbers are stored as numbers, others
 * as strings; a later value of a name replaces an earlier one. Malformed
 * lines are skipped, each with a message ("line N: ...") added to
 * warnings. Return a JSON object text (caller frees), or NULL when there
 * is no metric at all.
 */
char	*metrics_parse(const char *text, size_t len, struct diag *warnings);

#endif
