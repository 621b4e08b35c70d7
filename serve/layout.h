/* layout.h: the graph laid out by Graphviz's dot for the console
 * (GET /api/v1/graph?format=layout), one dot run per catalog. */
#ifndef DF_SERVE_LAYOUT_H
#define DF_SERVE_LAYOUT_H

#include "serve.h"

#define LAYOUT_TIMEOUT_MS	5000	/* dot is killed after */
#define LAYOUT_MAX_OUTPUT	(16 * 1024 * 1024)	/* bytes dot may write */
#define LAYOUT_CACHE		16	/* layouts kept, the least recently
					   used dropped first */
#define LAYOUT_MAX_DEPTH	99	/* of a focus, in jobs */

/*
 * Lay graphs out with the dot at dotpath (taken; NULL: there is none, and
 * the layout is answered 501). Call before the server's threads start.
 */
void	layout_init(char *dotpath);
/* Return the dot in use, or NULL; owned by the module. */
const char *layout_dot(void);
/* Forget the layouts and the path (once the threads are stopped). */
void	layout_free(void);
/*
 * Answer GET /api/v1/graph?format=layout: the layout of the whole graph,
 * or of job jobid (NULL: none) and what lies within depth= jobs of it in
 * direction dir= (both, up, down), with X-Layout-Cache "hit" or "miss"
 * (a failure of dot is kept as a layout is: 500 until the catalog
 * changes).
 */
void	layout_answer(const struct serve_req *rq, struct serve_resp *rs,
	    const char *jobid);

#endif
