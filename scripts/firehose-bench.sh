#!/usr/bin/env bash
# The DEBUG firehose benchmark: a private tor network (3 authorities, 2
# relays, 1 client) in a loopback-only network namespace, every circuit
# exiting through relay0, and a download workload through it. For each of
# no monitor, a raw event counter, rnyx and Debian's nyx (each subscribed to
# DEBUG INFO NOTICE WARN ERR on relay0, the monitors in a 160x50 tmux), it
# prints the workload's wall time, the monitor's CPU seconds and peak RSS, and
# relay0's CPU seconds, side by side.
#
#   scripts/firehose-bench.sh [--parallel N] [--mib M] [--rounds R] [--perf FILE]
#
# Needs tor, tor-gencert, unshare, nsenter, ip, tmux (nyx optional: its rows
# are left out when it is not installed). Takes about 80 s per round after a
# minute of bootstrapping.
set -euo pipefail
cd "$(dirname "$0")/.."
# With --perf, rnyx keeps its symbols (the release profile strips them).
profile=release
case " $* " in *" --perf "*) profile=profiling ;; esac
cargo build --profile "$profile" -q --bin rnyx --example firehose
exec "target/$profile/examples/firehose" --rnyx "target/$profile/rnyx" "$@"
