#!/bin/sh
# The guest side of 'make fleet' (scripts/fleet.sh): one node of a fleet.
# It brings up the network card qemu gives it (run-guest.sh -n), runs its
# sample containers, each in a cgroup of its own as a container runtime
# would place them, serves `kabistat export` on the forwarded port until
# the host writes a line to /dev/ttyS2 (run-guest.sh -c), then stops the
# exporter.  The kernel command line names the node and the port:
#   kabistat_fleet.node=old|new kabistat_fleet.port=PORT
# KTAP on stdout.
node='' port=''
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case $arg in
	kabistat_fleet.node=*) node=${arg#*=} ;;
	kabistat_fleet.port=*) port=${arg#*=} ;;
	esac
done

echo "TAP version 13"
echo "1..4"
if [ -z "$node" ] || [ -z "$port" ]; then
	echo "Bail out! no kabistat_fleet.node or kabistat_fleet.port on the command line"
	exit 1
fi
say() {
	echo "kabistat-fleet: $node: $*" >/dev/kmsg
}

# qemu's user network: the guest is 10.0.2.15.  virtio_pci is a module
# on 6.1 and built in on 6.12 (modprobe succeeds for both).
addr=10.0.2.15
if modprobe virtio_pci && modprobe virtio_net && ip link set lo up &&
	ip addr add "$addr/24" dev eth0 && ip link set eth0 up; then
	echo "ok 1 network"
else
	echo "not ok 1 network"
fi

# run CGROUP PROGRAM [ARGS]: PROGRAM inside the cgroup; its exit status.
run() {
	cg=/sys/fs/cgroup/$1
	shift
	mkdir -p "$cg"
	sh -c 'echo $$ >"$1/cgroup.procs"; shift; exec "$@"' sh "$cg" "$@"
}
status=0
case $node in
old)
	run fleet/web wl-mixed 300 || status=1
	run fleet/legacy-i386 wl-compat32 || status=1
	run fleet/modern wl-modern || status=1
	# built for newer kernels: here it only gets ENOSYS
	run fleet/probe-newer wl-newer || status=1
	;;
new)
	run fleet/web wl-mixed 500 || status=1
	run fleet/modern wl-modern || status=1
	# a Docker container whose syscalls this kernel has and 6.1 lacks
	run system.slice/docker-5e1f0c4a9b7d2e36f8a1c0d4b5e6f7a8091a2b3c4d5e6f708192a3b4c5d6e7f8.scope \
		wl-newer || status=1
	;;
*)
	status=1
	;;
esac
if [ "$status" = 0 ]; then
	echo "ok 2 containers of node $node ran"
else
	echo "not ok 2 containers of node $node ran"
fi

kabistat export --listen "$addr:$port" --top 20 2>/tmp/exporter.log &
exporter=$!
served=0
for _ in $(seq 1 60); do
	if wget -q -O /tmp/metrics "http://$addr:$port/metrics" 2>/dev/null; then
		served=1
		break
	fi
	sleep 1
done
if [ "$served" = 1 ]; then
	echo "ok 3 exporter serves $addr:$port"
	say "serving on port $port"
else
	echo "not ok 3 exporter serves $addr:$port"
	sed 's/^/# /' /tmp/exporter.log
fi

# Until the host says stop (any line).
stty -F /dev/ttyS2 raw -echo 2>/dev/null
read -r _ </dev/ttyS2
say "stopping"
kill -TERM "$exporter"
if wait "$exporter"; then
	echo "ok 4 exporter stopped"
else
	echo "not ok 4 exporter stopped"
	sed 's/^/# /' /tmp/exporter.log
fi

# The node's containers are gone with it; the harness wants no cgroup left
# behind.  Deepest first.
for cg in $(find /sys/fs/cgroup/fleet /sys/fs/cgroup/system.slice -mindepth 1 \
	-type d 2>/dev/null | sort -r) /sys/fs/cgroup/fleet /sys/fs/cgroup/system.slice; do
	[ ! -d "$cg" ] || rmdir "$cg"
done
