/* df_listen.c: a test helper for worker_wait (lib/worker.c) against the
 * real database: wait on a channel of the schema for one job's
 * notifications and print each wake, riding out reconnects.
 *
 *     df_listen KIND JOB RECHECK_MS COUNT
 *
 * Prints "listening" once it LISTENs, then one line per wake: "notified
 * PAYLOAD", "recheck" (timeout, or a new session after a reconnect) or
 * "lost" (then it reconnects). Exits 0 after COUNT notifications, 1 when
 * a wait ran out with none, 2 on an error. Uses $DATAFLOW_PROPERTIES. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "db.h"
#include "properties.h"
#include "settings.h"
#include "worker.h"

static struct db *
connect_db(struct settings **sp)
{
	struct properties	*props;
	struct db_error		 e = { 0 };
	struct db		*db;
	char			*path, *err = NULL;

	if ((path = properties_find(NULL, &err)) == NULL ||
	    (props = properties_load(path, &err)) == NULL ||
	    (*sp = settings_from_properties(props, &err)) == NULL) {
		fprintf(stderr, "df_listen: %s\n", err);
		exit(2);
	}
	properties_free(props);
	free(path);
	if ((db = db_connect(*sp, NULL, "df_listen", 0, &e)) == NULL) {
		fprintf(stderr, "df_listen: %s\n", e.message);
		exit(2);
	}
	return db;
}

int
main(int argc, char **argv)
{
	struct settings		*s = NULL;
	struct db		*db;
	struct worker_wait	*w;
	struct db_error		 e = { 0 };
	char			*payload;
	struct timespec		 pause = { 0, 100000000 };
	long			 recheck, count, got = 0;
	bool			 fresh = false;
	int			 rc = 1;

	if (argc != 5) {
		fprintf(stderr, "usage: df_listen KIND JOB RECHECK_MS COUNT\n");
		return 2;
	}
	recheck = strtol(argv[3], NULL, 10);
	count = strtol(argv[4], NULL, 10);
	db = connect_db(&s);
	w = worker_wait_new(argv[1], argv[2]);
	if (worker_listen(db, w, &e) == -1) {
		fprintf(stderr, "df_listen: %s\n", e.message);
		return 2;
	}
	printf("listening\n");
	fflush(stdout);
	while (got < count) {
		switch (worker_wait(db, w, recheck, &payload, &e)) {
		case WORKER_NOTIFIED:
			printf("notified %s\n", payload);
			free(payload);
			got++;
			break;
		case WORKER_RECHECK:
			printf("recheck\n");
			/* Not the new session's first wake: a timeout. */
			if (!fresh)
				goto out;
			fresh = false;
			break;
		case WORKER_INTERRUPTED:
			break;
		case WORKER_FAILED:
			printf("lost\n");
			fflush(stdout);
			db_error_clear(&e);
			while (db_reconnect(db, &e) == -1) {
				db_error_clear(&e);
				nanosleep(&pause, NULL);
			}
			fresh = true;
			break;
		}
		fflush(stdout);
	}
	rc = 0;
out:
	db_error_clear(&e);
	worker_wait_free(w);
	db_close(db);
	settings_free(s);
	return rc;
}
