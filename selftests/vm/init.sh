#!/bin/sh
# /init of the test guest (busybox sh).  It loads kabistat.ko, runs every
# executable in /opt/kabistat/tests and writes their KTAP to the second serial
# port, which the host reads as results.ktap.  The console (first port) only
# carries the kernel log and short progress notes, so nothing a test prints
# can fake or hide a kernel report, and console noise cannot fake a result.
#
# No "set -e": if PID 1 exits the kernel panics and we lose the orderly
# shutdown and the end sentinel; every failure is reported instead.
set -u

export PATH=/opt/kabistat/bin:/bin:/sbin:/usr/bin:/usr/sbin
export LD_LIBRARY_PATH=/opt/kabistat/lib
export HOME=/tmp

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mkdir -p /sys/fs/cgroup /sys/kernel/debug
mount -t cgroup2 cgroup2 /sys/fs/cgroup
# Delegate every controller so tests can create child cgroups that use them;
# one write per controller so one refusal does not block the others.
read -r controllers </sys/fs/cgroup/cgroup.controllers
for controller in $controllers; do
	echo "+$controller" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
done
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true

nonce=
shell=0
test_timeout=300
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case $arg in
	kabistat_guest.nonce=*) nonce=${arg#*=} ;;
	kabistat_guest.shell=1) shell=1 ;;
	# make fleet's node serves until the host stops it
	kabistat_guest.test_timeout=*) test_timeout=${arg#*=} ;;
	esac
done
# Written through the kernel log so the host knows the console capture works.
echo "kabistat-boot-sentinel $nonce" >/dev/kmsg

# Raw mode: results reach the host byte for byte, without \r insertion.  A
# single descriptor kept open to the end means the final close waits for the
# UART to drain before we power off.
stty -F /dev/ttyS1 raw -echo 2>/dev/null || true
exec 3>/dev/ttyS1

insmod_status="ok 1 insmod"
if ! insmod /lib/kabistat/kabistat.ko; then
	insmod_status="not ok 1 insmod"
fi

finish() {
	if [ "$insmod_status" = "ok 1 insmod" ]; then
		if rmmod kabistat; then
			rmmod_status="ok 2 rmmod"
		else
			rmmod_status="not ok 2 rmmod"
		fi
	else
		rmmod_status="ok 2 rmmod # SKIP module not loaded"
	fi
	{
		echo "# kabistat-test: guest"
		echo "TAP version 13"
		echo "1..2"
		echo "$insmod_status"
		echo "$rmmod_status"
		echo "# kabistat-exit: guest 0"
	} >&3

	# Two scans: kmemleak only reports objects that stay unreferenced
	# across a scan, so a single scan can miss fresh leaks.  Shrinking
	# every slab cache first returns the per-CPU object arrays (SLUB
	# sheaves, 7.x): their stale slots still hold the addresses of objects
	# handed out since, which would make a leaked object look referenced.
	if [ -e /sys/kernel/debug/kmemleak ]; then
		for shrink in /sys/kernel/slab/*/shrink; do
			[ -w "$shrink" ] && echo 1 >"$shrink" 2>/dev/null
		done
		echo scan >/sys/kernel/debug/kmemleak
		echo scan >/sys/kernel/debug/kmemleak
		cat /sys/kernel/debug/kmemleak
	fi
	read -r uptime _ </proc/uptime
	echo "kabistat: powering off (at ${uptime} s)"
	echo "kabistat-end-sentinel $nonce" >/dev/kmsg
	echo "# kabistat-guest-done" >&3
	exec 3>&-
	sync
	reboot -f
	# Not reached; -no-reboot on the host turns the reboot into an exit.
	echo b >/proc/sysrq-trigger
}

if [ "$shell" = 1 ]; then
	echo "kabistat: $insmod_status; interactive shell, exit to power off"
	setsid cttyhack sh
	finish
fi

if [ "$insmod_status" = "ok 1 insmod" ]; then
	cd /tmp || exit 1
	for test in /opt/kabistat/tests/*; do
		if [ -d "$test" ] || [ ! -x "$test" ]; then
			continue
		fi
		name=${test##*/}
		read -r uptime _ </proc/uptime
		echo "kabistat: running $name (at ${uptime} s)"
		echo "# kabistat-test: $name" >&3
		timeout "$test_timeout" "$test" </dev/null >&3 2>&1
		echo "# kabistat-exit: $name $?" >&3
	done
fi
finish
