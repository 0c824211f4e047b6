#!/bin/sh
# /init of the test guest (busybox sh).  It loads kabistat.ko, runs every
# executable in /opt/kabistat/tests and writes their KTAP to the second serial
# port, which the host reads as results.ktap.  The console (first port) only
# carries the kernel log and short progress notes, so nothing a test prints
# can fake or hide a kernel report, and console noise cannot fake a result.
#
# Each test binary runs in a cgroup of its own and within a time budget;
# after it, the harness checks what it may have left behind and writes
# "# kabistat-check: NAME WHAT DETAIL" lines, each a failure of that binary
# (run-guest.sh): timeout, stray-processes, leftover-cgroups, kernel-taint,
# debug-locks, kernel-log, module-state.
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
timeout_scale=1
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case $arg in
	kabistat_guest.nonce=*) nonce=${arg#*=} ;;
	kabistat_guest.shell=1) shell=1 ;;
	# How many times slower than the 6.x kernels this one is (debug).
	kabistat_guest.timeout_scale=*) timeout_scale=${arg#*=} ;;
	# The fuzzers' seed for this run (selftests/fuzzutil.h).
	kabistat_guest.fuzz_seed=*) export KABISTAT_FUZZ_SEED="${arg#*=}" ;;
	# A fixed budget per binary: make fleet's node serves until the host
	# stops it (selftests/vm/watchdog.sh).
	kabistat_guest.test_timeout=*) export KABISTAT_TEST_BUDGET="${arg#*=}" ;;
	esac
done
export KABISTAT_TIMEOUT_SCALE="$timeout_scale"
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

# ---- the checks around each test binary ----

CG=/sys/fs/cgroup

# check NAME WHAT DETAIL...: a failure of binary NAME.
check() {
	check_name=$1
	shift
	echo "# kabistat-check: $check_name $*" >&3
	echo "kabistat: $check_name: $*"
}

# The top-level cgroups, as " a b c ", in $tops.
top_cgroups() {
	tops=' '
	for dir in "$CG"/*/; do
		[ -d "$dir" ] || continue
		dir=${dir%/}
		tops="$tops${dir##*/} "
	done
}

populated() {
	while read -r key value; do
		[ "$key" = populated ] && [ "$value" = 1 ] && return 0
	done <"$1/cgroup.events"
	return 1
}

# Wait up to a second for cgroup DIR to empty.
drain() {
	tries=0
	while populated "$1" && [ $tries -lt 20 ]; do
		sleep 0.05
		tries=$((tries + 1))
	done
}

# The commands of the processes in DIR and below, as "comm[pid] ...".
commands_in() {
	find "$1" -name cgroup.procs -exec cat {} + 2>/dev/null | while read -r pid; do
		read -r comm <"/proc/$pid/comm" && printf ' %s[%s]' "$comm" "$pid"
	done
}

# Kill whatever runs in cgroup DIR (and below), then remove them all.
kill_and_remove() {
	if populated "$1"; then
		echo 1 >"$1/cgroup.kill"
		drain "$1"
	fi
	rmdir "$1" 2>/dev/null || find "$1" -depth -type d -exec rmdir {} + 2>/dev/null
}

