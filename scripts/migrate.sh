#!/bin/sh
# The one-shot release job, run as the database's owner before the portal starts (docker compose's
# `migrate` service; in production, the first step of every upgrade): apply the migrations, load
# the reference data (idempotent), then give the application role exactly its grants.
#   OWNER_DATABASE_URL   the owner's connection string (required)
#   PORTAL_APP_PASSWORD  if set, portal_app's password is set to it
#   SEED_DEMO_DATA=true  also load the demo rounds and accounts: never on a real deployment
set -eu
: "${OWNER_DATABASE_URL:?OWNER_DATABASE_URL must name the database as its owner}"
export DATABASE_URL="$OWNER_DATABASE_URL"
node --import tsx db/cli.ts migrate
if [ "${SEED_DEMO_DATA:-}" = "true" ]; then
  node --import tsx seeds/cli.ts --demo
else
  node --import tsx seeds/cli.ts
fi
psql -v ON_ERROR_STOP=1 -q -d "$OWNER_DATABASE_URL" -f docs/sql/app-role.sql
if [ -n "${PORTAL_APP_PASSWORD:-}" ]; then
  psql -v ON_ERROR_STOP=1 -q -d "$OWNER_DATABASE_URL" -v pw="$PORTAL_APP_PASSWORD" <<'SQL'
alter role portal_app password :'pw';
SQL
fi
echo "migrate: schema, reference data and portal_app's grants are up to date"
