#!/usr/bin/env bash
# The C ABI baseline (issue 17): compares the built libfunnelnet.so against the committed
# libabigail dump abi/libfunnelnet.abi (exported fnet_* symbols and the public C types).
# Added functions are compatible and pass; a removed symbol or an incompatible type
# change fails.  After an intended change (with a version bump), refresh the baseline:
#   bash scripts/abi_check.sh [build dir, default build/release] [--update]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD="${1:-build/release}"
LIB="$(ls "$BUILD"/libfunnelnet.so.*.*.* 2>/dev/null | head -1 || true)"
[ -n "$LIB" ] || LIB="$BUILD/libfunnelnet.so"
[ -f "$LIB" ] || { echo "abi_check.sh: $LIB not built" >&2; exit 2; }
command -v abidw >/dev/null || { echo "abi_check.sh: abidw not found (apt-get install -y abigail-tools)" >&2; exit 2; }
mkdir -p "$BUILD/abi"
CURRENT="$BUILD/abi/libfunnelnet.abi"
abidw --no-corpus-path --no-comp-dir-path --no-show-locs --headers-dir include/funnelnet/c \
  --header-file include/funnelnet.h --drop-private-types --exported-interfaces-only --type-id-style hash \
  --out-file "$CURRENT" "$LIB"
if [ "${2:-}" = "--update" ]; then
  cp "$CURRENT" abi/libfunnelnet.abi
  echo "abi/libfunnelnet.abi updated from $LIB"
  exit 0
fi
set +e
abidiff --no-show-locs abi/libfunnelnet.abi "$CURRENT" >"$BUILD/abi/abidiff.txt" 2>&1
rc=$?
set -e
# abidiff's status is a bit field: 1 error, 2 usage error, 4 ABI change, 8 incompatible change.
if (( rc & 3 )); then
  cat "$BUILD/abi/abidiff.txt"; echo "abi_check.sh: abidiff failed (status $rc)" >&2; exit 1
fi
if (( rc & 8 )); then
  cat "$BUILD/abi/abidiff.txt"
  echo "abi_check.sh: INCOMPATIBLE change to the C ABI against abi/libfunnelnet.abi; if intended, bump" \
       "the version and run: bash scripts/abi_check.sh $BUILD --update" >&2
  exit 1
fi
if (( rc & 4 )); then
  echo "abi_check.sh: compatible changes (e.g. added functions):"; head -20 "$BUILD/abi/abidiff.txt"
fi
echo "abi_check.sh: the C ABI is compatible with abi/libfunnelnet.abi"
