/* cmd_rekey.c: "dataflow rekey": re-encrypt every stored secret under a new
 * passkey, in one transaction. */
#include <err.h>
#include <getopt.h>
#include <readpassphrase.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "actor.h"
#include "catalog.h"
#include "credential.h"
#include "dataflow.h"
#include "db.h"
#include "exitcodes.h"
#include "passkey.h"
#include "secrets.h"
#include "settings.h"
#include "xmalloc.h"

#define NEW_PASSKEY_ENV	"NEW_PASSKEY"

static const char secrets_sql[] =
    "SELECT datasetid, encryptedpass FROM dataset "
    "WHERE coalesce(encryptedpass, '') <> '' ORDER BY datasetid FOR UPDATE";

static const char update_sql[] =
    "UPDATE dataset SET encryptedpass = $2, modified = now() "
    "WHERE datasetid = $1";

/* The new passkey: --new-passkey-file, $NEW_PASSKEY, or asked twice. */
static int
new_passkey(const char *file, struct passkey *pk, char **errp)
{
	char		 again[PASSKEY_MAX];
	const char	*env;

	memset(pk, 0, sizeof(*pk));
	if (file != NULL)
		return passkey_read_file(pk, file, errp);
	if ((env = getenv(NEW_PASSKEY_ENV)) != NULL && *env != '\0') {
		if (strlcpy(pk->buf, env, sizeof(pk->buf)) >= sizeof(pk->buf)) {
			*errp = xasprintf("$%s is too long", NEW_PASSKEY_ENV);
			return -1;
		}
		pk->len = strlen(pk->buf);
		return 0;
	}
	if (!isatty(STDIN_FILENO)) {
		*errp = xasprintf("no new passkey: use --new-passkey-file or "
		    "$%s", NEW_PASSKEY_ENV);
		return -1;
	}
	if (readpassphrase("new passkey: ", pk->buf, sizeof(pk->buf),
	    RPP_ECHO_OFF) == NULL ||
	    readpassphrase("new passkey again: ", again, sizeof(again),
	    RPP_ECHO_OFF) == NULL) {
		explicit_bzero(again, sizeof(again));
		*errp = xstrdup("could not read the new passkey");
		return -1;
	}
	if (strcmp(pk->buf, again) != 0) {
		explicit_bzero(again, sizeof(again));
		*errp = xstrdup("the two new passkeys differ");
		return -1;
	}
	explicit_bzero(again, sizeof(again));
	pk->len = strlen(pk->buf);
	if (pk->len == 0) {
		*errp = xstrdup("the new passkey is empty");
		return -1;
	}
	return 0;
}

