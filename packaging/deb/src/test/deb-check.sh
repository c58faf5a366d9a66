#!/usr/bin/env bash
# Checks the Debian package on this Debian machine, as root, without systemd as PID 1:
# lintian, apt-get install, user/folders/conffiles, systemd-analyze verify and security,
# the unit's ExecStart run as the service user with a NOTIFY_SOCKET of our own (READY=1,
# WATCHDOG=1 at least twice per WatchdogSec, a charger session, backup while running, pings
# stopping when the OCPP server's event loops are frozen, STOPPING=1), upgrade N -> N+1 keeping
# data and an edited conffile, downgrade and reinstall keeping them, a store of a newer schema
# refused and left as it is, purge leaving nothing, restore onto a fresh install.
# Usage: packaging/deb/src/test/deb-check.sh (after the Maven build), from anywhere.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../../.." && pwd)
DEB=$(ls -t "$ROOT"/packaging/deb/target/chargeedge_*_all.deb | head -n 1)
LOADGEN=$ROOT/tools/loadgen/target/chargeedge-loadgen.jar
WORK=$(mktemp -d /tmp/chargeedge-deb-check.XXXXXX)
chmod 0755 "$WORK"
UNIT=/lib/systemd/system/chargeedge.service
GATEWAY_PID=
RECORDER_PID=
step() { echo "== deb-check: $*"; }
fail() { echo "deb-check FAILED: $*" >&2; [ -f "$WORK/gateway.log" ] && tail -n 40 "$WORK/gateway.log" >&2; exit 1; }
cleanup() {
    [ -n "$GATEWAY_PID" ] && kill "$GATEWAY_PID" 2>/dev/null || true
    [ -n "$RECORDER_PID" ] && kill "$RECORDER_PID" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap cleanup EXIT

need=()
command -v lintian >/dev/null || need+=(lintian)
command -v systemd-analyze >/dev/null || need+=(systemd)
/usr/bin/python3 -c 'import sqlite3' 2>/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
fi
if dpkg -s chargeedge >/dev/null 2>&1; then
    apt-get purge -y -q chargeedge >/dev/null
fi

step "lintian $(basename "$DEB")"
lintian --tag-display-limit 0 "$DEB" | tee "$WORK/lintian.txt" || true
if grep -q '^E:' "$WORK/lintian.txt"; then fail "lintian reports errors"; fi

step "apt-get install"
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$DEB" >/dev/null
getent passwd chargeedge >/dev/null || fail "no user chargeedge"
getent group chargeedge >/dev/null || fail "no group chargeedge"
[ "$(stat -c %U:%a /var/lib/chargeedge)" = "chargeedge:750" ] || fail "/var/lib/chargeedge: $(stat -c %U:%a /var/lib/chargeedge)"
[ "$(stat -c %U:%G /etc/chargeedge)" = "root:chargeedge" ] || fail "/etc/chargeedge owner"
[ "$(find /usr/share/chargeedge /etc/chargeedge -user chargeedge | wc -l)" -eq 0 ] || fail "the user owns more than the state"
conffiles=$(dpkg-query -W -f='${Conffiles}\n' chargeedge)
for f in chargeedge.env org.chargeedge.centralsystem.cfg org.chargeedge.authorization.cfg; do
    echo "$conffiles" | grep -q "/etc/chargeedge/$f " || fail "$f is not a conffile"
done
[ -x /usr/bin/chargeedge ] || fail "no /usr/bin/chargeedge"

step "systemd-analyze verify and security"
systemd-analyze verify "$UNIT" 2>&1 | tee "$WORK/verify.txt"
if grep -v -e 'man chargeedge' -e 'Command .man' "$WORK/verify.txt" | grep -q .; then fail "systemd-analyze verify"; fi
score=$(systemd-analyze security --offline=yes "$UNIT" 2>&1 | sed -n 's/.*Overall exposure level for chargeedge.service: \([0-9.]*\).*/\1/p')
echo "exposure score: $score"
python3 -c "import sys; sys.exit(0 if float('$score') <= 2.0 else 1)" || fail "exposure $score above 2.0"

# The unit's environment: its EnvironmentFile and Environment= lines, WATCHDOG_USEC from WatchdogSec.
watchdog_sec=$(sed -n 's/^WatchdogSec=\([0-9]*\)$/\1/p' "$UNIT")
unit_env=()
while IFS= read -r line; do
    case "$line" in ''|\#*) ;; *) unit_env+=("$line") ;; esac
done < /etc/chargeedge/chargeedge.env
for assignment in $(sed -n 's/^Environment=//p' "$UNIT"); do unit_env+=("$assignment"); done
exec_start=$(sed -n 's/^ExecStart=//p' "$UNIT")

start_recorder() {
    rm -f "$WORK/notify.sock" "$WORK/notify.log"
    python3 -u - "$WORK/notify.sock" "$WORK/notify.log" <<'PY' &
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o666)
with open(sys.argv[2], "a", buffering=1) as log:
    while True:
        data = s.recv(4096).decode()
        for line in data.split("\n"):
            log.write("%.3f %s\n" % (time.monotonic(), line))
PY
    RECORDER_PID=$!
    for _ in $(seq 50); do [ -S "$WORK/notify.sock" ] && return 0; sleep 0.1; done
    fail "the notify recorder did not start"
}

