#!/usr/bin/env bash
# Benchmarks the ChargeEdge gateway: starts it with `java -jar` from the repository root (fresh
# CHARGEEDGE_DATA_DIR, JAVA_OPTS passed through), measures the time from start to the TCP port
# accepting connections (polled every 10 ms) and to the site ready (its log line), runs the OCPP
# load generator against it, prints the gateway's RSS and stops it with SIGTERM.
#
#   tools/loadgen/bench-gateway.sh [GATEWAY_JAR] [script options] [--] [load generator options]
#
# Script options:
#   --gateway-jar PATH   gateway jar (default run/target/gateway/chargeedge-gateway.jar, relative to
#                        the current directory or the repository root)
#   --port N             port the gateway listens on (default 9000); the load generator gets
#                        --url ws://127.0.0.1:N/ocpp/ unless you pass your own --url
#   --start-timeout S    give up when the port does not accept within S seconds (default 60)
#   --stop-timeout S     SIGKILL when the gateway has not exited S seconds after SIGTERM (default 15)
#   --tls                also open the wss:// port (port + 1) with a certificate made by openssl for
#                        127.0.0.1 (EC P-256, self-signed); the load generator gets
#                        --url wss://127.0.0.1:PORT+1/ocpp/ and --ca-file for it
#   --tls-rsa            as --tls, with an RSA 2048 key
#   --keep-data          keep the temporary data directory and the gateway log
#   -h, --help           this text
# Every other argument goes to the load generator (see tools/loadgen/readme.md), e.g.
#   tools/loadgen/bench-gateway.sh --chargers 1000 --scenario meter --duration 60s --json /tmp/r.json
#
# Environment: JAVA_OPTS (gateway JVM), LOADGEN_JAVA_OPTS (load generator JVM, default -Xmx512m),
# LOADGEN_NICE (niceness of the load generator, default 0: raise it so a gateway sharing the cores
# with it gets them first, as on a site PC where it runs alone),
# LOADGEN_JAR (default tools/loadgen/target/chargeedge-loadgen.jar), JAVA (default java).
#
# Exit code: the load generator's (0 = no failed connection, no error), or 3 when the gateway did not
# start, or 4 when it had to be killed after SIGTERM. The gateway runs with
# CHARGEEDGE_UNKNOWN_CHARGERS=Open so that the load generator's charge point ids are accepted.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
JAVA=${JAVA:-java}
GATEWAY_JAR=run/target/gateway/chargeedge-gateway.jar
LOADGEN_JAR=${LOADGEN_JAR:-$SCRIPT_DIR/target/chargeedge-loadgen.jar}
HOST=127.0.0.1
PORT=9000
START_TIMEOUT=60
STOP_TIMEOUT=15
KEEP_DATA=0
TLS=
LOADGEN_ARGS=()

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

if [[ $# -gt 0 && $1 != -* ]]; then
    GATEWAY_JAR=$1
    shift
fi
while [[ $# -gt 0 ]]; do
    case $1 in
        --gateway-jar) GATEWAY_JAR=${2:?--gateway-jar needs a path}; shift 2 ;;
        --port) PORT=${2:?--port needs a number}; shift 2 ;;
        --start-timeout) START_TIMEOUT=${2:?}; shift 2 ;;
        --stop-timeout) STOP_TIMEOUT=${2:?}; shift 2 ;;
        --keep-data) KEEP_DATA=1; shift ;;
        --tls) TLS=ec; shift ;;
        --tls-rsa) TLS=rsa; shift ;;
        -h|--help) usage; exit 0 ;;
        --) shift; LOADGEN_ARGS+=("$@"); break ;;
        *) LOADGEN_ARGS+=("$1"); shift ;;
    esac
done
[[ $PORT =~ ^[0-9]+$ ]] || { echo "bench-gateway: --port must be a number" >&2; exit 2; }

if [[ -f $GATEWAY_JAR ]]; then
    GATEWAY_JAR=$(cd "$(dirname "$GATEWAY_JAR")" && pwd)/$(basename "$GATEWAY_JAR")