static int
cmd_rekey_exec(struct global_opts *g, int argc, char **argv)
{
	enum { OPT_NEW_FILE = 256, OPT_FORMAT, OPT_DRY_RUN };
	static const struct option longopts[] = {
		{ "new-passkey-file",	required_argument, NULL, OPT_NEW_FILE },
		{ "format",		required_argument, NULL, OPT_FORMAT },
		{ "dry-run",		no_argument,	   NULL, OPT_DRY_RUN },
		{ NULL,			0,		   NULL, 0 }
	};
	const char			*new_file = NULL, *p[2];
	enum credential_format		 format = CREDENTIAL_DF1;
	struct credential_keyring	*newkr = NULL;
	struct credential_info		 info;
	struct secrets			 old;
	struct passkey			 pk;
	struct settings			*s = NULL;
	struct db			*db = NULL;
	struct db_error			 e = { 0 }, ignore = { 0 };
	struct db_result		*r = NULL;
	char				*errmsg = NULL, *plain = NULL, *ct = NULL;
	char				*what, *actor = NULL, *detail = NULL;
	char				*dbpass = NULL, *newenc = NULL;
	uint32_t			 keyid = 0;
	bool				 dry_run = false, in_tx = false;
	int				 ch, i, status = EXIT_CONFIG;

	memset(&old, 0, sizeof(old));
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_NEW_FILE:
			new_file = optarg;
			break;
		case OPT_FORMAT:
			format = credential_format_from_name(optarg);
			if (format == CREDENTIAL_UNKNOWN) {
				warnx("unknown format \"%s\" (df1 or odf)",
				    optarg);
				return cmd_usage(&cmd_rekey_entry);
			}
			break;
		case OPT_DRY_RUN:
			dry_run = true;
			break;
		default:
			return cmd_usage(&cmd_rekey_entry);
		}
	}
	if (argc != optind)
		return cmd_usage(&cmd_rekey_entry);

	if (secrets_open(&old, g->passkey_file, NULL, true, &errmsg) == -1)
		goto fail;
	if (old.keyring == NULL) {
		errmsg = xstrdup("rekey needs the current passkey (PASSKEY, "
		    "--passkey-file or DATAFLOW_PASSKEY_FILE)");
		goto fail;
	}
	if (new_passkey(new_file, &pk, &errmsg) == -1) {
		passkey_clear(&pk);
		goto fail;
	}
	newkr = credential_keyring_new(pk.buf, pk.len);
	passkey_clear(&pk);

	if ((db = cmd_connect(g, &s, &status)) == NULL)
		goto out;
	status = EXIT_FAIL;
	if (db_begin(db, &e) == -1)
		goto dberr;
	in_tx = true;
	if ((r = db_query(db, secrets_sql, 0, NULL, &e)) == NULL)
		goto dberr;
	/* A new key id, so that ciphertexts say which passkey made them. */
	for (i = 0; i < db_rows(r); i++) {
		char *ignore_err = NULL;

		if (credential_inspect(db_value(r, i, 1), &info,
		    &ignore_err) == 0 && info.keyid > keyid)
			keyid = info.keyid;
		free(ignore_err);
	}
	credential_keyring_set_keyid(newkr, keyid + 1);
	for (i = 0; i < db_rows(r); i++) {
		what = xasprintf("dataset %s", db_value(r, i, 0));
		if (secrets_decrypt(&old, db_value(r, i, 1), what, &plain,
		    &errmsg) == -1) {
			free(what);
			status = EXIT_CONFIG;
			goto fail;
		}
		free(what);
		if (credential_encrypt(newkr, format, plain, strlen(plain),
		    &ct, &errmsg) != 0) {
			status = EXIT_SOFTWARE;
			goto fail;
		}
		xfreezero_str(plain);
		plain = NULL;
		p[0] = db_value(r, i, 0);
		p[1] = ct;
		if (db_exec(db, update_sql, 2, p, &e) < 0)
			goto dberr;
		free(ct);
		ct = NULL;
	}
	/* The database password lives in the properties file: say what
	 * to write there (a ciphertext is safe to print). */
	if (s->encrypted != NULL) {
		if (secrets_db_password(&old, s, &dbpass, &errmsg) == -1 ||
		    credential_encrypt(newkr, format, dbpass, strlen(dbpass),
		    &newenc, &errmsg) != 0) {
			status = EXIT_CONFIG;
			goto fail;
		}
	}
	actor = actor_name();
	{
		json_t *o = json_pack("{s:i, s:s, s:i}", "secrets",
		    db_rows(r), "format", credential_format_name(format),
		    "keyid", (int)(keyid + 1));

		detail = json_dumps(o, JSON_COMPACT);
		json_decref(o);
	}
	if (catalog_audit(db, actor, "rekey", detail, &e) == -1)
		goto dberr;
	if (dry_run) {
		db_rollback(db, &ignore);
		in_tx = false;
	} else {
		if (db_commit(db, &e) == -1)
			goto dberr;
		in_tx = false;
	}
	if (g->verbosity > 0)
		printf("%s %d stored secret%s under the new passkey (%s, key "
		    "id %u)\n", dry_run ? "dry run: would re-encrypt" :
		    "re-encrypted", db_rows(r), db_rows(r) == 1 ? "" : "s",
		    credential_format_name(format), keyid + 1);
	if (!dry_run) {
		if (newenc != NULL)
			printf("now set in %s:\nencrypted=%s\n", s->path,
			    newenc);
		printf("and give runjob and dataflow the new passkey\n");
	}
	status = EXIT_OK;
	goto out;
dberr:
	status = cmd_db_fail("rekey (nothing changed)", &e);
	goto out;
fail:
	warnx("%s%s", errmsg, in_tx ? "; nothing changed" : "");
out:
	if (in_tx)
		db_rollback(db, &ignore);
	db_error_clear(&ignore);
	db_error_clear(&e);
	db_result_free(r);
	xfreezero_str(plain);
	xfreezero_str(dbpass);
	free(ct);
	free(newenc);
	free(errmsg);
	free(actor);
	free(detail);
	credential_keyring_free(newkr);
	secrets_close(&old);
	db_close(db);
	settings_free(s);
	return status;
}

const struct cmd_entry cmd_rekey_entry = {
	"rekey", "[--new-passkey-file FILE] [--format df1|odf] [--dry-run]",
	"re-encrypt every stored secret under a new passkey", cmd_rekey_exec
};