# Runs ExecStart as the service's user, as systemd would (RuntimeDirectory made by hand), with $@ added.
start_gateway() {
    install -d -o chargeedge -g chargeedge -m 0750 /run/chargeedge
    start_recorder
    (cd /var/lib/chargeedge && exec setpriv --reuid=chargeedge --regid=chargeedge --init-groups \
        env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "${unit_env[@]}" NOTIFY_SOCKET="$WORK/notify.sock" \
        WATCHDOG_USEC=$((watchdog_sec * 1000000)) "$@" $exec_start) > "$WORK/gateway.log" 2>&1 &
    GATEWAY_PID=$!
    for _ in $(seq 120); do
        grep -q ' READY=1' "$WORK/notify.log" 2>/dev/null && return 0
        kill -0 "$GATEWAY_PID" 2>/dev/null || fail "the gateway exited before READY=1"
        sleep 1
    done
    fail "no READY=1 within 120 s"
}

stop_gateway() {
    kill -TERM "$GATEWAY_PID"
    wait "$GATEWAY_PID" || true
    GATEWAY_PID=
    grep -q ' STOPPING=1' "$WORK/notify.log" || fail "no STOPPING=1"
    kill "$RECORDER_PID" 2>/dev/null || true
    wait "$RECORDER_PID" 2>/dev/null || true
    RECORDER_PID=
}

now() { python3 -c 'import time; print("%.3f" % time.monotonic())'; }
pings_between() { awk -v a="$1" -v b="$2" '$2 == "WATCHDOG=1" && $1 >= a && $1 <= b' "$WORK/notify.log" | wc -l; }
highest_tx() { chargeedge shell chargeedge:store | sed -n 's/.*highest transaction id \([0-9]*\).*/\1/p'; }

step "ExecStart as chargeedge with our NOTIFY_SOCKET (WatchdogSec=${watchdog_sec})"
start_gateway CHARGEEDGE_DIAGNOSTICS=on
grep ' READY=1' -A1 "$WORK/notify.log"
ready_at=$(awk '$2 == "READY=1" {print $1; exit}' "$WORK/notify.log")

step "a strict test charger completes a session"
chargeedge shell "chargeedge:commission 10"
java -jar "$LOADGEN" --chargers 2 --id-prefix CHECK- --scenario transactions --warmup 0s --duration 3s \
    --meter-values-per-tx 2 --quiet > "$WORK/loadgen.txt" || { cat "$WORK/loadgen.txt"; fail "the charger session failed"; }
tx=$(highest_tx)
[ "${tx:-0}" -gt 0 ] || fail "no transaction in the store"
echo "highest transaction id $tx"

step "backup while running"
chargeedge backup "$WORK/backup.tgz"
tar -tzf "$WORK/backup.tgz" | grep -q 'chargeedge/data/store/chargeedge.db' || fail "backup lacks the store"

step "WATCHDOG=1 at least twice per WatchdogSec"
sleep_until=$(python3 -c "print($ready_at + $watchdog_sec + 1)")
while [ "$(python3 -c "print(int($(now) < $sleep_until))")" = 1 ]; do sleep 1; done
n=$(pings_between "$ready_at" "$(python3 -c "print($ready_at + $watchdog_sec)")")
echo "$n pings in the first ${watchdog_sec} s after READY=1"
[ "$n" -ge 2 ] || fail "only $n pings in WatchdogSec"
grep ' STATUS=' "$WORK/notify.log" | tail -n 1

