#!/usr/bin/env bash
# Runs every fuzz target (fuzz/fuzz_targets/) one after the other, each
# for SECONDS (default 60) or for N executions (--runs N), on inputs of up
# to 4 KB (FUZZ_MAX_LEN; a longer seed is cut: most of what a parser does
# shows in its first lines, and a fuzzer tries ten times as many short
# ones), starting from
# the seed corpus in the repository (fuzz/seeds/<target>) and the corpus
# earlier runs grew (fuzz/corpus/<target>, not in the repository). Prints a
# table (Markdown) of each target's executions, rate, coverage, corpus and
# failures; a failure's input is kept in fuzz/artifacts/<target>/ and its
# output in fuzz/logs/<target>.log.
#
#   scripts/fuzz.sh [SECONDS | --runs N] [TARGET...]
#
# Needs cargo-fuzz (cargo install cargo-fuzz) and a nightly toolchain.
set -uo pipefail
cd "$(dirname "$0")/../fuzz"
limit=(-max_total_time=60)
case "${1:-}" in
    --runs) limit=(-runs="$2"); shift 2 ;;
    [0-9]*) limit=(-max_total_time="$1"); shift ;;
esac
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo +nightly fuzz list)
fi
# No sanitizer: the parsers are safe Rust, and the executions count.
flags=(-O --sanitizer none)
echo "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ' (with changes)'), $(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores"

cargo +nightly fuzz build "${flags[@]}" >/dev/null || exit 1
# The targets as built now, so editing the code meanwhile changes no run.
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
for t in "${targets[@]}"; do
    cp "target/x86_64-unknown-linux-gnu/release/$t" "$bin/"
done
mkdir -p logs artifacts
echo "inputs of up to ${FUZZ_MAX_LEN:-4096} bytes"
echo "| target | seconds | executions | exec/s | coverage (edges) | features | corpus (files, KB) | peak RSS (MB) | result |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
failed=0
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    log="logs/$t.log"
    start=$(date +%s)
    mkdir -p "artifacts/$t"
    if "$bin/$t" "corpus/$t" "seeds/$t" "${limit[@]}" -max_len="${FUZZ_MAX_LEN:-4096}" -print_final_stats=1 \
        -rss_limit_mb=2048 -timeout=10 -artifact_prefix="artifacts/$t/" >"$log" 2>&1; then
        result=ok
    else
        result="FAILED (see fuzz/$log)"
        failed=1
    fi
    secs=$(($(date +%s) - start))
    stat() { awk -F':[ \t]+' -v k="stat::$1" '$1 == k { print $2 }' "$log" | tail -n 1; }
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)
    cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$done_line")
    ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$done_line")
    files=$(find "corpus/$t" -type f | wc -l)
    kb=$(du -sk "corpus/$t" | cut -f1)
    echo "| $t | $secs | $(stat number_of_executed_units) | $(stat average_exec_per_sec) | ${cov:--} | ${ft:--} | $files, $kb | $(stat peak_rss_mb) | $result |"
done
exit $failed
