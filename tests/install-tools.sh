#!/usr/bin/env bash
# Installs the Debian packages the full test suite uses, if they are missing:
# the Arm cross toolchain (rebuilds the sample ELFs and compares hashes) and qemu-system-arm
# (functional cross-checks), chromium (renders --html reports headless). Without them those tests
# skip; CI always installs them.
set -euo pipefail
need=()
command -v arm-none-eabi-gcc >/dev/null || need+=(gcc-arm-none-eabi libnewlib-arm-none-eabi)
command -v qemu-system-arm >/dev/null || need+=(qemu-system-arm)
command -v chromium >/dev/null || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
