/* routes.c: the server's route table (SPEC 9), as data: method, path
 * pattern, least role, whether it mutates, handler. */
#include <stddef.h>

#include "api.h"
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
	/* The endpoints of serve/api_*.c. */
	{ "GET", "/api/v1/jobs/{job}", SERVE_ROLE_VIEWER, false, api_job },
	{ "GET", "/api/v1/jobs/{job}/partitions", SERVE_ROLE_VIEWER, false,
	    api_partitions },
	{ "GET", "/api/v1/runs", SERVE_ROLE_VIEWER, false, api_runs },
	{ "GET", "/api/v1/runs/{id}", SERVE_ROLE_VIEWER, false, api_run },
	{ "GET", "/api/v1/explain/{job}", SERVE_ROLE_VIEWER, false,
	    api_explain },
	{ "GET", "/api/v1/workers", SERVE_ROLE_VIEWER, false, api_workers },
	{ "GET", "/api/v1/workers/{id}", SERVE_ROLE_VIEWER, false,
	    api_worker },
	{ "GET", "/api/v1/graph", SERVE_ROLE_VIEWER, false, api_graph },
	{ "GET", "/api/v1/audit", SERVE_ROLE_VIEWER, false, api_audit },
	{ "GET", "/api/v1/timeline", SERVE_ROLE_VIEWER, false,
	    api_timeline },
	{ "GET", "/api/v1/backlog", SERVE_ROLE_VIEWER, false, api_backlog },
	{ "GET", "/api/v1/config", SERVE_ROLE_VIEWER, false, api_config },
	{ "POST", "/api/v1/config/validate", SERVE_ROLE_VIEWER, false,
	    api_config_validate },
	{ "POST", "/api/v1/config/plan", SERVE_ROLE_VIEWER, false,
	    api_config_plan },
	{ "POST", "/api/v1/config/apply", SERVE_ROLE_OPERATOR, true,
	    api_config_apply },
	{ "POST", "/api/v1/datasets/{ds}/ready", SERVE_ROLE_OPERATOR, true,
	    api_ready },
	{ "POST", "/api/v1/jobs/{job}/resubmit", SERVE_ROLE_OPERATOR, true,
	    api_resubmit },
	{ "POST", "/api/v1/jobs/{job}/pause", SERVE_ROLE_OPERATOR, true,
	    api_pause },
	{ "POST", "/api/v1/jobs/{job}/resume", SERVE_ROLE_OPERATOR, true,
	    api_resume },
	{ "POST", "/api/v1/jobs/{job}/trigger", SERVE_ROLE_OPERATOR, true,
	    api_trigger },
	{ "POST", "/api/v1/trigger", SERVE_ROLE_OPERATOR, true,
	    api_trigger_match },
	/* The console: the page and its files hold no data (it all comes
	 * from the API, which checks the session), so they need no role;
	 * without a session the page shows its sign-in form. */
	{ "GET", "/", SERVE_ROLE_NONE, false, console_index },
	{ "GET", "/console/{file}", SERVE_ROLE_NONE, false, console_file },
	{ NULL, NULL, SERVE_ROLE_NONE, false, NULL }
};
