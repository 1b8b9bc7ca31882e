#!/bin/sh
# Makes assets/tor.1.gz, the copy of tor's manual built into rnyx for
# machines without man pages (minimal containers drop them), from the
# manual of the installed tor 0.4.9 (Debian's `tor` package).
set -eu
cd "$(dirname "$0")/.."
version=$(tor --version | sed -n 's/^Tor version \([0-9][0-9.]*[0-9]\).*/\1/p' | head -1)
case "$version" in
  0.4.9.*) ;;
  *) echo "embed-manual: tor 0.4.9 wanted, found '${version:-none}'" >&2; exit 1 ;;
esac
src=/usr/share/man/man1/tor.1.gz
[ -r "$src" ] || { echo "embed-manual: $src is missing (reinstall tor with its man page)" >&2; exit 1; }
# Recompressed without a name or time stamp, so the same manual gives the
# same bytes.
gzip -dc "$src" | gzip -9n > assets/tor.1.gz
printf 'tor.1.gz: the manual of tor %s, from %s, made by scripts/embed-manual.sh\n' \
  "$version" "$src" > assets/README
echo "assets/tor.1.gz: tor $version, $(wc -c < assets/tor.1.gz) bytes"