elif [[ $GATEWAY_JAR != /* && -f $REPO_ROOT/$GATEWAY_JAR ]]; then
    GATEWAY_JAR=$REPO_ROOT/$GATEWAY_JAR
else
    echo "bench-gateway: gateway jar not found: $GATEWAY_JAR (build it first: mvn -B verify)" >&2
    exit 2
fi
if [[ ! -f $LOADGEN_JAR ]]; then
    echo "bench-gateway: load generator jar not found: $LOADGEN_JAR (mvn -B -pl tools/loadgen verify)" >&2
    exit 2
fi

now_ns() { date +%s%N; }
port_open() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }
rss_line() {
    local status=/proc/$1/status
    [[ -r $status ]] || { echo "n/a"; return; }
    awk '/^VmRSS:/ {rss=$2} /^VmHWM:/ {hwm=$2} END {printf "VmRSS %d KiB (%.1f MiB), VmHWM %d KiB (%.1f MiB)", rss, rss/1024, hwm, hwm/1024}' "$status"
}
# CPU time (user + system) the process has used, in ms.
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$1/stat" 2>/dev/null || echo -1; }
rss_kib() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null || echo -1; }

if port_open; then
    echo "bench-gateway: something already accepts connections on $HOST:$PORT; stop it first" >&2
    exit 2
fi

DATA_DIR=$(mktemp -d "${TMPDIR:-/tmp}/chargeedge-bench.XXXXXX")
GATEWAY_LOG=$DATA_DIR.gateway.log
GW_PID=

cleanup() {
    if [[ -n $GW_PID ]] && kill -0 "$GW_PID" 2>/dev/null; then
        kill -TERM "$GW_PID" 2>/dev/null || true
        for _ in $(seq 1 $((STOP_TIMEOUT * 10))); do
            kill -0 "$GW_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$GW_PID" 2>/dev/null || true
    fi
    if [[ $KEEP_DATA == 1 ]]; then
        echo "bench-gateway: kept data dir $DATA_DIR and log $GATEWAY_LOG"
    else
        rm -rf "$DATA_DIR" "$GATEWAY_LOG"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cd "$REPO_ROOT"
CONFIG_DIR=$REPO_ROOT/config
if [[ -n $TLS ]]; then
    # The shipped configuration plus a wss:// port, its certificate and key.
    CONFIG_DIR=$DATA_DIR/config
    mkdir -p "$CONFIG_DIR"
    cp "$REPO_ROOT"/config/* "$CONFIG_DIR"/
    if [[ $TLS == rsa ]]; then KEY_ARGS=(-newkey rsa:2048); else KEY_ARGS=(-newkey ec -pkeyopt ec_paramgen_curve:P-256); fi
    openssl req -x509 "${KEY_ARGS[@]}" -nodes -days 30 -subj /CN=chargeedge-bench \
        -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
        -keyout "$DATA_DIR/gateway.key" -out "$DATA_DIR/gateway.crt" 2>/dev/null
    printf '\ntlsPort = %d\ntlsCertificateFile = %s\ntlsKeyFile = %s\n' "$((PORT + 1))" \
        "$DATA_DIR/gateway.crt" "$DATA_DIR/gateway.key" >>"$CONFIG_DIR/org.chargeedge.centralsystem.cfg"
fi
echo "bench-gateway: starting $GATEWAY_JAR (JAVA_OPTS=${JAVA_OPTS:-}) with CHARGEEDGE_DATA_DIR=$DATA_DIR${TLS:+, wss:// on port $((PORT + 1)) ($TLS key)}"
START_NS=$(now_ns)
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
CHARGEEDGE_DATA_DIR=$DATA_DIR CHARGEEDGE_CONFIG_DIR=$CONFIG_DIR CHARGEEDGE_OCPP_PORT=$PORT CHARGEEDGE_UNKNOWN_CHARGERS=Open "$JAVA" ${JAVA_OPTS:-} -jar "$GATEWAY_JAR" >"$GATEWAY_LOG" 2>&1 &
GW_PID=$!

DEADLINE_NS=$((START_NS + START_TIMEOUT * 1000000000))
until port_open; do
    if ! kill -0 "$GW_PID" 2>/dev/null; then
        echo "bench-gateway: gateway exited before accepting on port $PORT; last log lines:" >&2
        tail -n 30 "$GATEWAY_LOG" >&2 || true
        GW_PID=
        exit 3
    fi
    if (($(now_ns) > DEADLINE_NS)); then
        echo "bench-gateway: port $PORT not accepting after ${START_TIMEOUT}s; last log lines:" >&2
        tail -n 30 "$GATEWAY_LOG" >&2 || true
        exit 3
    fi
    sleep 0.01
done
READY_NS=$(now_ns)
START_MS=$(((READY_NS - START_NS) / 1000000))
echo "bench-gateway: pid $GW_PID accepting on $HOST:$PORT after $START_MS ms"
# The site is ready once the parts the configuration requires run (the central system logs
# "Site ready"); with nothing required that line never comes, and the figure is -1.
SITE_READY_MS=-1
while (($(now_ns) < DEADLINE_NS)) && kill -0 "$GW_PID" 2>/dev/null; do
    if grep -q "Site ready\|No site parts are required" "$GATEWAY_LOG"; then
        grep -q "Site ready" "$GATEWAY_LOG" && SITE_READY_MS=$((($(now_ns) - START_NS) / 1000000))
        break
    fi
    sleep 0.01
done
echo "bench-gateway: site ready after $SITE_READY_MS ms"
RSS_IDLE=$(rss_kib "$GW_PID" VmRSS)
echo "bench-gateway: gateway idle: $(rss_line "$GW_PID")"

HAS_URL=0
for a in "${LOADGEN_ARGS[@]+"${LOADGEN_ARGS[@]}"}"; do
    [[ $a == --url || $a == --url=* ]] && HAS_URL=1
done
URL_ARGS=()
if [[ $HAS_URL == 0 && -n $TLS ]]; then
    URL_ARGS=(--url "wss://$HOST:$((PORT + 1))/ocpp/" --ca-file "$DATA_DIR/gateway.crt")
elif [[ $HAS_URL == 0 ]]; then
    URL_ARGS=(--url "ws://$HOST:$PORT/ocpp/")
fi

CPU_BEFORE=$(cpu_ms "$GW_PID")
set +e
# shellcheck disable=SC2086
nice -n "${LOADGEN_NICE:-0}" "$JAVA" ${LOADGEN_JAVA_OPTS:--Xmx512m} -jar "$LOADGEN_JAR" "${URL_ARGS[@]+"${URL_ARGS[@]}"}" \
    "${LOADGEN_ARGS[@]+"${LOADGEN_ARGS[@]}"}" --gateway-pid "$GW_PID"
LOADGEN_RC=$?
set -e

if ! kill -0 "$GW_PID" 2>/dev/null; then
    echo "bench-gateway: the gateway died during the run; last log lines:" >&2
    tail -n 30 "$GATEWAY_LOG" >&2 || true
    GW_PID=
    exit 3
fi
GATEWAY_CPU_MS=$(($(cpu_ms "$GW_PID") - CPU_BEFORE))
echo "bench-gateway: gateway CPU time during the run: $GATEWAY_CPU_MS ms"
RSS_AFTER=$(rss_kib "$GW_PID" VmRSS)
HWM=$(rss_kib "$GW_PID" VmHWM)
echo "bench-gateway: gateway after the run: $(rss_line "$GW_PID")"

STOP_NS=$(now_ns)
kill -TERM "$GW_PID"
STOP_RC=0
STOPPED=0
for _ in $(seq 1 $((STOP_TIMEOUT * 100))); do
    if ! kill -0 "$GW_PID" 2>/dev/null; then
        STOPPED=1
        break
    fi
    sleep 0.01
done
STOP_MS=$((($(now_ns) - STOP_NS) / 1000000))
if [[ $STOPPED == 1 ]]; then
    GW_EXIT=0
    wait "$GW_PID" 2>/dev/null || GW_EXIT=$?
    echo "bench-gateway: gateway stopped by SIGTERM in $STOP_MS ms (exit status $GW_EXIT)"
else
    echo "bench-gateway: gateway still running ${STOP_TIMEOUT}s after SIGTERM; killing it" >&2
    kill -KILL "$GW_PID" 2>/dev/null || true
    STOP_RC=4
fi
GW_PID=

echo "BENCH-GATEWAY startMs=$START_MS siteReadyMs=$SITE_READY_MS rssIdleKiB=$RSS_IDLE rssAfterKiB=$RSS_AFTER hwmKiB=$HWM stopMs=$STOP_MS gatewayCpuMs=$GATEWAY_CPU_MS loadgenExit=$LOADGEN_RC"
if ((LOADGEN_RC != 0)); then
    exit "$LOADGEN_RC"
fi
exit "$STOP_RC"
