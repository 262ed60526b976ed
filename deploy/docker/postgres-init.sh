#!/bin/bash
# Runs once, when the postgres:15 image initialises an empty volume
# (mounted into /docker-entrypoint-initdb.d). Creates the cumulus database, roles and schemas
# with deploy/bootstrap.sql (mounted at /cumulus/bootstrap.sql); the passwords come from the
# container's environment (compose.yaml).
set -euo pipefail
psql -X -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres -f /cumulus/bootstrap.sql
