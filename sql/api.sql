-- api.sql: the functions of the HTTP server's tokens and sessions
-- (007_api.sql). The server's role calls df_token_auth and the
-- df_session_* functions, SECURITY DEFINER, and reads no table; the owner
-- ("dataflow token") alone adds, lists and revokes tokens, with functions
-- that run as their caller and are granted to no role.

-- Add a token: name, role, the SHA-256 of the token (the token itself never
-- reaches the database). Audited. A name already used is a unique
-- violation (23505).
CREATE OR REPLACE FUNCTION df_token_add(p_name text, p_role text,
    p_hash bytea, p_who text)
RETURNS void LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
	INSERT INTO api_token (name, role, hash, created_by)
	VALUES (p_name, p_role, p_hash, p_who);
	PERFORM df_audit(p_who, 'token add',
	    jsonb_build_object('token', p_name, 'role', p_role));
END
$$;

-- Every token, oldest first, without its hash.
CREATE OR REPLACE FUNCTION df_token_list()
RETURNS TABLE (name text, role text, created timestamptz, created_by text,
    last_used timestamptz, revoked timestamptz)
LANGUAGE sql STABLE
SET search_path FROM CURRENT AS $$
	SELECT t.name, t.role, t.created, t.created_by, t.last_used, t.revoked
	FROM api_token t ORDER BY t.created, t.name
$$;

-- Revoke a live token and end its sessions; audited. Return false when it
-- was already revoked; an unknown name raises DF001.
CREATE OR REPLACE FUNCTION df_token_revoke(p_name text, p_who text)
RETURNS boolean LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
DECLARE
	v_revoked	timestamptz;
BEGIN
	SELECT t.revoked INTO v_revoked FROM api_token t
	WHERE t.name = p_name FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown token "%"', p_name
		    USING ERRCODE = 'DF001';
	END IF;
	DELETE FROM api_session s WHERE s.token_name = p_name;
	IF v_revoked IS NOT NULL THEN
		RETURN false;
	END IF;
	UPDATE api_token t SET revoked = now() WHERE t.name = p_name;
	PERFORM df_audit(p_who, 'token revoke',
	    jsonb_build_object('token', p_name));
	RETURN true;
END
$$;

-- The name and role of the live token whose SHA-256 is p_hash (no row
-- when none). The token is found by an equality lookup of its hash in a
-- UNIQUE index: what the lookup's time depends on is the hash, which an
-- attacker cannot steer towards a live token's, never the secret itself.
-- last_used is written at most once a minute, so that a busy client does
-- not turn every request into a write.
CREATE OR REPLACE FUNCTION df_token_auth(p_hash bytea)
RETURNS TABLE (name text, role text)
LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
	UPDATE api_token t SET last_used = now()
	WHERE t.hash = p_hash AND t.revoked IS NULL
	    AND (t.last_used IS NULL
		OR t.last_used < now() - interval '1 minute');
	RETURN QUERY SELECT t.name, t.role FROM api_token t
	    WHERE t.hash = p_hash AND t.revoked IS NULL;
END
$$;

-- Start a session of the live token whose hash is p_token_hash, kept as
-- the hash of its cookie, with its CSRF token, for p_ttl. Expired
-- sessions are pruned on the way. Return the token's name and role (no row:
-- no such live token, no session).
CREATE OR REPLACE FUNCTION df_session_start(p_token_hash bytea,
    p_session_hash bytea, p_csrf text, p_ttl interval)
RETURNS TABLE (name text, role text)
LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
	v_name	text;
	v_role	text;
BEGIN
	DELETE FROM api_session s WHERE s.expires < now();
	SELECT a.name, a.role INTO v_name, v_role
	FROM df_token_auth(p_token_hash) a;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	INSERT INTO api_session (id_hash, token_name, csrf, expires)
	VALUES (p_session_hash, v_name, p_csrf, now() + p_ttl);
	RETURN QUERY SELECT v_name, v_role;
END
$$;

-- The token name, role and CSRF token of a live session (no row: none,
-- expired, or its token revoked).
CREATE OR REPLACE FUNCTION df_session_auth(p_session_hash bytea)
RETURNS TABLE (name text, role text, csrf text)
LANGUAGE sql STABLE
SECURITY DEFINER SET search_path FROM CURRENT AS $$
	SELECT t.name, t.role, s.csrf FROM api_session s
	JOIN api_token t ON t.name = s.token_name AND t.revoked IS NULL
	WHERE s.id_hash = p_session_hash AND s.expires > now()
$$;

-- End a session; return whether there was one.
CREATE OR REPLACE FUNCTION df_session_end(p_session_hash bytea)
RETURNS boolean LANGUAGE sql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
	WITH d AS (DELETE FROM api_session s
	    WHERE s.id_hash = p_session_hash RETURNING 1)
	SELECT count(*) > 0 FROM d
$$;
