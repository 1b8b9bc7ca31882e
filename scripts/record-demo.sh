#!/bin/sh
# Makes assets/demo.rnyx.gz, the recording `rnyx demo` plays where tor or
# unprivileged network namespaces are missing: the demo's private network
# (3 authorities, 2 relays, 1 client, in a loopback-only namespace) with
# traffic through its exit relay, recorded for SECONDS (default 180) once
# traffic flows. Needs tor, tor-gencert, unshare, nsenter and ip.
set -eu
cd "$(dirname "$0")/.."
seconds="${1:-180}"
cargo build --release --quiet
out="assets/demo.rnyx.gz"
target/release/rnyx demo-record "$out.new" --seconds "$seconds" --max-size 4
mv "$out.new" "$out"
ls -l "$out"
# What it holds, as a check: the state at its end.
target/release/rnyx --dump --replay "$out" | head -c 600
echo
