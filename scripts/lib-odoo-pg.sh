# Shared PostgreSQL helpers for the scripts that run a real Odoo (test-odoo.sh, odoo-dev-server.sh, lib-odoo-throwaway.sh, check-upgrade-odoo.sh).
# Expects DB_HOST, DB_PORT, DB_USER, DB_PASSWORD (PGPASSWORD exported).

pg_ready() {
  psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -Atc 'select 1' >/dev/null 2>&1
}

# Start Debian's local cluster and create the odoo role when nothing answers (needs root).
ensure_postgres() {
  if pg_ready; then return 0; fi
  if [[ "$DB_HOST" == "127.0.0.1" || "$DB_HOST" == "localhost" ]] && command -v pg_ctlcluster >/dev/null \
     && [[ "$(id -u)" == "0" ]]; then
    local version
    version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)"
    if [[ -n "$version" ]]; then
      echo "postgres: starting local cluster $version/main" >&2
      pg_ctlcluster "$version" main start 2>/dev/null || true
      for _ in $(seq 1 20); do
        su postgres -c "psql -Atc 'select 1'" >/dev/null 2>&1 && break
        sleep 0.5
      done
      su postgres -c "psql -Atc \"select 1 from pg_roles where rolname='$DB_USER'\"" | grep -q 1 || \
        su postgres -c "psql -c \"CREATE ROLE \\\"$DB_USER\\\" LOGIN CREATEDB PASSWORD '$DB_PASSWORD'\"" >/dev/null
    fi
  fi
  if ! pg_ready; then
    echo "postgres: cannot connect to $DB_USER@$DB_HOST:$DB_PORT (set DB_HOST/DB_PORT/DB_USER/DB_PASSWORD)" >&2
    exit 2
  fi
}

db_exists() {
  psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -Atc \
    "select 1 from pg_database where datname = '$1'" | grep -q 1
}