# The kernel's side, in one awk: the kernel log since the last look (by
# printk timestamp, $klog_ts), its first line that
# selftests/vm/kernel-report-patterns calls a report ($report), the taint
# ($taint_now), lockdep's debug_locks ($debug_locks_now, empty without
# lockdep) and kernel.modprobe ($modprobe_now).  awk rather than the
# shell's read for the sysctl files, which read nothing past offset 0.
probe_kernel() {
	dmesg | awk -v last="$klog_ts" -v patterns=/lib/kabistat/kernel-report-patterns '
		BEGIN {
			while ((getline line < patterns) > 0)
				if (line !~ /^[ \t]*(#|$)/)
					pat[++npat] = line
			max = last
		}
		match($0, /^\[ *[0-9]+\.[0-9]+\]/) {
			ts = substr($0, 2, RLENGTH - 2) + 0
			if (ts > max)
				max = ts
		}
		ts > last && report == "" {
			for (i = 1; i <= npat; i++)
				if ($0 ~ pat[i]) {
					report = $0
					break
				}
		}
		END {
			getline taint < "/proc/sys/kernel/tainted"
			getline modprobe < "/proc/sys/kernel/modprobe"
			while ((getline line < "/proc/lockdep_stats") > 0)
				if (split(line, f, " ") == 2 && f[1] == "debug_locks:")
					locks = f[2]
			printf "%.6f\n", max
			print taint; print locks; print modprobe; print report
		}' >/tmp/probe
	{
		read -r klog_ts
		read -r taint_now
		read -r debug_locks_now
		read -r modprobe_now
		read -r report
	} </tmp/probe
}

# What a test binary must leave as it found it, in $state: the module
# loaded from /lib/kabistat/kabistat.ko with its defaults (version, every
# parameter, counting and released_ttl as GET_ABI reports them), and the
# kernel knobs tests change for a while ($modprobe_now: probe_kernel).
guest_state() {
	state=
	if [ -d /sys/module/kabistat ]; then
		read -r value </sys/module/kabistat/version
		state="version=$value"
		for param in /sys/module/kabistat/parameters/*; do
			read -r value <"$param"
			state="$state ${param##*/}=$value"
		done
		abi=$(kabistat -j abi 2>&1)
		for key in counting released_ttl; do
			value=${abi#*\"$key\":}
			[ "$value" = "$abi" ] && value=unknown
			state="$state abi.$key=${value%%[,\}]*}"
		done
	else
		state="module=unloaded"
	fi
	state="$state kernel.modprobe=$modprobe_now"
	if [ -e /sys/devices/system/cpu/cpu1/online ]; then
		read -r value </sys/devices/system/cpu/cpu1/online
		state="$state cpu1.online=$value"
	fi
	# Allocation failures injected into later binaries (with a
	# probability of 0 the other knobs do nothing).
	if [ -r /sys/kernel/debug/kabistat/fail_alloc/probability ]; then
		read -r value </sys/kernel/debug/kabistat/fail_alloc/probability
		state="$state fail_alloc.probability=$value"
	fi
}

# Back to the state the guest started the tests with.
restore_state() {
	tries=0
	while [ -d /sys/module/kabistat ] && ! rmmod kabistat 2>/dev/null &&
	      [ $tries -lt 50 ]; do
		sleep 0.1
		tries=$((tries + 1))
	done
	insmod /lib/kabistat/kabistat.ko
	echo "$modprobe0" >/proc/sys/kernel/modprobe
	[ ! -w /sys/devices/system/cpu/cpu1/online ] ||
		echo 1 >/sys/devices/system/cpu/cpu1/online
}

run_test() {
	test=$1 name=${1##*/}
	cg=$CG/selftest-$name
	top_cgroups
	before=$tops
	mkdir "$cg" || check "$name" harness "cannot create $cg"
	read -r start _ </proc/uptime
	echo "kabistat: running $name (at $start s)"
	echo "# kabistat-test: $name" >&3
	# The watchdog first, then the binary, in the binary's cgroup.
	rm -f /tmp/timed-out /tmp/budget
	sum=
	while read -r binary value; do
		[ "$binary" = "$name" ] && sum=$value
	done </tmp/sums
	setsid /lib/kabistat/watchdog "$cg" "$test" "$sum" \
		</dev/null >/dev/null 2>&1 &
	watchdog=$!
	pids=
	while [ -z "$pids" ] && [ -d "/proc/$watchdog" ]; do
		read -r pids <"$cg/cgroup.procs"
	done
	[ -n "$pids" ] || check "$name" harness "no watchdog: the binary runs unbounded"
	(echo 0 >"$cg/cgroup.procs" && exec "$test") </dev/null >&3 2>&1 &
	wait $! 2>/dev/null
	status=$?
	# setsid made it a process group leader: the group is it and its sleep.
	kill -KILL "-$watchdog" 2>/dev/null
	wait "$watchdog" 2>/dev/null
	read -r end _ </proc/uptime
	echo "# kabistat-exit: $name $status" >&3

	if [ -e /tmp/timed-out ]; then
		read -r budget </tmp/budget
		check "$name" timeout "killed after $((${end%.*} - ${start%.*})) s" \
			"(budget $budget s):$(cat /tmp/timed-out)"
	elif populated "$cg"; then
		# Test processes the harness killed may be on their way out.
		drain "$cg"
		left=$(commands_in "$cg")
		[ -z "$left" ] ||
			check "$name" stray-processes "still running after the binary exited:$left"
	fi
	kill_and_remove "$cg"
	[ ! -d "$cg" ] || check "$name" harness "cannot remove $cg"
	top_cgroups
	leftover=
	for dir in $tops; do
		case $before in
		*" $dir "*) continue ;;
		esac
		left=$(commands_in "$CG/$dir")
		leftover="$leftover $dir${left:+ (running:$left)}"
		kill_and_remove "$CG/$dir"
	done
	[ -z "$leftover" ] || check "$name" leftover-cgroups "not removed:$leftover"

	probe_kernel
	if [ "$taint_now" != "$taint" ]; then
		check "$name" kernel-taint "tainted $taint -> $taint_now"
		taint=$taint_now
	fi
	if [ "$debug_locks_now" != "$debug_locks" ]; then
		check "$name" debug-locks "debug_locks $debug_locks -> $debug_locks_now (lockdep turned off)"
		debug_locks=$debug_locks_now
	fi
	[ -z "$report" ] || check "$name" kernel-log "$report"

	guest_state
	if [ "$state" != "$state0" ]; then
		changed=
		for field in $state; do
			case " $state0 " in
			*" $field "*) ;;
			*) changed="$changed $field" ;;
			esac
		done
		restore_state
		probe_kernel
		guest_state
		[ "$state" = "$state0" ] || changed="$changed; could not restore: $state"
		check "$name" module-state "left${changed:- (fields gone)}; expected $state0"
	fi
}

if [ "$insmod_status" = "ok 1 insmod" ]; then
	cd /tmp || exit 1
	# Each binary's sum of its tests' timeouts, from the build's list.
	touch /tmp/sums
	[ ! -r /opt/kabistat/tests.list ] ||
		awk '$2 ~ /^[0-9]+$/ { sub(/\/.*/, "", $1); s[$1] += $2 }
		     END { for (b in s) print b, s[b] }' /opt/kabistat/tests.list >/tmp/sums
	klog_ts=0
	probe_kernel
	taint=$taint_now
	debug_locks=$debug_locks_now
	modprobe0=$modprobe_now
	guest_state
	state0=$state
	echo "kabistat: state before the tests: $state0"
	# realhost first: its v1 cgroup ids must catch up with cgroup2's,
	# one mkdir and rmdir per few ids, which takes as long as the other
	# tests made cgroups before it (141 s on the debug kernel last).
	first=/opt/kabistat/tests/realhost
	[ ! -x "$first" ] || run_test "$first"
	for test in /opt/kabistat/tests/*; do
		if [ -d "$test" ] || [ ! -x "$test" ] || [ "$test" = "$first" ]; then
			continue
		fi
		run_test "$test"
	done
fi
finish
