#!/usr/bin/env bash
# Check that prebuilt ashim artefacts (the Node addon, the wheel's extension module) link
# nothing beyond glibc, libgcc and libstdc++, resolve on this machine, and need at most the
# glibc version the README states.
#   scripts/check-linkage.sh [--max-glibc 2.NN] FILE...
# Prints each file's DT_NEEDED libraries and its glibc floor (highest GLIBC_ symbol version).
# (The AI runtime, ONNX Runtime, is opened with dlopen at run time and so is no DT_NEEDED.)
set -euo pipefail
MAX=""
if [ "${1:-}" = "--max-glibc" ]; then MAX="$2"; shift 2; fi
[ "$#" -gt 0 ] || { echo "usage: $0 [--max-glibc 2.NN] FILE..." >&2; exit 2; }
for tool in readelf objdump ldd; do
  command -v "$tool" >/dev/null || { echo "$0: $tool not found (Debian package binutils / libc-bin)" >&2; exit 2; }
done
ALLOWED=" libc.so.6 libm.so.6 libgcc_s.so.1 libstdc++.so.6 libpthread.so.0 libdl.so.2 librt.so.1 ld-linux-x86-64.so.2 ld-linux-aarch64.so.1 "
status=0
for f in "$@"; do
  needed="$(readelf -dW "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
  floor="$(objdump -T "$f" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n1)"
  echo "$(basename "$f"): needs ${needed:-nothing}; glibc floor ${floor:-none}"
  for lib in $needed; do
    case "$ALLOWED" in
      *" $lib "*) ;;
      *) echo "  FAIL: $lib is not glibc, libgcc or libstdc++" >&2; status=1 ;;
    esac
  done
  if ldd "$f" | grep -q 'not found'; then
    ldd "$f" >&2; echo "  FAIL: unresolved libraries" >&2; status=1
  fi
  if [ -n "$MAX" ] && [ -n "$floor" ] && [ "$(printf '%s\n%s\n' "$floor" "$MAX" | sort -V | tail -n1)" != "$MAX" ]; then
    echo "  FAIL: needs glibc $floor, newer than the $MAX the README states" >&2; status=1
  fi
done
exit "$status"
