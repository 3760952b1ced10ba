# The Odoo version of a source tree, and what differs between versions on the command line.
# Sourced by the scripts that run a real Odoo (test-odoo.sh, with-real-odoo.sh,
# conformance-real-odoo.sh, check-upgrade-odoo.sh, odoo-dev-server.sh, test-odoo-matrix.sh).
# The addon's own differences are in odoo_addon/shopify_sync/compat.py (docs/architecture.md,
# "Odoo versions").

ODOO_SUPPORTED_MAJORS="17 18 19"

# odoo_major TREE: the major version of the Odoo source tree (17, 18, 19; a SaaS tree "saas~18.3"
# says 18), read from odoo/release.py; empty when TREE is not an Odoo tree.
odoo_major() {
  local release="$1/odoo/release.py"
  [[ -f "$1/odoo-bin" && -f "$release" ]] || return 0
  /usr/bin/python3 - "$release" <<'PYTHON'
import sys
namespace = {}
exec(open(sys.argv[1], encoding="utf-8").read(), namespace)
print(str(namespace["version_info"][0]).rsplit("~", 1)[-1])
PYTHON
}

# require_supported_odoo NAME TREE: sets ODOO_MAJOR, or exits 2 naming the problem.
require_supported_odoo() {
  local name="$1" tree="$2"
  ODOO_MAJOR="$(odoo_major "$tree")"
  if [[ -z "$ODOO_MAJOR" ]]; then
    echo "$name: $tree is not an Odoo source tree (no odoo-bin and odoo/release.py)" >&2
    exit 2
  fi
  if [[ " $ODOO_SUPPORTED_MAJORS " != *" $ODOO_MAJOR "* ]]; then
    echo "$name: $tree is Odoo $ODOO_MAJOR; shopify_sync supports Odoo ${ODOO_SUPPORTED_MAJORS// /, }" >&2
    exit 2
  fi
}

# odoo_demo_args MAJOR demo|nodemo: the odoo-bin options for a database with or without demo
# data. Odoo 19 loads no demo data unless --with-demo (its --without-demo takes no "all");
# 17 and 18 load it unless --without-demo=all.
odoo_demo_args() {
  local major="$1" mode="$2"
  if (( major >= 19 )); then
    [[ "$mode" == "demo" ]] && echo "--with-demo"
  else
    [[ "$mode" == "nodemo" ]] && echo "--without-demo=all"
  fi
  return 0
}

# free_port: a free TCP port on 127.0.0.1 (several helpers and suites share the machine).
free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# odoo_answers URL: Odoo's HTTP server answers (its version route, in 17, 18 and 19; not the
# /jsonrpc endpoint Odoo 19 deprecates).
odoo_answers() {
  curl -sf -o /dev/null -X POST -H 'content-type: application/json' \
    -d '{"jsonrpc":"2.0","method":"call","params":{},"id":1}' "$1/web/webclient/version_info"
}
