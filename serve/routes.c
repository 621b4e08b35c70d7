/* routes.c: the server's route table (SPEC 9), as data: method, path
 * pattern, least role, whether it mutates, handler. */
#include <stddef.h>

#include "serve.h"
#include "console.h"

const struct serve_route serve_routes[] = {
	{ "GET", "/healthz", SERVE_ROLE_NONE, false, api_healthz },
	{ "GET", "/api/v1/openapi.yaml", SERVE_ROLE_NONE, false, api_openapi },
	{ "GET", "/api/v1/status", SERVE_ROLE_VIEWER, false, api_status },
	{ "GET", "/metrics", SERVE_ROLE_VIEWER, false, api_metrics },
	/* The console's sign-in: starting a session needs no role (the
	 * token is in the body), it is not a mutation of the jobs. */
	{ "POST", "/api/v1/session", SERVE_ROLE_NONE, false,
	    auth_session_start },
	{ "GET", "/api/v1/session", SERVE_ROLE_SESSION, false,
	    auth_session_get },
	{ "DELETE", "/api/v1/session", SERVE_ROLE_SESSION, false,
	    auth_session_end },
	/* The console: the page and its files hold no data (it all comes
	 * from the API, which checks the session), so they need no role;
	 * without a session the page shows its sign-in form. */
	{ "GET", "/", SERVE_ROLE_NONE, false, console_index },
	{ "GET", "/console/{file}", SERVE_ROLE_NONE, false, console_file },
	{ NULL, NULL, SERVE_ROLE_NONE, false, NULL }
};
