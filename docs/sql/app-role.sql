-- The portal's application role, with only the grants the running portal needs.
--
-- Run it with psql, as the database's owner (the role that runs `npm run db:migrate`), on the
-- portal's database, after the migrations, and again after every release that adds a table:
--
--   psql -v ON_ERROR_STOP=1 -d portal -f docs/sql/app-role.sql
--   psql -d portal -c "alter role portal_app password '...'"     -- once, with a real secret
--
-- then give the portal DATABASE_URL=postgres://portal_app:...@host:5432/portal. The owner keeps
-- the migrations and seeds (`npm run db:migrate`, `npm run db:seed`); the portal, started as
-- portal_app, finds the schema up to date and changes nothing in it.
--
-- What it may not do matters as much as what it may: the audit log and the submitted versions
-- are written once and never changed or removed (no UPDATE, DELETE or TRUNCATE; the audit log's
-- trigger refuses those for every role as well), and it cannot create, alter or drop anything.
-- tests/hardening/audit.test.ts applies this file and checks both halves on PostgreSQL.

do $$
begin
  if not exists (select from pg_roles where rolname = 'portal_app') then
    create role portal_app login;
  end if;
end
$$;

-- Start from nothing on this database, so that running the file again leaves exactly these grants.
revoke all on all tables in schema public from portal_app;
revoke all on all sequences in schema public from portal_app;
revoke all on schema public from portal_app;
revoke create on schema public from public;

grant connect on database :"DBNAME" to portal_app;
grant usage on schema public to portal_app;

-- Reference data, loaded by the seeds: read only.
grant select on region, authority, denominator, denominator_value to portal_app;
-- The migrations' own bookkeeping: read, so the portal can see on start that nothing is pending.
grant select on kysely_migration, kysely_migration_lock to portal_app;

-- The catalogue and the collections coordinators design (items no collection uses may be deleted;
-- a collection's items are replaced when it is redesigned; an item's denominator may be changed).
grant select, insert, update, delete on data_item to portal_app;
grant select, insert, update on collection to portal_app;
grant select, insert, delete on collection_item to portal_app;

-- Returns: the working copy is saved, and a value cleared is deleted; every change is audited.
grant select, insert, update on return to portal_app;
grant select, insert, update, delete on value to portal_app;
-- Submitted versions are a record: added, never changed.
grant select, insert on return_version, return_version_value to portal_app;

-- What authorities wrote, kept beside the values read from it.
grant select, insert, update on reply_text to portal_app;

-- Queries on values and their threads.
grant select, insert, update on value_query to portal_app;
grant select, insert on value_query_message to portal_app;

-- Accounts, invitations, sessions and sign-in attempts. Ended sessions and long-expired, unused
-- invitations are deleted by the worker.
grant select, insert, update on app_user to portal_app;
grant select, insert, update, delete on invitation, session to portal_app;
-- Spent sign-in attempts, challenges and reset requests are deleted by the worker once no window counts them.
grant select, insert, update, delete on sign_in_attempt to portal_app;
grant select, insert, delete on password_reset_request to portal_app;
-- Second factors: set up, used (the last code's step), and removed with their recovery codes when an
-- admin resets them; the step between the password and the code is made, counted and closed.
grant select, insert, update, delete on two_factor, recovery_code to portal_app;
grant select, insert, update, delete on sign_in_challenge to portal_app;

-- Notifications: written with their event, marked when a digest carries them; each person's choices per kind.
grant select, insert, update on notification to portal_app;
grant select, insert, update on notification_preference to portal_app;

-- Emails waiting to be sent, and workbooks uploaded for a bulk import.
grant select, insert, update on outbox, import_upload to portal_app;

-- The worker: its scheduled jobs and leases, and its heartbeats (old ones deleted).
grant select, insert, update on job to portal_app;
grant select, insert, update, delete on worker_heartbeat to portal_app;

-- Machine API tokens: made, used (last use and the throttle's window) and revoked, never deleted.
grant select, insert, update on api_token to portal_app;

-- Published statistics: published, and withdrawn with a reason (the row stays).
grant select, insert, update on statistics_publication to portal_app;
-- Every release of a round's figures through the suppression plan: a record, added, never changed.
-- Planning one locks the round's collection row (select … for update), which the collection's
-- update grant above allows.
grant select, insert on disclosure_release to portal_app;

-- The audit log: appended to and read, never changed. Its seals (the hash chain) are written by
-- the database's own sealing function at commit: the portal only reads them.
grant select, insert on audit_log to portal_app;
grant select on audit_seal to portal_app;

-- The serial ids of the tables it inserts into.
grant usage, select on all sequences in schema public to portal_app;
