#!/usr/bin/env bash
# Shopify's published Admin GraphQL schemas (introspection JSON, one per API version) ship as data
# files inside the npm package @shopify/dev-mcp. We take only those files from its tarball, checked
# against the registry's integrity hash, and never install the package's dependency tree.
set -euo pipefail
cd "$(dirname "$0")/.."
PACKAGE="@shopify/dev-mcp@1.16.0"
INTEGRITY="sha512-tqgRnK7sQhjew+htxtleTH23nXB5fZcsrhWgEkomsorGXvLOB2mh2upwZm8uzuTDNTZnqtLMe64yIwh6s2awtw=="
DEST="var/shopify-schema"
STAMP="$DEST/.source"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$PACKAGE" ]]; then exit 0; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "$PACKAGE" --silent >/dev/null)
tarball=$(ls "$work"/*.tgz)
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [[ "$actual" != "$INTEGRITY" ]]; then
  echo "fetch-shopify-schemas: integrity mismatch for $PACKAGE" >&2
  exit 1
fi
mkdir -p "$DEST"
tar -xzf "$tarball" -C "$work" --wildcards 'package/dist/data/admin_*.json.gz'
cp "$work"/package/dist/data/admin_*.json.gz "$DEST"/
echo "$PACKAGE" > "$STAMP"
echo "fetch-shopify-schemas: $(ls "$DEST"/*.json.gz | wc -l) schema files in $DEST"
