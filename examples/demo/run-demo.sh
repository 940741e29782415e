#!/usr/bin/env bash
# The whole mixlet story on one machine:
#
#   ratings-v2 client (127.0.0.2) --TCP--> mixlet-tcp-proxy (inbound sidecar of "mongodb")
#       --TCP--> Redis (standing in for mongodb)
#   mixlet-tcp-proxy --gRPC istio.mixer.v1.Mixer/Report (open / continue / close)--> mixlet-server
#   mixlet-server: tcp-metrics.yaml rule -> metric instances -> Prometheus handler -> :42422/metrics
#   Prometheus server scrapes :42422 and answers PromQL for istio_mongo_received_bytes.
#
# Usage: examples/demo/run-demo.sh BUILD_DIR
# Exits 0 when Prometheus reports exactly the bytes the client sent and received.
set -euo pipefail
build="$(cd "${1:?usage: run-demo.sh BUILD_DIR}" && pwd)"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d /tmp/mixlet-demo.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

GRPC=127.0.0.1:9091 METRICS=127.0.0.1:42422 PROXY=127.0.0.1:27017 REDIS_PORT=6390 PROM=127.0.0.1:9090
for port in 9091 42422 27017 $REDIS_PORT 9090; do
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then
    echo "run-demo: port $port is already in use; stop what listens there and retry" >&2
    exit 1
  fi
done

wait_log() {  # wait_log NAME TEXT: without connecting (a probe would be a reported connection)
  for _ in $(seq 1 100); do
    if grep -q "$2" "$work/$1.log" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "run-demo: $1 did not start; its log:" >&2
  cat "$work/$1.log" >&2 || true
  exit 1
}

wait_port() {  # wait_port PORT NAME
  for _ in $(seq 1 100); do
    if (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "run-demo: $2 did not start listening on port $1; its log:" >&2
  cat "$work/$2.log" >&2 || true
  exit 1
}

echo "== mixlet-server with the Bookinfo TCP-metrics sample config"
"$build/examples/server/mixlet-server" --config "$here/tcp-metrics.yaml" \
  --grpc-address $GRPC --metrics-address $METRICS >"$work/server.log" 2>&1 &
pids+=($!)
wait_port 9091 server
wait_port 42422 server
sed 's/^/   server: /' "$work/server.log"

echo "== Redis on port $REDIS_PORT (standing in for mongodb)"
redis-server --port $REDIS_PORT --bind 127.0.0.1 --save '' --appendonly no \
  >"$work/redis.log" 2>&1 &
pids+=($!)
wait_port $REDIS_PORT redis

echo "== mixlet-tcp-proxy in front of it, reporting every 2s"
"$build/examples/tcp-proxy/mixlet-tcp-proxy" --listen $PROXY --upstream 127.0.0.1:$REDIS_PORT \
  --mixer $GRPC --report-interval 2s --identity "$here/identity.yaml" >"$work/proxy.log" 2>&1 &
proxy_pid=$!
pids+=($proxy_pid)
wait_log proxy "listening on"
sed 's/^/   proxy: /' "$work/proxy.log"

echo "== Prometheus scraping $METRICS every second"
prometheus --config.file="$here/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address=$PROM >"$work/prometheus.log" 2>&1 &
pids+=($!)
wait_port 9090 prometheus

echo "== traffic from ratings-v2 (127.0.0.2): 10 short connections and one long-lived"
totals="$("$build/examples/demo/mixlet-demo-client" traffic --target $PROXY --source-ip 127.0.0.2 \
  --connections 10 --long-lived-seconds 8 --metrics $METRICS)"
echo "   $totals"
wrote="$(sed -n 's/.*client_wrote=\([0-9]*\).*/\1/p' <<<"$totals")"
read_="$(sed -n 's/.*client_read=\([0-9]*\).*/\1/p' <<<"$totals")"

echo "== what mixlet-server serves on http://$METRICS/metrics"
for _ in $(seq 1 50); do
  body="$(curl -sf "http://$METRICS/metrics" || true)"
  grep -q "istio_mongo_received_bytes{.*} $wrote\$" <<<"$body" && break
  sleep 0.2
done
grep -E '^(# (HELP|TYPE) )?istio_mongo' <<<"$body" | sed 's/^/   /'

echo "== what Prometheus answers"
labels='destination_version="v1",source_service="ratings-v2",source_version="v2"'
"$build/examples/demo/mixlet-demo-client" expect --prometheus $PROM \
  --query "istio_mongo_received_bytes{$labels}" --value "$wrote" --timeout 60
"$build/examples/demo/mixlet-demo-client" expect --prometheus $PROM \
  --query "istio_mongo_sent_bytes{$labels}" --value "$read_" --timeout 60

echo "== PASS: Prometheus counts exactly the $wrote bytes ratings-v2 sent to mongodb and the $read_ bytes it received"
