#!/bin/sh
# measure.sh: porthole top's CPU use under internal/topload (issue 16).
#
#   sh internal/topload/measure.sh [seconds] [segments] [values] [-- top flags]
#
# Builds porthole and topload (./internal/topload/topload), starts it (20 segments x 100 changing
# values by default) in a fresh directory, runs `porthole top` at its
# default interval in a 120x40 tmux terminal, lets it settle 5 s, then
# reads top's utime+stime from /proc over the given seconds (default 60)
# and prints the share of one core. Needs tmux. No network: --bus=false,
# and the collector default (127.0.0.1:9477) is only dialled.
set -eu
secs=${1:-60}
segs=${2:-20}
vals=${3:-100}
shift $(( $# < 3 ? $# : 3 ))
[ "${1:-}" = "--" ] && shift
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
sock="$tmp/tmux.sock"
cleanup() {
	tmux -S "$sock" kill-server 2>/dev/null || true
	[ -n "${load:-}" ] && kill "$load" 2>/dev/null && wait "$load" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
cd "$root"
go build -o "$tmp/porthole" ./cmd/porthole
go build -o "$tmp/topload" ./internal/topload/topload
"$tmp/topload" --dir "$tmp/seg" --segments "$segs" --values "$vals" >"$tmp/load.out" &
load=$!
while ! grep -q topload "$tmp/load.out" 2>/dev/null; do sleep 0.1; done
tmux -S "$sock" new-session -d -s top -x 120 -y 40 "exec env PORTHOLE_DIR=$tmp/seg $tmp/porthole top --bus=false $*"
pid=$(tmux -S "$sock" display -p -t top '#{pane_pid}')
ticks() { awk '{ i = index($0, ") "); split(substr($0, i + 2), f, " "); print f[12] + f[13] }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
sleep 5
t0=$(ticks "$pid"); s0=$(date +%s.%N)
sleep "$secs"
t1=$(ticks "$pid"); s1=$(date +%s.%N)
tmux -S "$sock" capture-pane -p -t top | head -3 >&2
awk -v t0="$t0" -v t1="$t1" -v s0="$s0" -v s1="$s1" -v hz="$hz" -v segs="$segs" -v vals="$vals" 'BEGIN {
	printf "porthole top, %d segments x %d values, %.0f s: %.2f %% of one core\n", segs, vals, s1 - s0, 100 * (t1 - t0) / hz / (s1 - s0)
}'
