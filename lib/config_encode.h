/* config_encode.h: the configuration written as JSON (config_encode.c). */
#ifndef DF_CONFIG_ENCODE_H
#define DF_CONFIG_ENCODE_H

#include <stddef.h>

struct cfg_kv;
struct config;
struct json_t;

/*
 * Return c as a JSON document in the file format (caller owns the ref):
 * "datasets" and "jobs", and inside them only the fields that are set and
 * not at their defaults. NULL if a string is not valid UTF-8.
 */
struct json_t	*config_to_json(const struct config *c);
/*
 * Return the n entries of kv as a JSON object of strings (caller owns the
 * ref); an entry whose key or value is not valid UTF-8 is left out and
 * sets *bad to 1.
 */
struct json_t	*config_kv_json(const struct cfg_kv *kv, size_t n, int *bad);
/* Return kv as compact JSON object text with sorted keys, as the database
 * stores parameters and extra attributes (caller frees). */
char		*config_kv_text(const struct cfg_kv *kv, size_t n);
/*
 * Fill *kv and *n with the string members of the JSON object o (other
 * members are skipped; anything but an object gives none). The caller
 * frees them with config_kv_free (*kv NULL when none).
 */
void		 config_kv_from_json(struct json_t *o, struct cfg_kv **kv,
		    size_t *n);
/* Free the n pairs of kv, their keys and values; NULL is a no-op. */
void		 config_kv_free(struct cfg_kv *kv, size_t n);

#endif
