#!/usr/bin/env bash
# Installs the Debian packages the build needs (only what is missing):
#   nasm  - SIMD assembly for libjpeg-turbo/mozjpeg (JPEG decode, shrink-on-load, encode)
#   chromium - only with the argument `web` (make test-web): headless browser for the
#              web app's end-to-end tests (ashim-server/web-tests)
# Works as root (CI) or through sudo.
set -euo pipefail
need=()
command -v nasm >/dev/null 2>&1 || need+=(nasm)
command -v cc >/dev/null 2>&1 || need+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
if [ "${1:-}" = "web" ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
fi
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "installing Debian packages: ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
