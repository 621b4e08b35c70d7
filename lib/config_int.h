/* config_int.h: what the parts of the configuration module share (the
 * decoder config.c, the checks config_check.c, the model config_model.c);
 * not for use outside them. */
#ifndef DF_CONFIG_INT_H
#define DF_CONFIG_INT_H

#include <stddef.h>

#include "config.h"

#define CONFIG_NORDERS	3	/* values of enum cfg_order */
#define CONFIG_IDRULE \
	"expected [A-Za-z_][A-Za-z0-9_]*, at most 63 bytes"

/* Indexed by enum cfg_order. */
extern const char *const config_order_names[CONFIG_NORDERS];

/* Where messages go while loading or checking one configuration. */
struct config_load {
	const char	*origin;	/* file name, or NULL */
	struct diag	*d;
	struct config	*c;		/* being built, or NULL */
};

/* Add "ORIGIN: PATH: message" to ld->d, leaving out the parts that are
 * NULL. */
void	 config_err(struct config_load *ld, const char *path,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Return the JSON path of key below parent (NULL: the top), a.key or
 * a["odd key"] (caller frees). */
char	*config_path(const char *parent, const char *key);
/* Return the JSON path of element i of the array at parent (caller
 * frees). */
char	*config_path_index(const char *parent, size_t i);

/* qsort, which must not be given a NULL base even for no elements. */
void	 config_qsort(void *base, size_t n, size_t size,
	    int (*cmp)(const void *, const void *));
/* Compare two string pointers, for config_qsort and bsearch. */
int	 config_cmp_str(const void *a, const void *b);
/* Free what ds or job holds and zero it. */
void	 config_dataset_clear(struct cfg_dataset *ds);
void	 config_job_clear(struct cfg_job *job);

#endif
