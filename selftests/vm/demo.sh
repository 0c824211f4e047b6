#!/bin/sh
# The guest side of 'make demo': sample workloads, each in a cgroup of its
# own as a container runtime would place them, then the CLI on them.
root=/sys/fs/cgroup/demo
mkdir -p "$root"

# run CGROUP PROGRAM [ARGS]: start PROGRAM inside $root/CGROUP and wait.
run() {
	cg=$root/$1
	shift
	mkdir -p "$cg"
	sh -c 'echo $$ >"$1/cgroup.procs"; shift; exec "$@"' sh "$cg" "$@"
}

say() {
	printf '\n$ %s\n' "$*"
	"$@" 2>&1
}

echo "kabistat demo: the module is loaded; running five sample workloads, each in a cgroup of its own..."
run web wl-mixed 300
run legacy-i386 wl-compat32
run modern wl-modern
run built-for-newer-kernel wl-enosys
# a short-lived container: gone, but its counts are kept
run batch-job wl-mixed 50
rmdir "$root/batch-job"

echo "kabistat demo: five workloads ran in /demo/*, one of them already removed"
say kabistat abi
say kabistat list
say kabistat show /demo/web
say kabistat show --sort name /demo/legacy-i386
say kabistat show /demo/modern
say kabistat show /demo/built-for-newer-kernel
say kabistat show --recursive /demo
say kabistat -j show /demo/built-for-newer-kernel
# Could these workloads move to an older kernel?  What may fail there:
say kabistat check --kernel 4.19 /demo/modern /demo/web
# A seccomp profile from what the web workload really did:
say kabistat seccomp /demo/web
# What a Prometheus scrape sees, per cgroup:
say kabistat export --no-syscall-labels
say kabistat top --batch -n 1 -d 1

# The VM runner fails a test that leaves cgroups behind.
for cg in "$root"/*/; do
	rmdir "$cg"
done
rmdir "$root"

echo "TAP version 13"
echo "1..1"
echo "ok 1 demo"
