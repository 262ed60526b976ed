-- Cumulus database bootstrap: one database `cumulus`, six schemas, six login roles.
--
-- Run as a superuser, connected to any database of the cluster, with one password per service
-- role in the environment (psql 15 or later, for \getenv):
--
--   CUMULUS_PG_PASSWORD_GOVERNANCE=... CUMULUS_PG_PASSWORD_COSTS=... (and PLACEMENT,
--   ORCHESTRATOR, COORDINATOR, REGISTRY)  psql -X -v ON_ERROR_STOP=1 -d postgres -f deploy/bootstrap.sql
--
-- (or pass them as psql variables: -v pw_governance=... and so on).
--
-- Idempotent: every statement either creates what is missing or restates what is already true,
-- so a second run changes nothing and does not fail. Passwords are set only when a role is
-- created; an existing role keeps its password (the scripts keep passwords in a secrets file and
-- reuse them).
--
-- Result: role cumulus_<service> owns schema <service>, has it as its search_path, and can
-- neither use another service's schema nor create anything in `public`.

\set ON_ERROR_STOP on
\set QUIET on
-- Re-runs would otherwise print "already exists, skipping" notices.
SET client_min_messages = warning;

-- Passwords: a psql variable pw_<service> if given with -v, else the environment variable
-- CUMULUS_PG_PASSWORD_<SERVICE> (\getenv keeps them off command lines). A missing one fails with
-- a clear message (psql would otherwise leave the literal :'pw_x' in a statement).
\if :{?pw_governance}
\else
\getenv pw_governance CUMULUS_PG_PASSWORD_GOVERNANCE
\endif
\if :{?pw_governance}
\else
DO $$ BEGIN RAISE EXCEPTION 'bootstrap.sql: set CUMULUS_PG_PASSWORD_GOVERNANCE (or psql -v pw_governance=...)'; END $$;
\endif
\if :{?pw_costs}
\else
\getenv pw_costs CUMULUS_PG_PASSWORD_COSTS
\endif
\if :{?pw_costs}
\else
DO $$ BEGIN RAISE EXCEPTION 'bootstrap.sql: set CUMULUS_PG_PASSWORD_COSTS (or psql -v pw_costs=...)'; END $$;
\endif
\if :{?pw_placement}
\else
\getenv pw_placement CUMULUS_PG_PASSWORD_PLACEMENT
\endif
\if :{?pw_placement}
\else
DO $$ BEGIN RAISE EXCEPTION 'bootstrap.sql: set CUMULUS_PG_PASSWORD_PLACEMENT (or psql -v pw_placement=...)'; END $$;
\endif
\if :{?pw_orchestrator}
\else
\getenv pw_orchestrator CUMULUS_PG_PASSWORD_ORCHESTRATOR
\endif
\if :{?pw_orchestrator}
\else
DO $$ BEGIN RAISE EXCEPTION 'bootstrap.sql: set CUMULUS_PG_PASSWORD_ORCHESTRATOR (or psql -v pw_orchestrator=...)'; END $$;
\endif
\if :{?pw_coordinator}
\else
\getenv pw_coordinator CUMULUS_PG_PASSWORD_COORDINATOR
\endif
\if :{?pw_coordinator}
\else
DO $$ BEGIN RAISE EXCEPTION 'bootstrap.sql: set CUMULUS_PG_PASSWORD_COORDINATOR (or psql -v pw_coordinator=...)'; END $$;
\endif
\if :{?pw_registry}
\else
\getenv pw_registry CUMULUS_PG_PASSWORD_REGISTRY
\endif
\if :{?pw_registry}
\else
DO $$ BEGIN RAISE EXCEPTION 'bootstrap.sql: set CUMULUS_PG_PASSWORD_REGISTRY (or psql -v pw_registry=...)'; END $$;
\endif

-- The database (CREATE DATABASE cannot run inside DO or a transaction, hence \gexec).
SELECT 'CREATE DATABASE cumulus ENCODING ''UTF8'' TEMPLATE template0'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'cumulus') \gexec

-- Roles are cluster-wide. Create the missing ones with their password.
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', r.name, r.password)
FROM (VALUES
    ('cumulus_governance',   :'pw_governance'),
    ('cumulus_costs',        :'pw_costs'),
    ('cumulus_placement',    :'pw_placement'),
    ('cumulus_orchestrator', :'pw_orchestrator'),
    ('cumulus_coordinator',  :'pw_coordinator'),
    ('cumulus_registry',     :'pw_registry')
) AS r(name, password)
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r.name) \gexec

-- Restate the attributes every time: a plain login role, nothing more.
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', r.name)
FROM (VALUES ('cumulus_governance'), ('cumulus_costs'), ('cumulus_placement'),
             ('cumulus_orchestrator'), ('cumulus_coordinator'), ('cumulus_registry')) AS r(name) \gexec

\connect cumulus
\set ON_ERROR_STOP on
\set QUIET on
SET client_min_messages = warning;

-- Only the six roles (and superusers) may connect; they may use session-private temporary
-- tables but not create schemas.
REVOKE ALL ON DATABASE cumulus FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE cumulus TO cumulus_governance, cumulus_costs, cumulus_placement,
    cumulus_orchestrator, cumulus_coordinator, cumulus_registry;

-- Nobody but superusers may use or create in `public`.
REVOKE ALL ON SCHEMA public FROM PUBLIC;

-- One schema per service, owned by its role, invisible to everybody else.
SELECT format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', s.name, 'cumulus_' || s.name),
       format('ALTER SCHEMA %I OWNER TO %I', s.name, 'cumulus_' || s.name),
       format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', s.name),
       format('ALTER ROLE %I IN DATABASE cumulus SET search_path = %I', 'cumulus_' || s.name, s.name)
FROM (VALUES ('governance'), ('costs'), ('placement'),
             ('orchestrator'), ('coordinator'), ('registry')) AS s(name) \gexec
