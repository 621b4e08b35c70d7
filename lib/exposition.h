/* exposition.h: dataflow's metric families in the Prometheus text format
 * (dataflow metrics, the server's /metrics). */
#ifndef DF_EXPOSITION_H
#define DF_EXPOSITION_H

/*
 * Return the exposition of doc, the JSON text df_metrics returns ({"jobs":
 * [...], "hosts": [...]}), its run durations summarised over the last
 * window seconds (as the help text says). Caller frees. NULL with *errp
 * set (caller frees) when doc is not such a document.
 */
char	*exposition_text(const char *doc, long window, char **errp);

#endif
