-- 007_api.sql: schema version 7: the HTTP server's tokens and sessions
-- (SPEC 9, docs/DESIGN-service.md). A token is 32 random bytes shown once
-- to whoever made it; only its SHA-256 is kept. A session of the console is
-- likewise kept as the hash of its cookie, with the CSRF token its
-- mutations must carry, so that several servers share them and revoking a
-- token ends its sessions. Read and written only through the df_token_*
-- and df_session_* functions (api.sql): no role is granted the tables.
--
-- Numbered 7 and written to need nothing of a version 6: it only adds.

CREATE TABLE api_token (
	name		text PRIMARY KEY
			CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$'),
	role		text NOT NULL CHECK (role IN ('viewer', 'operator')),
	-- A UNIQUE index: a token is found by its hash alone.
	hash		bytea NOT NULL UNIQUE CHECK (length(hash) = 32),
	created		timestamptz NOT NULL DEFAULT now(),
	created_by	text NOT NULL,
	last_used	timestamptz,
	revoked		timestamptz
);

CREATE TABLE api_session (
	id_hash		bytea PRIMARY KEY CHECK (length(id_hash) = 32),
	token_name	text NOT NULL REFERENCES api_token ON DELETE CASCADE,
	csrf		text NOT NULL,
	created		timestamptz NOT NULL DEFAULT now(),
	expires		timestamptz NOT NULL
);
CREATE INDEX api_session_token ON api_session (token_name);
CREATE INDEX api_session_expires ON api_session (expires);
