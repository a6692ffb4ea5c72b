#!/usr/bin/env bash
# Installs what mcutrain needs on a Debian 12 machine. Safe to run again: it only installs what
# is missing. The bundled clang/LLVM comes from Maven Central (org.bytedeco:llvm), so no system C
# compiler is needed.
set -euo pipefail

missing=()
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
# QEMU runs the mps2-an500 (Cortex-M7) firmware images in tests and `mcutrain run --board`.
command -v qemu-system-arm >/dev/null 2>&1 || missing+=(qemu-system-arm)
# Fashion-MNIST for `mcutrain demo`, `simulate --data fashion-mnist` and the experiments.
[ -d /usr/share/datasets/fashion-mnist ] || missing+=(dataset-fashion-mnist)
# Fonts for the PNG plots (curve.png, docs/results); a headless JDK draws text with fontconfig.
{ command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list 2>/dev/null | head -n 1)" ]; } \
  || missing+=(fontconfig fonts-dejavu-core)

if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  echo "mcutrain setup: installing ${missing[*]}" >&2
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "mcutrain setup: error: please install as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
