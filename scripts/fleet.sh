#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make fleet: a fleet of two nodes, Debian's 6.1 and 6.12 kernels, each a
# qemu guest with the module, its own sample containers and `kabistat
# export --listen` on a port that qemu forwards from the host's loopback
# (run-guest.sh -P; the guests' network is isolated otherwise), and a real
# Prometheus server (Debian's) on 127.0.0.1 that scrapes both and loads
# the shipped rules.  Once every node has data, it prints the fleet's
# answers from Prometheus's HTTP API (scripts/fleet-query.py), then stops
# what it started, by PID.  Exit status 0 when the answers are the ones
# these nodes must give and both guests passed.
#
# FLEET_PORT_BASE (default 19700): the nodes get BASE+1 and BASE+2,
# Prometheus BASE+90, all on 127.0.0.1.
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=$(realpath -m "${BUILD:-$PWD/build}")
MAKE=${MAKE:-make}
export BUILD
unset MAKEFLAGS MAKELEVEL MFLAGS
base=${FLEET_PORT_BASE:-19700}
out=$BUILD/fleet
start=$SECONDS

# name series port: the oldest node first
nodes=("old 6.1 $((base + 1))" "new 6.12 $((base + 2))")
prom_port=$((base + 90))
url=http://127.0.0.1:$prom_port

in_use() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
for p in $((base + 1)) $((base + 2)) "$prom_port"; do
	if in_use "$p"; then
		echo "fleet: 127.0.0.1:$p is in use; set FLEET_PORT_BASE" >&2
		exit 2
	fi
done
command -v prometheus >/dev/null || {
	echo "fleet: prometheus is not installed (make deps)" >&2
	exit 2
}

rm -rf "$out"
mkdir -p "$out"

# Each node's root: kabistat as make install lays it out
# (stage-root.sh), plus the virtio network drivers of its kernel and
# their dependencies, indexed by depmod inside that tree only.
net_modules() {
	local kver=$1 root=$2 m f
	for m in virtio_pci virtio_net; do
		awk -v m="$m" -F': *' '{
			n = $1; sub(/.*\//, "", n); sub(/\.ko(\.[a-z]+)?$/, "", n)
			if (n == m) { print $1; k = split($2, d, " "); for (i = 1; i <= k; i++) print d[i] }
		}' "/lib/modules/$kver/modules.dep"
	done | sort -u | while read -r f; do
		install -D -m 0644 "/lib/modules/$kver/$f" "$root/lib/modules/$kver/$f"
	done
	depmod -b "$root" "$kver"
}

echo "== fleet: building the module for each node, the payload and the roots"
declare -A kver=() vmlinuz=() port=()
for n in "${nodes[@]}"; do
	read -r name series p <<<"$n"
	read -r _ k v d < <(scripts/kernels.sh "$series")
	kver[$name]=$k vmlinuz[$name]=$v port[$name]=$p
	$MAKE -s module fleet-payload KVER="$k" KDIR="$d"
	selftests/vm/stage-root.sh "$k" "$d" "$out/$name/root"
	net_modules "$k" "$out/$name/root"
done
echo "fleet: built in $((SECONDS - start)) s"

