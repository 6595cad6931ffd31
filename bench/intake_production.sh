#!/usr/bin/env bash
# The shared intake benchmark (../shared/bench/intake.sh, or $1) on the production server: the same
# script, its two gunicorn command lines replaced by granian's, so that the project runs as
# `python -m connector.serve` starts it and the bare Flask 204 runs under granian with the same
# workers and threads (the ratio stays on one server). Everything else (wrk load, signed install,
# token, body, database) is the shared script's own. Run from the project's root:
#   bash bench/intake_production.sh [path/to/shared/bench/intake.sh]
set -eu
shared=${1:-../shared/bench/intake.sh}
here=$(cd "$(dirname "$shared")" && pwd)
script=$(mktemp "${TMPDIR:-/tmp}/intake-production-XXXXXX.sh")
trap 'rm -f "$script"' EXIT
sed \
  -e "s#^here=.*#here=$here#" \
  -e 's#setsid "$bin/gunicorn" "${conf\[@\]}" --workers ${ICM_WORKERS:-2} --bind 127.0.0.1:3200 .connector:create_app().#ICM_HOST=127.0.0.1 PORT=3200 setsid "$bin/python" -m connector.serve#' \
  -e 's#setsid "$bin/gunicorn" --chdir "${TMPDIR:-/tmp}" --workers ${ICM_WORKERS:-2} --bind 127.0.0.1:3201 bare204:app#setsid "$bin/granian" --interface wsgi --workers ${ICM_WORKERS:-2} --blocking-threads ${ICM_THREADS:-8} --working-dir "${TMPDIR:-/tmp}" --host 127.0.0.1 --port 3201 bare204:app#' \
  "$shared" > "$script"
# both servers must have been replaced, or this would silently measure gunicorn
if grep -q 'bin/gunicorn' "$script" || [ "$(grep -c 'connector.serve\|bin/granian' "$script")" -ne 2 ] \
  || ! grep -qx "here=$here" "$script"; then
  echo "bench/intake_production.sh: $shared no longer has the two gunicorn lines it replaces" >&2
  exit 1
fi
bash "$script"
