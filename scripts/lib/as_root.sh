# Sourced by the scripts/lib helpers that install Debian packages: run a command as root
# (directly when we are root, else through sudo without a password prompt).

_as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi
}
