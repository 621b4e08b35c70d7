-- 004_roles.sql: schema version 4: least privilege. From this version on
-- the functions that change state are SECURITY DEFINER and every "dataflow
-- init" re-applies the rights of the schema's runner and operator roles
-- (roles.sql); the init of an older dataflow would re-create the functions
-- without either, so it must refuse this schema, as its version makes it.
--
-- Only the owner and those roles use the schema. PostgreSQL gives PUBLIC
-- no right on a new schema, but one named "public" lets everyone in, and
-- before PostgreSQL 15 create objects there too: a function planted beside
-- dataflow's could be picked by its calls. Keep others' USAGE of a shared
-- "public" schema, take away CREATE.
DO $$
BEGIN
	IF current_schema() = 'public' THEN
		REVOKE CREATE ON SCHEMA public FROM PUBLIC;
	ELSE
		EXECUTE format('REVOKE ALL ON SCHEMA %I FROM PUBLIC',
		    current_schema());
	END IF;
END
$$;
