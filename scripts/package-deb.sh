#!/usr/bin/env bash
# Builds rnyx's Debian package with cargo-deb: the stripped binary, rnyx(1),
# completions for bash, zsh and fish, nyxrc.example and the README under
# /usr/share/doc/rnyx; Recommends: tor. Prints the .deb's path last.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v cargo-deb >/dev/null 2>&1 || cargo install --locked --quiet cargo-deb
cargo build --release --locked --quiet

assets=target/deb-assets
rm -rf "$assets"
mkdir -p "$assets"
target/release/rnyx man | gzip -9n >"$assets/rnyx.1.gz"
target/release/rnyx completions bash >"$assets/rnyx.bash"
target/release/rnyx completions zsh >"$assets/_rnyx"
target/release/rnyx completions fish >"$assets/rnyx.fish"

cargo deb --no-build --locked --quiet 2>/dev/null | tail -n 1
