#!/usr/bin/env bash
# Compares rnyx with Debian's nyx attached to the same relay: time from start
# to the first full frame, idle RSS and idle CPU. The relay is a single tor
# with DisableNetwork 1 (it never touches the network) and an ORPort, so it
# has a fingerprint and emits a BW event every second.
#
#   scripts/compare-monitors.sh [IDLE_SECONDS]     (needs tor, tmux; nyx optional)
set -euo pipefail
cd "$(dirname "$0")/.."
idle=${1:-60}
cargo build --release -q
rnyx=$PWD/target/release/rnyx
work=$(mktemp -d /tmp/rnyx-compare-XXXXXX)
chmod 700 "$work"
sock=tmux-compare-$$
cleanup() {
    tmux -L "$sock" kill-server 2>/dev/null || true
    [ -n "${tor_pid:-}" ] && kill "$tor_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

mkdir -m 700 "$work/data"
cat > "$work/torrc" <<TORRC
DataDirectory $work/data
DisableNetwork 1
SocksPort 0
ORPort 127.0.0.1:auto
AssumeReachable 1
PublishServerDescriptor 0
Nickname compareRelay
ControlSocket $work/control
CookieAuthentication 1
Log notice file $work/tor.log
__OwningControllerProcess $$
TORRC
tor -f "$work/torrc" >/dev/null 2>&1 &
tor_pid=$!
for _ in $(seq 100); do [ -S "$work/control" ] && [ -f "$work/data/fingerprint" ] && break; sleep 0.1; done
fp=$(awk '{print $2}' "$work/data/fingerprint")

now_ms() { date +%s%3N; }

# measure NAME COMMAND: prints "NAME first_frame_ms rss_kb cpu_percent"
measure() {
    local name=$1 cmd=$2
    tmux -L "$sock" new-session -d -s "$name" -x 160 -y 50 "exec $cmd"
    local start; start=$(now_ms)
    local first=""
    for _ in $(seq 2000); do
        if tmux -L "$sock" capture-pane -p -t "$name" 2>/dev/null | grep -q "$fp"; then
            first=$(( $(now_ms) - start )); break
        fi
        sleep 0.005
    done
    if [ "${3:-}" = first-only ]; then
        tmux -L "$sock" kill-session -t "$name"
        printf '%-6s  first frame %5s ms   (tmux start and polling overhead, subtract it)\n' "$name" "${first:-n/a}"
        return
    fi
    local pid; pid=$(tmux -L "$sock" display -p -t "$name" '#{pane_pid}')
    sleep 5
    local t0; t0=$(awk '{print $14+$15}' "/proc/$pid/stat")
    sleep "$idle"
    local t1; t1=$(awk '{print $14+$15}' "/proc/$pid/stat")
    local rss; rss=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
    local hwm; hwm=$(awk '/VmHWM/{print $2}' "/proc/$pid/status")
    local cpu; cpu=$(awk -v a="$t0" -v b="$t1" -v s="$idle" 'BEGIN{printf "%.3f", (b-a)/100/s*100}')
    tmux -L "$sock" kill-session -t "$name"
    printf '%-6s  first frame %5s ms   idle RSS %6s kB (peak %6s kB)   idle CPU %6s %% of a core over %s s\n' \
        "$name" "${first:-n/a}" "$rss" "$hwm" "$cpu" "$idle"
}

echo "relay: tor $(tor --version | head -1 | awk '{print $3}') fingerprint $fp, DisableNetwork 1"
measure echo "sh -c 'echo $fp; exec sleep 600'" first-only
measure rnyx "$rnyx --socket $work/control"
if command -v nyx >/dev/null; then
    measure nyx "nyx --socket $work/control"
else
    echo "nyx     not installed (apt-get install nyx)"
fi
