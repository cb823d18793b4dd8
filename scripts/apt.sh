# shellcheck shell=bash
# Sourced by setup.sh and pyenv.sh: installs Debian packages with apt-get when run as root,
# otherwise names them with the command that installs them, and stops. Speaks through the
# caller's `say`.

# Those of the packages named that are not installed, one a line.
missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || printf '%s\n' "$p"
  done
}

apt_install_or_explain() {
  [ $# -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    say "installing $* with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  else
    say "missing system packages: $*"
    say "install them with:"
    say "    sudo apt-get install -y --no-install-recommends $*"
    say "then run this command again."
    exit 1
  fi
}
