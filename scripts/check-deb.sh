#!/usr/bin/env bash
# Checks rnyx's .deb as an operator meets it: installed with dpkg into an
# empty root (nothing of this machine's), and then onto this machine, where
# `rnyx --version`, `man rnyx` and Tab completion in bash, zsh and fish must
# work from the package's own files. Removes the package at the end.
#
#   scripts/check-deb.sh target/debian/rnyx_VERSION_ARCH.deb
#
# Needs root (CI is); installs man-db, bash-completion, zsh and fish when
# missing.
set -euo pipefail
deb=$(realpath "${1:?usage: scripts/check-deb.sh PACKAGE.deb}")
version=$(dpkg-deb -f "$deb" Version)
fail() { echo "check-deb: $*" >&2; exit 1; }

need=()
command -v man >/dev/null 2>&1 || need+=(man-db)
[ -r /usr/share/bash-completion/bash_completion ] || need+=(bash-completion)
command -v zsh >/dev/null 2>&1 || need+=(zsh)
command -v fish >/dev/null 2>&1 || need+=(fish)
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1
fi

# 1. An empty root: the package's own files and nothing else.
root=$(mktemp -d)
trap 'rm -rf "$root"; dpkg -r rnyx >/dev/null 2>&1 || true' EXIT
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status"
# (libc6 is not in the empty root: dpkg is told to go on without it.)
dpkg --root="$root" --force-depends -i "$deb" >/dev/null 2>&1 || fail "dpkg --root refused the package"
got=$("$root/usr/bin/rnyx" --version)
[ "$got" = "rnyx ${version%-*}" ] || fail "rnyx --version in the empty root says '$got'"
man -l "$root/usr/share/man/man1/rnyx.1.gz" 2>/dev/null | grep -q "PAGES AND KEYS" ||
    fail "man -l on the installed rnyx.1.gz shows no PAGES AND KEYS"
echo "empty root: $(dpkg --root="$root" -L rnyx | grep -c .) paths; $got"

# 2. This machine: man, and Tab in each shell, from the installed files.
dpkg -i "$deb" >/dev/null
[ "$(command -v rnyx)" = /usr/bin/rnyx ] || fail "rnyx on PATH is $(command -v rnyx)"
MANPAGER=cat man rnyx 2>/dev/null | grep -q "EXIT STATUS" || fail "man rnyx shows no EXIT STATUS"
bash_words=$(bash -c '
    source /usr/share/bash-completion/bash_completion
    __load_completion rnyx || exit 1
    fn=$(complete -p rnyx | sed -E "s/.* -F ([^ ]+) .*/\1/")
    COMP_WORDS=(rnyx --so); COMP_CWORD=1; COMP_LINE="rnyx --so"; COMP_POINT=${#COMP_LINE}
    "$fn" rnyx --so rnyx
    printf "%s\n" "${COMPREPLY[@]}"')
grep -qx -- "--socket" <<<"$bash_words" || fail "bash: Tab after 'rnyx --so' gave '$bash_words'"
fish_words=$(fish -c 'complete -C "rnyx re"' | cut -f1)
grep -qx "replay" <<<"$fish_words" && grep -qx "record" <<<"$fish_words" ||
    fail "fish: Tab after 'rnyx re' gave '$fish_words'"
zsh -fc 'print -l $^fpath/_rnyx(N)' | grep -qx /usr/share/zsh/vendor-completions/_rnyx ||
    fail "zsh: _rnyx is not on fpath"
zsh -n /usr/share/zsh/vendor-completions/_rnyx || fail "zsh: _rnyx does not parse"
# 3. rnyx watch's unit: installed, not enabled, verified, its exposure.
unit=/lib/systemd/system/rnyx-watch.service
[ -f "$unit" ] || fail "no $unit"
[ -f /etc/rnyx/nyxrc ] || fail "no /etc/rnyx/nyxrc"
dpkg-deb -I "$deb" conffiles 2>/dev/null | grep -qx /etc/rnyx/nyxrc || fail "/etc/rnyx/nyxrc is not a conffile"
[ ! -e /etc/systemd/system/multi-user.target.wants/rnyx-watch.service ] || fail "rnyx-watch is enabled by the package"
command -v systemd-analyze >/dev/null 2>&1 || {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd >/dev/null 2>&1
}
systemd-analyze verify "$unit" || fail "systemd-analyze verify $unit"
exposure=$(systemd-analyze security --offline=true "$unit" 2>/dev/null | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
[ -n "$exposure" ] || fail "systemd-analyze security gave no exposure"
awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }' || fail "rnyx-watch's exposure is $exposure (the README says 1.3)"
echo "rnyx-watch.service: verified, not enabled, exposure $exposure"
echo "installed: man rnyx; Tab completes rnyx --so -> --socket (bash), rnyx re -> record, replay (fish); _rnyx on zsh's fpath"
