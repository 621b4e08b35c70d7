/* console.h: the web console (SPEC 9): its files, embedded at build time
 * (serve/assets.c, made by build-aux/assets2c), and its handlers. */
#ifndef DF_CONSOLE_H
#define DF_CONSOLE_H

#include <stddef.h>

#include "serve.h"

struct console_asset {
	const char	*name;		/* "console.js"; NULL ends the table */
	const char	*type;		/* Content-Type */
	const char	*etag;		/* quoted, strong */
	const char	*data;
	size_t		 len;
};

/* The console's files, serve/assets.c; ends with a NULL name. */
extern const struct console_asset console_assets[];

/* Return the asset called name, static, or NULL when there is none. */
const struct console_asset *console_asset_find(const char *name);

/* GET /: the page (it signs in when there is no session). */
serve_handler	console_index;
/* GET /console/{file}: one of the page's scripts and style sheets. */
serve_handler	console_file;

#endif
