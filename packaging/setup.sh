#!/usr/bin/env bash
# Set Continuo up on a Debian/Ubuntu machine, then open the demo or run the tests.
#   packaging/setup.sh demo [continuo options]   install everything, open the app on the demo library
#   packaging/setup.sh test [pytest options]     install everything, run the whole test suite
# System packages are installed with apt-get when missing (as root, or through sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-}
shift || true
case "$mode" in demo|test) ;; *) echo "usage: $0 demo|test [options]" >&2; exit 2 ;; esac

system_packages=(
  python3-venv libportaudio2 libsndfile1 pulseaudio libasound2-plugins
  fluidsynth fluid-soundfont-gm xvfb desktop-file-utils appstream dbus libglib2.0-bin
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0
  libxcb-randr0 libxcb-render-util0 libxcb-image0
)
missing=()
for package in "${system_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "Continuo needs Python 3.11 or newer (found $("$python" --version))" >&2; exit 1; }
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[train,dev]'

if [ "$mode" = demo ]; then
  exec .venv/bin/continuo --demo "$@"
fi
exec .venv/bin/python -m pytest "$@"