step "freeze the OCPP server's event loops: the pings stop within WatchdogSec"
stall=$((watchdog_sec + 10))
chargeedge shell "chargeedge:stallocpp $stall"
stalled=$(now)
sleep "$watchdog_sec"
late=$(pings_between "$(python3 -c "print($stalled + $watchdog_sec / 2)")" "$(now)")
[ "$late" -eq 0 ] || fail "$late pings after the event loops froze"
grep -q 'FAILED: the OCPP server stopped serving' "$WORK/notify.log" || fail "STATUS does not say why"
grep 'FAILED' "$WORK/notify.log" | head -n 1
step "released, the event loops serve again and the pings come back"
for _ in $(seq "$watchdog_sec"); do
    [ "$(pings_between "$(python3 -c "print($stalled + $stall)")" "$(now)")" -gt 0 ] && break
    sleep 1
done
[ "$(pings_between "$(python3 -c "print($stalled + $stall)")" "$(now)")" -gt 0 ] || fail "no ping after the release"
stop_gateway

step "upgrade to a higher version keeps the data and an edited conffile"
db=/var/lib/chargeedge/store/chargeedge.db
sum_before=$(sha256sum "$db" | cut -d' ' -f1)
echo "# edited by the operator" >> /etc/chargeedge/org.chargeedge.centralsystem.cfg
version=$(dpkg-query -W -f='${Version}' chargeedge)
dpkg-deb -R "$DEB" "$WORK/next"
sed -i "s/^Version: .*/Version: ${version}+next/" "$WORK/next/DEBIAN/control"
dpkg-deb -b --root-owner-group "$WORK/next" "$WORK/next.deb" >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o Dpkg::Options::=--force-confold "$WORK/next.deb" >/dev/null
[ "$(dpkg-query -W -f='${Version}' chargeedge)" = "${version}+next" ] || fail "not upgraded"
grep -q '# edited by the operator' /etc/chargeedge/org.chargeedge.centralsystem.cfg || fail "the edited conffile was replaced"
[ "$(sha256sum "$db" | cut -d' ' -f1)" = "$sum_before" ] || fail "the store changed in the upgrade"
start_gateway
[ "$(highest_tx)" = "$tx" ] || fail "after the upgrade the highest transaction id is $(highest_tx), not $tx"
stop_gateway

step "downgrade to the first version, then reinstall it: data and the edited conffile stay"
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-downgrades -o Dpkg::Options::=--force-confold "$DEB" >/dev/null
[ "$(dpkg-query -W -f='${Version}' chargeedge)" = "$version" ] || fail "not downgraded"
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --reinstall -o Dpkg::Options::=--force-confold "$DEB" >/dev/null
grep -q '# edited by the operator' /etc/chargeedge/org.chargeedge.centralsystem.cfg || fail "the edited conffile was replaced"
start_gateway
[ "$(highest_tx)" = "$tx" ] || fail "after the downgrade the highest transaction id is $(highest_tx), not $tx"
stop_gateway

step "a store written by a newer version is refused with a clear message and left as it is"
service_python() { setpriv --reuid=chargeedge --regid=chargeedge --init-groups env -i /usr/bin/python3 "$@"; }
schema=$(service_python -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA user_version').fetchone()[0])" "$db")
service_python -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA user_version=%d' % (int(sys.argv[2]) + 1)); c.commit()" "$db" "$schema"
sum_newer=$(sha256sum "$db" | cut -d' ' -f1)
start_gateway
grep -q "newer than this bundle's $schema: it was written by a newer gateway" "$WORK/gateway.log" \
    || fail "the log does not say the store is newer"
grep ' STATUS=' "$WORK/notify.log" | tail -n 1 | grep -q 'store' || fail "STATUS does not name the store"
grep ' STATUS=' "$WORK/notify.log" | tail -n 1
stop_gateway
[ "$(sha256sum "$db" | cut -d' ' -f1)" = "$sum_newer" ] || fail "the newer store was changed"

step "purge leaves nothing"
apt-get purge -y -q chargeedge >/dev/null
for p in /etc/chargeedge /var/lib/chargeedge /usr/share/chargeedge "$UNIT" /usr/bin/chargeedge; do
    [ ! -e "$p" ] || fail "$p is left after purge"
done
! getent passwd chargeedge >/dev/null || fail "the user is left after purge"

step "restore the backup onto a fresh install"
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$DEB" >/dev/null
chargeedge restore "$WORK/backup.tgz"
start_gateway
[ "$(highest_tx)" = "$tx" ] || fail "restored highest transaction id $(highest_tx), not $tx"
stop_gateway
apt-get purge -y -q chargeedge >/dev/null
rm -rf "$WORK"
step "all checks passed (exposure score $score)"
