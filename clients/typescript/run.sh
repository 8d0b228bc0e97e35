#!/usr/bin/env bash
# make client-test: start the built server on a free port with a fresh data
# directory, generate the TypeScript client types from its /openapi.json,
# type-check and compile story.test.ts against them (tsc), run it with
# node --test, and always stop the server.
#   usage: clients/typescript/run.sh path/to/modmono
set -euo pipefail
bin=$(realpath "$1")
cd "$(dirname "$0")"

tmp=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
url="http://127.0.0.1:$port"
PORT=$port DATA_DIR="$tmp/data" BCRYPT_COST=4 AUTH_RATE_LIMIT=0 "$bin" >"$tmp/server.log" 2>&1 &
pid=$!

healthy() { node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$url/healthz"; }
for _ in $(seq 300); do # 30 s: a loaded CI machine starts it slowly
	if healthy; then break; fi
	if ! kill -0 "$pid" 2>/dev/null; then cat "$tmp/server.log"; echo "the server exited"; exit 1; fi
	sleep 0.1
done
healthy || { cat "$tmp/server.log"; echo "no /healthz at $url"; exit 1; }

rm -rf gen dist
node_modules/.bin/openapi-typescript "$url/openapi.json" -o gen/schema.d.ts
node_modules/.bin/tsc -p tsconfig.json
if ! MODMONO_URL=$url node --test dist/; then
	echo "== server log"; cat "$tmp/server.log"; exit 1
fi
