#!/usr/bin/env bash
# Cross-compiles the SDK (player, abr, download) and examples/minimal for the
# platforms apps embed it on, with CGO_ENABLED=0 (pure Go): the SDK must not
# need a C toolchain on any of them.
#
#   scripts/cross-compile.sh                    # every target below
#   scripts/cross-compile.sh windows/amd64 ...  # only these (any GOOS/GOARCH)
#   OUT=dir scripts/cross-compile.sh            # also keep the minimal binaries
#                                               # (dir/minimal-GOOS-GOARCH) and print sizes
#
# Exit status: 0 when every target builds, 1 otherwise (all targets are tried).
set -uo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
PKGS=(./player/... ./abr/... ./download/...)
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(linux/amd64 linux/arm64 android/arm64 darwin/arm64)
fi

fail=0
for t in "${TARGETS[@]}"; do
  os=${t%/*}; arch=${t#*/}
  start=$(date +%s)
  # go build of several packages type-checks and compiles them, writing nothing.
  if ! out=$(CGO_ENABLED=0 GOOS=$os GOARCH=$arch $GO build "${PKGS[@]}" ./examples/minimal 2>&1); then
    echo "FAIL $t"; echo "$out" | sed 's/^/    /'; fail=1; continue
  fi
  size=""
  if [ -n "${OUT:-}" ]; then
    mkdir -p "$OUT"
    bin="$OUT/minimal-$os-$arch"
    [ "$os" = windows ] && bin="$bin.exe"
    if ! out=$(CGO_ENABLED=0 GOOS=$os GOARCH=$arch $GO build -trimpath -ldflags='-s -w' -o "$bin" ./examples/minimal 2>&1); then
      echo "FAIL $t (minimal binary)"; echo "$out" | sed 's/^/    /'; fail=1; continue
    fi
    size=" minimal $(wc -c <"$bin" | tr -d ' ') bytes (-s -w)"
  fi
  echo "ok   $t ($(( $(date +%s) - start ))s)$size"
done
exit $fail
