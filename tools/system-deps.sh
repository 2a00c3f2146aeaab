#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Session Companion needs (DESIGN.md "Platform notes"), or,
# where it cannot, prints the exact apt line. Other systems: prints what is needed and carries on.
set -euo pipefail

PACKAGES=(
  # Qt offscreen and widgets
  libgl1 libegl1 libxkbcommon0 libglib2.0-0 libfontconfig1 libdbus-1-3 fonts-dejavu-core
  # a real window under Xvfb
  xvfb xauth libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
  # offline speech for pyttsx3
  libespeak-ng1
  # tests: chattr for read-only folders
  e2fsprogs
  # tests: the PDF export is rendered to an image with pdftoppm
  poppler-utils
)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system-deps: not a Debian-like system; see README for Windows and macOS set-up." >&2
  exit 0
fi

# Debian's own python3 splits venv and ensurepip into python3-venv.
PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c "import venv, ensurepip" >/dev/null 2>&1; then
  PACKAGES+=(python3-venv)
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo="sudo"
else
  echo "system-deps: missing system packages. Please run:" >&2
  echo "  sudo apt-get update && sudo $line" >&2
  exit 1
fi
echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo $line -qq
