#!/usr/bin/env bash
# Multi-host test: three hosts run the example daemons, two hosts run
# collectors with an HMAC key, one host sends with the wrong key. Every
# host is a network namespace on a bridge, and all of it lives inside a
# private network namespace made by this script (unshare -n), so no
# datagram can reach the machine's own network.
#
# Needs root (ip netns, unshare). Prints PASS/FAIL lines and a last line
# "N passed, N failed"; exits non-zero on any failure.
set -euo pipefail

if [ "${PH_INNER:-}" != 1 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "multihost: needs root for network namespaces"
		if [ "${PORTHOLE_REQUIRE_NETNS:-}" = 1 ]; then exit 1; fi
		echo "0 passed, 0 failed, 1 skipped"
		exit 0
	fi
	root=$(cd "$(dirname "$0")/.." && pwd)
	work=$(mktemp -d /tmp/porthole-multihost.XXXXXX)
	if [ "${PH_KEEP:-}" != 1 ]; then trap 'rm -rf "$work"' EXIT; else echo "keeping $work"; fi
	echo "== building porthole"
	(cd "$root" && go build -o "$work/porthole" ./cmd/porthole)
	# A new network namespace (nothing but lo) and a private mount
	# namespace (so ip netns' bind mounts stay ours).
	PH_INNER=1 PH_WORK="$work" PH_ROOT_NETNS="$(readlink /proc/self/ns/net)" unshare -n -m --propagation private bash "$0"
	exit $?
fi

work=$PH_WORK
P=$work/porthole
pass=0
fail=0
ok() { echo "PASS: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

mount -t tmpfs tmpfs /run 2>/dev/null || true # private /run/netns
ip link set lo up
ip link add br0 type bridge
ip link set br0 type bridge mcast_snooping 0
ip link set br0 up

pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	sleep 0.5
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	for h in h1 h2 h3 c1 c2 x1; do ip netns del "ph-$h" 2>/dev/null || true; done
}
trap cleanup EXIT

n=10
for h in h1 h2 h3 c1 c2 x1; do
	n=$((n + 1))
	ip netns add "ph-$h"
	ip link add "v-$h" type veth peer name eth0 netns "ph-$h"
	ip link set "v-$h" master br0 up
	ip -n "ph-$h" link set lo up
	ip -n "ph-$h" addr add "10.77.0.$n/24" dev eth0
	ip -n "ph-$h" link set eth0 up
	mkdir -p "$work/$h"
done

head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/key"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/wrongkey"
chmod 600 "$work/key" "$work/wrongkey" # key files others can read are refused

# run HOST ARGS...: run porthole on HOST with its own host name.
run() {
	local h=$1
	shift
	ip netns exec "ph-$h" unshare -u env PORTHOLE_IFACE=eth0 PORTHOLE_KEY_FILE="$work/key" \
		PORTHOLE_DIR="$work/$h/seg" sh -c "hostname $h; exec $P $*" >>"$work/$h/out.log" 2>&1 &
	pids+=($!)
}

run c1 collect --spool "$work/c1/spool" --http '""' --gone-after 8s
run c2 collect --spool "$work/c2/spool" --http '""' --gone-after 8s
sleep 0.5
run h1 example queued
sleep 0.3
run h1 example queued-client --rate 500
run h2 example muxd --streams 2
h2pid=${pids[-1]}
run h3 example replicate --every 2s --fail-rate 0.5
# A process with the wrong key.
ip netns exec ph-x1 env PORTHOLE_IFACE=eth0 PORTHOLE_KEY_FILE="$work/wrongkey" $P log "forged message" || true
sleep 5

for c in c1 c2; do
	board=$($P scoreboard --file "$work/$c/spool/scoreboard.json" 2>&1 || true)
	missing=""
	for want in "h1 queued " "h1 queued-client " "h2 muxd " "h3 replicate "; do
		line=$(echo "$board" | tr -s ' ' | grep -F "$want" || true)
		if [ -z "$line" ] || ! echo "$line" | grep -q " UP "; then missing="$missing [$want]"; fi
	done
	if [ -z "$missing" ]; then ok "$c scoreboard lists every host and program, up"; else bad "$c scoreboard lacks$missing"; echo "$board"; fi
	if echo "$board" | grep -Eq "(bad_mac|unknown_key)=[1-9]"; then ok "$c rejected the wrong key and counted it"; else bad "$c did not count the forged datagram"; echo "$board" | head -2; fi
	if echo "$board" | grep -q " x1 "; then bad "$c lists the forged sender"; fi
done

# Stop h2's daemons: stale, then gone.
kill "$h2pid"
sleep 5
st=$($P scoreboard --file "$work/c1/spool/scoreboard.json" | tr -s ' ' | grep -F "h2 muxd " || true)
if echo "$st" | grep -q " STALE "; then ok "h2 stale 5 s after its daemons stopped"; else bad "h2 not stale: $st"; fi
sleep 5
st=$($P scoreboard --file "$work/c1/spool/scoreboard.json" | tr -s ' ' | grep -F "h2 muxd " || true)
if echo "$st" | grep -q " GONE "; then ok "h2 gone after 10 s"; else bad "h2 not gone: $st"; fi

# Stop the senders, let the collectors drain, stop the collectors.
for p in "${pids[@]:2}"; do kill "$p" 2>/dev/null || true; done
sleep 1.5
kill "${pids[0]}" "${pids[1]}"
wait "${pids[0]}" "${pids[1]}" 2>/dev/null || true
for c in c1 c2; do
	$P query --spool "$work/$c/spool" --all --json | sed 's/,"recv":{[^}]*}//' | sort >"$work/$c.records"
done
n1=$(wc -l <"$work/c1.records")
if [ "$n1" -gt 20 ] && cmp -s "$work/c1.records" "$work/c2.records"; then
	ok "both spools hold the same $n1 records"
else
	bad "spools differ ($n1 vs $(wc -l <"$work/c2.records") records)"
	diff "$work/c1.records" "$work/c2.records" | head -5 || true
fi
if grep -q '"type":"gap"' "$work/c1.records"; then echo "note: gaps recorded: $(grep -c '"type":"gap"' "$work/c1.records")"; fi

# Nothing can leave: this is not the machine's network namespace, and
# this namespace has no interface but lo, the bridge
# and the hosts' veths, and so no route to the machine's network.
others=$(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -v -E '^(lo|br0|v-(h1|h2|h3|c1|c2|x1))$' || true)
here=$(readlink /proc/self/ns/net)
if [ "$here" = "$PH_ROOT_NETNS" ]; then bad "the test runs in the machine's own network namespace ($here)"
elif [ -z "$others" ]; then ok "no interface leads out of the test namespace ($here, the machine's is $PH_ROOT_NETNS)"
else bad "unexpected interfaces: $others"; fi
# The hosts' datagrams crossed the bridge (the path they had to take).
mc=$(ip -s -j link show br0 2>/dev/null | grep -o '"multicast":[0-9]*' | head -1 | cut -d: -f2 || true)
if [ "${mc:-0}" -gt 0 ]; then ok "multicast crossed the test bridge ($mc packets)"; else echo "note: bridge multicast counter unavailable"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
