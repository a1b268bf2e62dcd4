# Sourced by scripts/test: the browser tests drive Debian's Chromium through
# Playwright (never a downloaded browser), so install the package when it is missing.

# shellcheck source=as_root.sh
source "$(dirname "${BASH_SOURCE[0]}")/as_root.sh"

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then
    echo "chromium: $(/usr/bin/chromium --version 2>/dev/null | head -n 1)"
    return 0
  fi
  echo "chromium: installing Debian's chromium package"
  _as_root apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive _as_root apt-get install -y -qq chromium >/dev/null
  [ -x /usr/bin/chromium ] || { echo "chromium: install failed" >&2; return 1; }
}
