#!/bin/bash
# The sidecar keeps its queue and tables in its own database on Odoo's PostgreSQL server.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<SQL
CREATE ROLE shopify_sync LOGIN PASSWORD '${SIDECAR_DB_PASSWORD}';
CREATE DATABASE shopify_sync OWNER shopify_sync;
SQL
