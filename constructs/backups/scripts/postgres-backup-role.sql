-- The backup role (psql variables `role` and `password`), run by the setup Job with the
-- superuser: created when missing (\gexec runs the CREATE only when the SELECT returns it),
-- then on every run LOGIN without any other attribute, the password set, and membership in
-- pg_read_all_data, the predefined role (PostgreSQL >= 14) that may SELECT every table,
-- view and sequence and USAGE every schema: all pg_dump needs, and nothing that writes.
SELECT format('CREATE ROLE %I LOGIN', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role')\gexec
ALTER ROLE :"role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'password';
GRANT pg_read_all_data TO :"role";
-- The restore canary: a table every dump carries, which the drill checks by default,
-- so that a drill proves data came back even where no application table is listed.
CREATE SCHEMA IF NOT EXISTS platform_backup;
CREATE TABLE IF NOT EXISTS platform_backup.restore_canary (id integer PRIMARY KEY, created timestamptz NOT NULL DEFAULT now());
INSERT INTO platform_backup.restore_canary (id) VALUES (1) ON CONFLICT (id) DO NOTHING;
