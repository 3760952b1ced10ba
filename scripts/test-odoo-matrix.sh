#!/usr/bin/env bash
# The real-Odoo test matrix (`make test-odoo`): for each Odoo version with a source tree, the
# addon's tests on a demo and a no-demo database (scripts/test-odoo.sh), the contract conformance
# suite over that version's transport (scripts/conformance-real-odoo.sh: JSON-2 on 19, JSON-RPC on
# 17 and 18), the flows' real-Odoo scenarios (scripts/e2e-real-odoo.sh) and the demo's day of
# commerce (scripts/demo-real-odoo.sh), each on its own throwaway database. Versions without a
# tree are named as skipped; a summary closes the run.
#
#   ODOO_SRC=/path/to/odoo scripts/test-odoo-matrix.sh            # one tree, its version read from it
#   ODOO17_SRC=... ODOO18_SRC=... ODOO19_SRC=... scripts/test-odoo-matrix.sh
#
# Environment: ODOO_SRC and/or ODOO17_SRC, ODOO18_SRC, ODOO19_SRC (at least one); ODOO_MATRIX_STEPS
# (default "tests conformance e2e demo", any subset in that order); ODOO_PROTOCOL (default auto)
# and the variables of the scripts it runs. Versions run one after the other (each step
# already keeps a 2-core machine busy). Exit status: 0 when every step of every present version
# passed, 1 when one failed, 2 without any tree.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib-odoo-version.sh
source "$here/lib-odoo-version.sh"

declare -A tree=()
for major in $ODOO_SUPPORTED_MAJORS; do
  var="ODOO${major}_SRC"
  [[ -n "${!var:-}" ]] && tree[$major]="${!var}"
done
if [[ -n "${ODOO_SRC:-}" ]]; then
  require_supported_odoo test-odoo-matrix "$ODOO_SRC"
  if [[ -n "${tree[$ODOO_MAJOR]:-}" && "${tree[$ODOO_MAJOR]}" != "$ODOO_SRC" ]]; then
    echo "test-odoo-matrix: ODOO_SRC ($ODOO_SRC) and ODOO${ODOO_MAJOR}_SRC (${tree[$ODOO_MAJOR]}) name two Odoo $ODOO_MAJOR trees: set one" >&2
    exit 2
  fi
  tree[$ODOO_MAJOR]="$ODOO_SRC"
fi
if [[ ${#tree[@]} -eq 0 ]]; then
  echo "test-odoo-matrix: no Odoo tree: set ODOO_SRC (any supported version) or ODOO17_SRC, ODOO18_SRC, ODOO19_SRC (docs/development.md)" >&2
  exit 2
fi
# Each tree must be the version its variable says (a tree of 18 in ODOO19_SRC is a mistake).
for major in "${!tree[@]}"; do
  require_supported_odoo test-odoo-matrix "${tree[$major]}"
  if [[ "$ODOO_MAJOR" != "$major" ]]; then
    echo "test-odoo-matrix: ODOO${major}_SRC=${tree[$major]} is an Odoo $ODOO_MAJOR tree" >&2
    exit 2
  fi
done

steps="${ODOO_MATRIX_STEPS:-tests conformance e2e demo}"
for step in $steps; do
  case "$step" in tests | conformance | e2e | demo) ;;
    *) echo "test-odoo-matrix: unknown step '$step' in ODOO_MATRIX_STEPS (tests, conformance, e2e, demo)" >&2; exit 2 ;;
  esac
done
script_of() {
  case "$1" in
    tests) echo "$here/test-odoo.sh" ;;
    conformance) echo "$here/conformance-real-odoo.sh" ;;
    e2e) echo "$here/e2e-real-odoo.sh" ;;
    demo) echo "$here/demo-real-odoo.sh" ;;
  esac
}

summary=()
status=0
for major in $ODOO_SUPPORTED_MAJORS; do
  if [[ -z "${tree[$major]:-}" ]]; then
    summary+=("Odoo $major: SKIPPED, no source tree (set ODOO${major}_SRC)")
    continue
  fi
  for step in $steps; do
    echo "test-odoo-matrix: Odoo $major ($step) from ${tree[$major]}"
    start=$(date +%s)
    log="$(mktemp)"
    ODOO_SRC="${tree[$major]}" "$(script_of "$step")" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    elapsed=$(($(date +%s) - start))
    # The line that says how many: Odoo's test result, or mocha's passing/failing counts.
    counts="$(sed -E 's/\x1b\[[0-9;]*m//g' "$log" \
      | grep -E 'test-odoo: \[Odoo [0-9]+, [a-z]+\] (OK|FAILED)|^ +[0-9]+ (passing|failing|pending)' \
      | sed -E 's/^test-odoo: \[Odoo [0-9]+, ([a-z]+)\] (OK|FAILED)[^:]*: (.*) when loading.*/\1: \3/; s/^ +//; s/ +$//' | paste -sd ';' -)"
    rm -f "$log"
    if [[ "$rc" == 0 ]]; then
      summary+=("Odoo $major $step: OK in ${elapsed}s${counts:+ ($counts)}")
    else
      summary+=("Odoo $major $step: FAILED (exit $rc, ${elapsed}s)${counts:+ ($counts)}")
      status=1
    fi
  done
done

echo
echo "test-odoo-matrix: summary"
printf '  %s\n' "${summary[@]}"
exit $status
