#!/usr/bin/env bash
# Put Continuo in the desktop's application menu (for the current user, no root needed):
#   packaging/install-desktop-files.sh            install into ~/.local/share (or $XDG_DATA_HOME)
#   packaging/install-desktop-files.sh --remove   take them out again
# When `continuo` is not on PATH, the menu entry runs the checkout's .venv/bin/continuo.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
app_id=io.github.continuo.Continuo
desktop="$data/applications/continuo.desktop"
metainfo="$data/metainfo/$app_id.metainfo.xml"
icon="$data/icons/hicolor/scalable/apps/$app_id.svg"

refresh() {
  command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
  command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
}

if [ "${1:-}" = "--remove" ]; then
  rm -f "$desktop" "$metainfo" "$icon"
  refresh
  echo "Removed Continuo's menu entry, metainfo and icon from $data"
  exit 0
fi

if command -v continuo >/dev/null; then
  exec_path=continuo
elif [ -x "$here/../.venv/bin/continuo" ]; then
  exec_path="$(cd "$here/.." && pwd)/.venv/bin/continuo"
else
  echo "continuo is not installed: run packaging/setup.sh demo first (or pip install the project)" >&2
  exit 1
fi

case "$exec_path" in *" "*) exec_path="\"$exec_path\"" ;; esac  # the Exec key's quoting rule

install -d "$data/applications" "$data/metainfo" "$(dirname "$icon")"
sed -e "s|^Exec=continuo|Exec=$exec_path|" -e "s|^TryExec=continuo|TryExec=$exec_path|" \
  "$here/continuo.desktop" > "$desktop"
chmod 644 "$desktop"
install -m 644 "$here/$app_id.metainfo.xml" "$metainfo"
install -m 644 "$here/$app_id.svg" "$icon"
refresh
echo "Installed Continuo's menu entry ($desktop), metainfo and icon into $data"
