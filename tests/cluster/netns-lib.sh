# Hosts for the tests: network namespaces node01…nodeNN on a private bridge, each its own
# address (10.77.0.11, .12, …) and, when a command runs through netns_run, its own host name.
# The root namespace is 10.77.0.1 on the bridge. netns_down removes everything netns_up made.
# Needs root and iproute2.
set -euo pipefail

NETNS_BRIDGE=plotrand-br
NETNS_SUBNET=10.77.0
NETNS_NODES=()

netns_fail() { echo "netns-lib: $*" >&2; exit 1; }

# netns_up N: nodes node01..node0N
netns_up() {
  [ "$(id -u)" -eq 0 ] || netns_fail "network namespaces need root (run the tests as root, as CI does)"
  command -v ip >/dev/null || netns_fail "ip not found: apt-get install iproute2"
  local n=$1 k name
  ip link add "$NETNS_BRIDGE" type bridge || netns_fail "cannot create bridge $NETNS_BRIDGE (left over? ip link del $NETNS_BRIDGE)"
  ip addr add "$NETNS_SUBNET.1/24" dev "$NETNS_BRIDGE"
  ip link set "$NETNS_BRIDGE" up
  for k in $(seq "$n"); do
    name=$(printf 'node%02d' "$k")
    ip netns add "plotrand-$name" || netns_fail "cannot create namespace plotrand-$name"
    NETNS_NODES+=("$name")
    ip link add "pr-$name" type veth peer name eth0 netns "plotrand-$name"
    ip link set "pr-$name" master "$NETNS_BRIDGE" up
    ip -n "plotrand-$name" addr add "$NETNS_SUBNET.$((10 + k))/24" dev eth0
    ip -n "plotrand-$name" link set eth0 up
    ip -n "plotrand-$name" link set lo up
  done
  for name in "${NETNS_NODES[@]}"; do
    ip -n "plotrand-$name" -br addr show eth0 | grep -q "$(netns_addr "$name")/24" \
      || netns_fail "$name has no address $(netns_addr "$name")"
  done
}

netns_addr() { echo "$NETNS_SUBNET.$((10#${1#node} + 10))"; }

# /etc/hosts lines for the nodes, for a private bind mount (the machine's file is untouched).
netns_hosts() {
  cat /etc/hosts
  local name
  for name in "${NETNS_NODES[@]}"; do echo "$(netns_addr "$name") $name"; done
}

netns_down() {
  local name
  for name in "${NETNS_NODES[@]}"; do
    ip netns pids "plotrand-$name" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "plotrand-$name" 2>/dev/null || true
  done
  ip link del "$NETNS_BRIDGE" 2>/dev/null || true
  NETNS_NODES=()
}