pids=() prom_pid='' stopped=0
stop_all() {
	local name pid i
	((!stopped)) || return 0
	stopped=1
	# qemu holds the FIFO open while it runs; timeout guards the write
	# against one that has just exited.
	for name in "${!port[@]}"; do
		[[ -p $out/$name/control.in ]] &&
			timeout 5 sh -c 'echo stop >"$1"' sh "$out/$name/control.in" || true
	done
	for pid in "${pids[@]}"; do
		for ((i = 0; i < 120; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 1
		done
	done
	# a guest that did not power off: its qemu, by the pid it wrote
	for name in "${!port[@]}"; do
		if [[ -f $out/$name/qemu.pid ]] && kill -0 "$(cat "$out/$name/qemu.pid")" 2>/dev/null; then
			echo "fleet: node $name did not stop; killing its qemu" >&2
			kill "$(cat "$out/$name/qemu.pid")" 2>/dev/null || true
		fi
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	pids=()
	if [[ -n $prom_pid ]]; then
		kill "$prom_pid" 2>/dev/null || true
		wait "$prom_pid" 2>/dev/null || true
		prom_pid=''
	fi
}
trap 'stop_all' EXIT
trap 'exit 130' INT TERM

boot=$SECONDS
for n in "${nodes[@]}"; do
	read -r name _ _ <<<"$n"
	k=${kver[$name]}
	selftests/vm/run-guest.sh -k "${vmlinuz[$name]}" -m "$BUILD/kmod/$k/kmod/kabistat.ko" \
		-p "$BUILD/payload-fleet" -r "$out/$name/root" -o "$out/$name" -t 1800 \
		-P "${port[$name]}" -c \
		-a "kabistat_fleet.node=$name kabistat_fleet.port=${port[$name]} kabistat_guest.test_timeout=1700" \
		>"$out/$name.run.log" 2>&1 &
	pids+=($!)
	echo "fleet: node $name: Linux $k, exporter at 127.0.0.1:${port[$name]} (pid $!)"
done

# Prometheus: loopback only, its storage under build/, the shipped rules.
cat >"$out/prometheus.yml" <<-EOF
	# Written by scripts/fleet.sh for make fleet.
	global:
	  scrape_interval: 2s
	  scrape_timeout: 2s
	  evaluation_interval: 2s
	rule_files:
	  - $PWD/packaging/prometheus/kabistat.rules.yml
	scrape_configs:
	  - job_name: kabistat
	    static_configs:
	      - targets: ['127.0.0.1:${port[old]}']
	        labels: {node: old, pool: fleet}
	      - targets: ['127.0.0.1:${port[new]}']
	        labels: {node: new, pool: fleet}
EOF
promtool check config "$out/prometheus.yml" >"$out/promtool.log" 2>&1 || {
	cat "$out/promtool.log" >&2
	exit 1
}
prometheus --config.file="$out/prometheus.yml" \
	--storage.tsdb.path="$out/prometheus-data" \
	--web.listen-address="127.0.0.1:$prom_port" --log.level=warn \
	>"$out/prometheus.log" 2>&1 &
prom_pid=$!
echo "fleet: prometheus at $url (pid $prom_pid)"

echo "fleet: waiting for both nodes to boot, run their containers and be scraped..."
ready=0
for ((i = 0; i < 300; i++)); do	# 10 minutes at most
	if scripts/fleet-query.py ready "$url" "${#nodes[@]}"; then
		ready=1
		break
	fi
	for pid in "${pids[@]}" "$prom_pid"; do
		kill -0 "$pid" 2>/dev/null || break 2
	done
	sleep 2
done
if ((!ready)); then
	echo "fleet: the fleet did not get ready; logs in $out" >&2
	exit 1
fi
echo "fleet: ready $((SECONDS - boot)) s after the boots"

# What it started listens on the loopback address only.
listening() {
	local what=$1 pid=$2 addr bad=0
	while read -r addr; do
		echo "fleet: $what (pid $pid) listens on $addr"
		[[ $addr == 127.0.0.1:* ]] || bad=1
	done < <(ss -Hltnp | awk -v p="pid=$pid," 'index($0, p) { print $4 }')
	return $bad
}
status=0
for n in "${nodes[@]}"; do
	read -r name _ _ <<<"$n"
	listening "qemu of node $name" "$(cat "$out/$name/qemu.pid")" || status=1
done
listening prometheus "$prom_pid" || status=1
((status == 0)) || echo "fleet: something listens beyond 127.0.0.1" >&2
echo

scripts/fleet-query.py answers "$url" || status=1

echo
stop_all
for n in "${nodes[@]}"; do
	read -r name _ _ <<<"$n"
	touch "$out/$name/summary"
	echo "== node $name: $(grep -c '^pass' "$out/$name/summary") passed," \
		"$(grep -c '^fail' "$out/$name/summary") failed; console log: $out/$name/console.log"
	grep '^fail' "$out/$name/summary" && status=1
	[[ -s $out/$name/summary ]] || status=1
done
echo "fleet: $((SECONDS - start)) s in all; everything it started is stopped"
exit "$status"
