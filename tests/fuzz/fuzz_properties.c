/*
 * fuzz_properties.c: fuzz target for dataflow.properties: the parser
 * (lib/properties.c) and what is built from its result (lib/settings.c,
 * and through it the url parser and durations).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "fuzz.h"
#include "ids.h"
#include "properties.h"
#include "settings.h"

#define ORIGIN	"fuzz.properties"

/* Return how many physical lines text has (LF, CRLF and CR end one). */
static int
count_lines(const char *text)
{
	int	 n = 1;

	for (; *text != '\0'; text++) {
		if (*text == '\n' || (*text == '\r' && text[1] != '\n'))
			n++;
	}
	return n;
}

static void
check_settings(const struct properties *p)
{
	struct settings	*s;
	char		*err = NULL;
	size_t		 i;

	if ((s = settings_from_properties(p, &err)) == NULL) {
		/* Every error names the file. */
		FUZZ_CHECK(err != NULL);
		FUZZ_CHECK(strncmp(err, ORIGIN ":", strlen(ORIGIN ":")) == 0);
		free(err);
		return;
	}
	FUZZ_CHECK(err == NULL);
	FUZZ_CHECK(s->schema != NULL && ident_valid(s->schema));
	FUZZ_CHECK(s->lease_secs >= 1 && s->lease_secs <= 366L * 86400);
	/* The arrays suit PQconnectdbParams: NULL-terminated, no secret. */
	FUZZ_CHECK(s->conn.n == 0 || s->conn.keys[s->conn.n] == NULL);
	FUZZ_CHECK(s->conn.n == 0 || s->conn.values[s->conn.n] == NULL);
	for (i = 0; i < s->conn.n; i++) {
		FUZZ_CHECK(s->conn.keys[i] != NULL &&
		    s->conn.values[i] != NULL);
		FUZZ_CHECK(strcmp(s->conn.keys[i], "password") != 0);
		FUZZ_CHECK(strcmp(s->conn.keys[i], "schema") != 0);
	}
	settings_free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct properties	*p;
	char			*text, *err = NULL;
	size_t			 i;
	int			 lines;

	/* properties_load refuses a NUL byte before parsing. */
	if ((text = fuzz_cstr(data, size)) == NULL)
		return 0;
	if ((p = properties_parse(text, ORIGIN, &err)) == NULL) {
		FUZZ_CHECK(err != NULL);
		FUZZ_CHECK(strncmp(err, ORIGIN ":", strlen(ORIGIN ":")) == 0);
		free(err);
		free(text);
		return 0;
	}
	FUZZ_CHECK(err == NULL);
	lines = count_lines(text);
	for (i = 0; i < p->n; i++) {
		const struct property *it = &p->items[i];

		FUZZ_CHECK(it->key[0] != '\0');
		FUZZ_CHECK(strlen(it->value) <= PROPERTIES_MAXLINE * 2);
		FUZZ_CHECK(it->line >= 1 && it->line <= lines);
		FUZZ_CHECK(i == 0 || it->line > p->items[i - 1].line);
		/* The last setting of a key wins. */
		FUZZ_CHECK(properties_line(p, it->key) >= it->line);
		FUZZ_CHECK(properties_get(p, it->key) != NULL);
	}
	check_settings(p);
	/* As if loaded from a file others can read: warn about secrets. */
	FUZZ_CHECK(properties_check_mode(p) == NULL);
	p->mode = 0644;
	p->uid = 1000;
	free(properties_check_mode(p));
	properties_free(p);
	free(text);
	return 0;
}
