#!/usr/bin/env bash
# Two instances behind nginx, as a national contact point would run them: one PostgreSQL database,
# the Pro Santé Connect stand-in (npm run dev-idp) and the eHDSI simulator (npm run simulator) as
# processes of their own, two instances (npm start's server) and nginx (Debian's package) round-robin
# in front. Then a short load run through nginx, and the journey through nginx
# (test/multi-instance/through-nginx.ts): discovery and consent on one instance, $summary on the
# other, a portal login across both, one instance killed and the journey still completing.
#   scripts/ci-two-instances.sh            (needs PostgreSQL: scripts/ci-postgres.sh starts one)
# Ports (loopback): BASE_PORT (default 18300) for nginx, +1 and +2 the instances, +3 the stand-in,
# +4 the simulator. Installs nginx with apt-get when missing (needs root).
set -euo pipefail
cd "$(dirname "$0")/.."
BASE="${BASE_PORT:-18300}"
LB=$BASE A=$((BASE + 1)) B=$((BASE + 2)) IDP=$((BASE + 3)) SIM=$((BASE + 4))
WORK="$(mktemp -d)"
PIDS=()
stop() {
  [ -f "$WORK/nginx/nginx.pid" ] && kill "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null || true
  for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap stop EXIT
fail() {
  echo "two-instances: $*" >&2
  for f in "$WORK"/*.log "$WORK"/nginx/error.log; do [ -f "$f" ] && { echo "--- $f" >&2; tail -n 40 "$f" >&2; }; done
  exit 1
}

if ! command -v nginx >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
fi
DATABASE_URL="$(PG_DB=facade_instances scripts/ci-postgres.sh)"

# Starts a process in its own group (so that stopping it stops everything under it).
start() {
  local name=$1
  shift
  setsid "$@" > "$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  echo $! > "$WORK/$name.pid"
}
wait_ready() {
  local url=$1
  node -e '
    const url = process.argv[1], until = Date.now() + 120_000;
    (async () => {
      while (Date.now() < until) {
        try { if ((await fetch(url)).ok) process.exit(0); } catch {}
        await new Promise((r) => setTimeout(r, 500));
      }
      process.exit(1);
    })();' "$url" || fail "$url did not answer"
}

export LOG_LEVEL=warn
PUBLIC="http://127.0.0.1:$LB"
mkdir -p "$WORK/idp" "$WORK/instances"
# The simulated countries trust the instances' SAML signing certificate: the same DATA_DIR.
start simulator env SIMULATOR_PORT="$SIM" DATA_DIR="$WORK/instances" npx tsx src/cli/simulator.ts
start dev-idp env DATA_DIR="$WORK/idp" DEV_IDP_PORT="$IDP" PUBLIC_BASE_URL="$PUBLIC" npx tsx src/cli/dev-idp.ts
wait_ready "http://127.0.0.1:$SIM/_control/requests"
wait_ready "http://127.0.0.1:$IDP/auth/realms/esante-wallet/.well-known/openid-configuration"
# The instances share the database, the public URL, the paging key and their signing keys (DATA_DIR);
# each has its own port and calls its own FHIR API over loopback.
for instance in a b; do
  port=$A
  [ "$instance" = b ] && port=$B
  start "instance-$instance" env PORT="$port" DATA_DIR="$WORK/instances" DATABASE_URL="$DATABASE_URL" \
    PUBLIC_BASE_URL="$PUBLIC" TRUST_PROXY=loopback FHIR_PAGING_KEY="two-instances-ci-paging-key-0123456789" \
    PSC_ISSUER="http://127.0.0.1:$IDP/auth/realms/esante-wallet" PSC_CLIENT_SECRET="stand-in-development-secret-not-for-production" \
    PSC_ALLOWED_CLIENTS="ehdsi-fhir-facade,dev-ehr,dev-smart-app" \
    SIMULATOR_ENABLED=false SIMULATOR_PORT="$SIM" RATE_LIMIT_PER_PROFESSIONAL=0 RATE_LIMIT_PER_ADDRESS=0 \
    npx tsx src/main.ts
  # One at a time: the first creates the schema.
  wait_ready "http://127.0.0.1:$port/ready"
done

mkdir -p "$WORK/nginx"
cat > "$WORK/nginx/nginx.conf" <<NGINX
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 2048; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  upstream facade {
    server 127.0.0.1:$A max_fails=1 fail_timeout=10s;
    server 127.0.0.1:$B max_fails=1 fail_timeout=10s;
  }
  server {
    listen 127.0.0.1:$LB;
    client_max_body_size 2m;
    location / {
      proxy_pass http://facade;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      # An instance that is down (connection refused or reset): the request goes to the other one.
      # A 502/504 of the facade is a country's failure, answered as such: never retried elsewhere.
      proxy_next_upstream error non_idempotent;
      proxy_read_timeout 120s;
      # Which instance answered (the journey test checks both are used).
      add_header X-Upstream-Addr \$upstream_addr always;
    }
  }
}
NGINX
nginx -t -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" 2> "$WORK/nginx-check.log" || fail "nginx refused its configuration"
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx"
wait_ready "$PUBLIC/ready"

# Both instances under load through nginx (short here, at a quick pace: LOAD_PROFESSIONALS, LOAD_SECONDS,
# LOAD_THINK_MS size a real measurement). LOAD_COMPARE_SINGLE=1 then runs the same driver against one
# instance alone, the baseline of the ratio (on a machine with fewer cores than processes, a comparison
# of two instances sharing the cores with one alone).
load() {
  npm run -s load -- --base "$1" --professionals "${LOAD_PROFESSIONALS:-20}" --duration "${LOAD_SECONDS:-20}" \
    --think-ms "${LOAD_THINK_MS:-1000}" --data-dir "$WORK/idp" --metrics "$2"
}
load "$PUBLIC" "http://127.0.0.1:$A,http://127.0.0.1:$B" || fail "the load run through nginx had errors"
if [ "${LOAD_COMPARE_SINGLE:-}" = 1 ]; then
  echo "--- the same driver against one instance alone (http://127.0.0.1:$A)"
  load "http://127.0.0.1:$A" "http://127.0.0.1:$A" || echo "two-instances: the single-instance baseline had errors (a measurement, not a failure)"
fi
TOKEN="$(DATA_DIR="$WORK/idp" DEV_IDP_PORT="$IDP" npm run -s dev-token -- 899700209937)"
npx tsx test/multi-instance/through-nginx.ts --public "$PUBLIC" --token "$TOKEN" \
  --instances "127.0.0.1:$A,127.0.0.1:$B" --stop-pid "$(cat "$WORK/instance-a.pid")" \
  || fail "the journey through nginx failed"
