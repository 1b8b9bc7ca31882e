#!/usr/bin/env bash
# The soak: rnyx on the private network's exit relay (relay0) at DEBUG, in a
# 160x50 tmux, while downloads run back to back through it, for SECONDS
# (default 3600), moving to the next page every sample. Every SAMPLE seconds
# (default 60) it prints rnyx's RSS, its CPU in the interval, the relay's
# event rate and the relay's CPU; at the end, RSS after the first five
# minutes against its median, and CPU per interval.
#
#   scripts/soak.sh [SECONDS] [SAMPLE]
#
# Needs what scripts/firehose-bench.sh needs (tor, tor-gencert, unshare,
# nsenter, ip, tmux).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-3600}
sample=${2:-60}
cargo build --release -q --bin rnyx --example firehose
exec target/release/examples/firehose --rnyx target/release/rnyx --rounds 0 \
    --soak "$seconds" --sample "$sample" --soak-monitors rnyx --no-nyx
