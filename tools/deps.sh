#!/usr/bin/env bash
# Installs the Debian packages a task needs, only those missing.
# Usage: tools/deps.sh GROUP...   groups: build test bench fuzz plots ct
# Runs nothing when everything is already installed. apt-get update runs
# only when the package lists are empty (a fresh image) or too stale for the
# install to succeed, so a fresh machine that runs several of our scripts
# updates once.
set -euo pipefail

pkgs=()
for group in "$@"; do
  case "$group" in
    build) pkgs+=(build-essential cmake pkg-config android-libboringssl-dev
                  libabsl-dev nlohmann-json3-dev) ;;
    test)  pkgs+=(googletest libgtest-dev python3 valgrind) ;;
    bench) pkgs+=(libbenchmark-dev libipsec-mb-dev util-linux) ;;
    fuzz)  pkgs+=(clang libclang-rt-14-dev) ;;
    plots) pkgs+=(python3 python3-matplotlib) ;;
    ct)    pkgs+=(clang libclang-rt-14-dev valgrind) ;;
    *) echo "deps.sh: unknown group '$group'" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${pkgs[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps.sh: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps.sh: run as root or install sudo" >&2; exit 1; }
  sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
install=($sudo apt-get install -y --no-install-recommends "${missing[@]}")
if compgen -G "/var/lib/apt/lists/*_Packages*" >/dev/null; then
  "${install[@]}" && exit 0
  echo "deps.sh: install failed with the current package lists; updating" >&2
fi
$sudo apt-get update
"${install[@]}"
