#!/usr/bin/env bash
# System packages that the project's figures and app test need, from Debian's archive:
#   - chromium and chromium-driver: the headless browser of tests/test_app_browser.py;
#   - a CJK font (fonts-noto-cjk): Chinese labels in figures (model.viz.style, lang="zh").
# Idempotent: installs only what is missing, and does nothing when everything is there.
#
#   bash scripts/setup_system.sh            # as root, or with sudo available
#
# Without apt-get (not Debian/Ubuntu) it says what to install by hand and exits 0, unless
# CI=true, where a missing piece is an error (the browser test must run under CI).
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
if ! command -v fc-list >/dev/null 2>&1; then
  missing+=(fontconfig fonts-noto-cjk)
elif ! fc-list :lang=zh family 2>/dev/null | grep -q .; then
  missing+=(fonts-noto-cjk)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup_system: chromium, chromium-driver and a CJK font are installed"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup_system: missing ${missing[*]}, and apt-get is not available;" >&2
  echo "  install a Chromium with its chromedriver and a CJK font (e.g. Noto Sans CJK) by hand." >&2
  if [ "${CI:-}" = "true" ]; then exit 1; fi
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "setup_system: missing ${missing[*]}; run this script as root to install them" >&2
    if [ "${CI:-}" = "true" ]; then exit 1; fi
    exit 0
  fi
fi

echo "setup_system: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Let fontconfig see a newly installed font (matplotlib is told by model.viz.style itself).
if command -v fc-cache >/dev/null 2>&1; then fc-cache -f >/dev/null 2>&1 || true; fi
echo "setup_system: done"
