#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those missing. Usage: apt-deps.sh demo|test
set -euo pipefail
case "${1:-demo}" in
  demo) pkgs=(python3-venv) ;;
  test) pkgs=(python3-venv xvfb xauth libegl1 libgl1 libglx-mesa0 libgl1-mesa-dri libxkbcommon-x11-0
              libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
              libxcb-xinerama0 libxcb-xinput0 libxcb-xfixes0 libxcb-shape0 libxcb-cursor0
              libdbus-1-3 libfontconfig1) ;;
  *) echo "usage: $0 demo|test" >&2; exit 2 ;;
esac
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
# python3-venv is only needed when the interpreter lacks venv (Debian's own python3 does).
if [ "${#missing[@]}" -gt 0 ] && python3 -c "import venv, ensurepip" 2>/dev/null; then
  filtered=(); for p in "${missing[@]}"; do [ "$p" = python3-venv ] || filtered+=("$p"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi
[ "${#missing[@]}" -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y --no-install-recommends "${missing[@]}" \
  || { $SUDO apt-get update -q && $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; }
