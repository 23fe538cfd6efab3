#!/usr/bin/env bash
# Memory per viewer: abrkit live viewers vs k6 virtual users, against the
# same reference backend on loopback (docs/readme/live-scale.md).
#
#   bench/k6/run.sh k6   [VUS]      # k6 run bench/k6/hls.js
#   bench/k6/run.sh live [VIEWERS]  # bench/k6/livemem (live mode, backend in another process)
#   bench/k6/run.sh serve           # the backend alone, idle, for 30 s
#
# Both modes start `abrkit serve --config bench/k6/topology.yaml` as a
# separate process, so the load generator's resident memory is measured
# alone (/usr/bin/time -v "Maximum resident set size") and the backend's
# is sampled from /proc. Outputs go to $OUT (default out/live-scale/MODE).
# Env: ABRKIT (abrkit binary, default: go build), K6 (default: k6 on PATH,
# then ~/go/bin/k6), RAMP, HOLD, WATCH (defaults 60s, 150s, 150s), HEAP_DELAY
# (live: heap profile this long after every viewer is in, default 60s),
# GEN_GOGC (GOGC of the load generator alone, livemem or k6; GOGC applies
# to the backend too).
set -euo pipefail
mode=${1:-k6}
n=${2:-2000}
cd "$(dirname "$0")/../.."
out=${OUT:-out/live-scale/$mode}
mkdir -p "$out"
out=$(cd "$out" && pwd) # absolute: k6 resolves paths from its script's folder
ramp=${RAMP:-60s}
hold=${HOLD:-150s}
watch=${WATCH:-150s}
if [[ -z "${ABRKIT:-}" ]]; then
	ABRKIT=$out/abrkit
	go build -o "$ABRKIT" ./cmd/abrkit
fi

# peak prints the largest value of column 2 (kB) of a sample file in MB.
peak() { awk '$2>m{m=$2}END{printf "%.1f MB\n", m/1024}' "$1"; }
# sample writes "unix-time VmRSS-kB threads" of a pid every 2 s.
sample() {
	while kill -0 "$1" 2>/dev/null; do
		awk -v t="$(date +%s)" '/^VmRSS/{r=$2}/^Threads/{h=$2}END{print t, r, h}' "/proc/$1/status" 2>/dev/null || true
		sleep 2
	done
}

timeout 900 "$ABRKIT" serve --config bench/k6/topology.yaml --summary 0 >"$out/serve.out" 2>"$out/serve.err" &
serve=$!
trap 'kill $serve 2>/dev/null || true' EXIT
sleep 0.5
serve_pid=$(pgrep -P $serve -n || echo $serve) # abrkit itself, not timeout
for _ in $(seq 1 100); do
	grep -q '^gateway' "$out/serve.out" 2>/dev/null && break
	sleep 0.2
done
gateway=$(awk '/^gateway/{print $2; exit}' "$out/serve.out")
[[ -n "$gateway" ]] || { echo "serve did not start" >&2; exit 1; }
sample "$serve_pid" >"$out/serve.rss" &

case $mode in
serve)
	sleep 30
	;;
k6)
	k6=${K6:-$(command -v k6 || echo "$HOME/go/bin/k6")}
	"$ABRKIT" serve urls --gateway "$gateway" --format json >"$out/urls.json"
	hold_s=${hold%s}
	GOGC=${GEN_GOGC:-${GOGC:-100}} /usr/bin/time -v -o "$out/k6.time" timeout $((${ramp%s} + hold_s + 120)) \
		"$k6" run --quiet --no-color --summary-export "$out/k6-summary.json" \
		-e URLS="$out/urls.json" -e VUS="$n" -e RAMP="$ramp" -e HOLD="$hold" -e WATCH_S="${watch%s}" \
		bench/k6/hls.js >"$out/k6.out" 2>"$out/k6.err" &
	k6pid=$!
	sleep 1
	k6real=$(pgrep -n -f "summary-export $out/k6-summary.json" | head -1) # under time and timeout
	sample "${k6real:-$k6pid}" >"$out/k6.rss" &
	wait $k6pid || echo "k6 exited $?" >&2
	echo "k6 max RSS: $(awk -F: '/Maximum resident/{printf "%.1f MB", $2/1024}' "$out/k6.time")"
	echo "k6 per VU (peak RSS / $n): $(awk -F: -v n="$n" '/Maximum resident/{printf "%.1f KB", $2/n}' "$out/k6.time")"
	;;
live)
	go build -o "$out/livemem" ./bench/k6/livemem
	GOGC=${GEN_GOGC:-${GOGC:-100}} /usr/bin/time -v -o "$out/live.time" timeout 900 "$out/livemem" -scenario scenarios/live-2000.yaml \
		-gateway "$gateway" -viewers "$n" -watch-time "$watch" -samples "$out/samples.jsonl" -heap "$out/heap.pprof" -heap-delay "${HEAP_DELAY:-60s}" \
		>"$out/summary.json" 2>"$out/live.err"
	echo "live max RSS: $(awk -F: '/Maximum resident/{printf "%.1f MB", $2/1024}' "$out/live.time")"
	echo "live per viewer (peak RSS / $n): $(awk -F: -v n="$n" '/Maximum resident/{printf "%.1f KB", $2/n}' "$out/live.time")"
	;;
*)
	echo "usage: $0 k6|live|serve [N]" >&2
	exit 2
	;;
esac
echo "backend peak RSS: $(peak "$out/serve.rss") (VmHWM $(awk '/^VmHWM/{printf "%.1f MB", $2/1024}' /proc/$serve_pid/status 2>/dev/null))"
