#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of 'make bench'.  The payload holds this script several
# times in tests/, and the name picks the phase, so that each phase gets
# a time budget of its own from init.sh's watchdog (which asks "NAME -l"):
#   a-setup   mount tracefs, report the setup
#   rN        repetition N: every row, rotated by N-1, each running every
#             workload in a cgroup of its own, then its correctness check
#   s-scale   kabistat at 1k and 10k cgroups (when ksb.scale is set)
# Each phase leaves the guest as init.sh checks it: kabistat loaded (it is
# unloaded while the phase runs), the cgroups it made removed.
# Results are "ksb ..." lines on stdout, which bench/run.sh parses.
set -u
# The watchdog's question: this phase's budget, in seconds.
if [ "${1:-}" = -l ]; then
	echo "${0##*/} 1800"
	exit 0
fi
B=/opt/kabistat
M=$B/mod
CG=/sys/fs/cgroup/ksb
phase=${0##*/}

mode=det reps=3 iters=20000 trials=5 scale=
for arg in $(cat /proc/cmdline); do
	case $arg in
	ksb.mode=*) mode=${arg#*=} ;;
	ksb.reps=*) reps=${arg#*=} ;;
	ksb.iters=*) iters=${arg#*=} ;;
	ksb.trials=*) trials=${arg#*=} ;;
	ksb.scale=*) scale=${arg#*=} ;;
	esac
done

ROWS="baseline floor1 floor kabistat bpftrace libbpf sysdig"
WORKLOADS="getppid close mixed"

tap_ok() {
	echo "TAP version 13"
	echo "1..1"
	echo "ok 1 $phase"
}

note() {
	echo "kabistat-bench: $*" >/dev/kmsg
}

# Iterations per trial: the mixed loop makes three syscalls an iteration.
iters_of() {
	if [ "$1" = mixed ]; then echo $((iters / 4)); else echo "$iters"; fi
}

# The x86_64 numbers each workload must count, and whether as errors too.
check_nrs() {
	case $1 in
	getppid) echo 110 ;;
	close) echo 3 ;;
	mixed) echo "257 0 3" ;;
	esac
}

# check ROW WL TOTAL FILE: FILE has "NR calls errors" lines for the
# workload's cgroup; print ok or what is wrong.
check_counts() {
	row=$1 wl=$2 total=$3 file=$4 bad=
	for nr in $(check_nrs "$wl"); do
		# shellcheck disable=SC2046 # the words are wanted
		set -- $(awk -v nr="$nr" '$1 == nr { c += $2; e += $3 }
			END { print c + 0, e + 0 }' "$file")
		[ "$1" = "$total" ] || bad="$bad nr$nr.calls=$1"
		if [ "$wl" = close ] && [ "$2" != "$total" ]; then
			bad="$bad nr$nr.errors=$2"
		fi
	done
	if [ -z "$bad" ]; then echo ok; else echo "FAIL(want=$total${bad})" | tr ' ' ','; fi
}

tracer_pid=
tracer_start() {
	row=$1 rep=$2
	tracer_pid=
	out=/tmp/ksb-$row-$rep.out
	case $row in
	baseline) ;;
	floor) insmod $M/ksb_floor.ko || return 1 ;;
	floor1) insmod $M/ksb_floor.ko enter=0 || return 1 ;;
	kabistat)
		insmod /lib/kabistat/kabistat.ko || return 1
		ksb-kabistat agent >/dev/null 2>/tmp/ksb-agent.err &
		tracer_pid=$!
		;;
	bpftrace)
		[ -x $B/bin/bpftrace ] || { echo "bpftrace not in the payload" >/tmp/ksb-na-$row; return 1; }
		# BEGIN fires once every probe is attached.
		BPFTRACE_MAX_MAP_KEYS=65536 bpftrace -e '
BEGIN { printf("ready\n"); }
tracepoint:raw_syscalls:sys_enter { @[cgroup, args->id] = count(); }
tracepoint:raw_syscalls:sys_exit /args->ret < 0/ { @err[cgroup, args->id] = count(); }' \
			>"$out" 2>&1 &
		tracer_pid=$!
		wait_for "grep -q '^ready' $out 2>/dev/null" 600 || {
			head -c 300 "$out" | tr '\n' ' ' >/tmp/ksb-na-$row
			return 1
		}
		;;
	libbpf)
		ksb-bpf $M/ksb.bpf.o >"$out" 2>&1 &
		tracer_pid=$!
		wait_for "grep -q '^ready' $out 2>/dev/null" 120 || {
			head -c 300 "$out" | tr '\n' ' ' >/tmp/ksb-na-$row
			return 1
		}
		;;
	sysdig)
		if [ ! -f $M/scap.ko ]; then
			cat $M/scap.na >/tmp/ksb-na-$row 2>/dev/null ||
				echo "no scap.ko" >/tmp/ksb-na-$row
			return 1
		fi
		if ! command -v sysdig >/dev/null; then
			echo "no sysdig binary" >/tmp/ksb-na-$row
			return 1
		fi
		insmod $M/scap.ko 2>/tmp/ksb-na-$row || return 1
		sysdig -v -w /dev/null >"$out" 2>&1 &
		tracer_pid=$!
		wait_for "ls -l /proc/$tracer_pid/fd 2>/dev/null | grep -q scap" 600 || {
			{ echo "sysdig did not open the driver:"; head -c 300 "$out"; } |
				tr '\n' ' ' >/tmp/ksb-na-$row
			kill $tracer_pid 2>/dev/null
			wait $tracer_pid 2>/dev/null
			rmmod scap
			return 1
		}
		sleep 1
		;;
	esac
	return 0
}

tracer_stop() {
	row=$1
	if [ -n "$tracer_pid" ]; then
		# Background jobs of a script ignore SIGINT unless they catch it,
		# as bpftrace, ksb-bpf and sysdig do (and then print what they have).
		if [ "$row" = kabistat ]; then sig=TERM; else sig=INT; fi
		kill -$sig "$tracer_pid" 2>/dev/null
		wait "$tracer_pid" 2>/dev/null
	fi
	case $row in
	floor | floor1) rmmod ksb_floor ;;
	kabistat) rmmod kabistat ;;
	sysdig) rmmod scap ;;
	esac
}

# wait_for COMMAND SECONDS
wait_for() {
	n=0
	while ! eval "$1"; do
		n=$((n + 1))
		[ "$n" -gt $(($2 * 5)) ] && return 1
		[ -n "$tracer_pid" ] && ! kill -0 "$tracer_pid" 2>/dev/null && return 1
		usleep 200000
	done
	return 0
}

# counts ROW REP WL TOTAL: the correctness verdict of one workload's cgroup
counts() {
	row=$1 rep=$2 wl=$3 total=$4 dir=$CG/$1-r$2-$3 f=/tmp/ksb-check
	id=$(stat -c %i "$dir")
	case $row in
	kabistat)
		# shellcheck disable=SC2046 # the words are wanted
		ksb-kabistat get "$dir" $(check_nrs "$wl") >$f 2>&1 || { echo "FAIL(get)"; return; } ;;
	bpftrace)
		# @[cgid, nr]: calls  /  @err[cgid, nr]: errors
		sed -n "s/^@\[$id, \([0-9]*\)\]: \([0-9]*\)\$/\1 \2 0/p; s/^@err\[$id, \([0-9]*\)\]: \([0-9]*\)\$/\1 0 \2/p" \
			/tmp/ksb-$row-$rep.out >$f ;;
	libbpf)
		awk -v id="$id" '$1 == id { print $2, $3, $4 }' /tmp/ksb-$row-$rep.out >$f ;;
	*) echo "-"; return ;;
	esac
	check_counts "$row" "$wl" "$total" $f
}

run_row() {
	row=$1 rep=$2
	rm -f /tmp/ksb-na-$row
	note "rep $rep: $row"
	if ! tracer_start "$row" "$rep"; then
		reason=$(cat /tmp/ksb-na-$row 2>/dev/null)
		echo "ksb na row=$row rep=$rep reason=${reason:-could not attach}" | tr -s '\t' ' '
		[ -n "$tracer_pid" ] && { kill "$tracer_pid" 2>/dev/null; wait "$tracer_pid" 2>/dev/null; }
		return
	fi
	results=
	for wl in $WORKLOADS; do
		dir=$CG/$row-r$rep-$wl
		mkdir -p "$dir"
		# shellcheck disable=SC2046 # the words are wanted
		set -- $(ksb-loop "$dir" "$wl" "$(iters_of "$wl")" "$trials")
		# kabistat is read while loaded; the others print when stopped.
		check=later
		[ "$row" = kabistat ] && check=$(counts "$row" "$rep" "$wl" "$3")
		results="$results $wl:$1:$2:$3:$check"
	done
	tracer_stop "$row"
	for r in $results; do
		IFS=: read -r wl min med total check <<-EOT
		$r
		EOT
		[ "$check" = later ] && check=$(counts "$row" "$rep" "$wl" "$total")
		echo "ksb run mode=$mode row=$row rep=$rep wl=$wl min=$min med=$med total=$total check=$check"
	done
	if [ "$row" = sysdig ]; then
		ev=$(sed -n 's/^Driver Events:\([0-9]*\).*/\1/p' /tmp/ksb-$row-$rep.out)
		dr=$(sed -n 's/^Driver Drops:\([0-9]*\).*/\1/p' /tmp/ksb-$row-$rep.out)
		echo "ksb drops mode=$mode row=sysdig rep=$rep events=${ev:-?} drops=${dr:-?}"
	fi
}

# Remove cgroup DIR and the cgroups under it, deepest first.
remove_cgroups() {
	[ -d "$1" ] && find "$1" -depth -type d -exec rmdir {} + 2>/dev/null
}

# Back to how init.sh started the phase.
phase_end() {
	remove_cgroups $CG
	remove_cgroups /sys/fs/cgroup/ksb-scale
	[ -d /sys/module/kabistat ] || insmod /lib/kabistat/kabistat.ko
	tap_ok
}

[ -d /sys/module/kabistat ] && rmmod kabistat
mkdir -p $CG
case $phase in
a-setup)
	mkdir -p /sys/kernel/tracing
	mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
	echo "ksb info mode=$mode reps=$reps iters=$iters trials=$trials kernel=$(uname -r) cpus=$(nproc)"
	;;
r*)
	rep=${phase#r}
	[ "$rep" -le "$reps" ] || { phase_end; exit 0; }
	# Rotate the rows by rep - 1.
	set -- $ROWS
	i=1
	while [ "$i" -lt "$rep" ]; do
		first=$1
		shift
		set -- "$@" "$first"
		i=$((i + 1))
	done
	for row in "$@"; do
		run_row "$row" "$rep"
	done
	;;
s-scale)
	if [ -n "$scale" ]; then
		note "scale"
		insmod /lib/kabistat/kabistat.ko
		mkdir -p /sys/fs/cgroup/ksb-scale
		ksb-kabistat scale /sys/fs/cgroup/ksb-scale ${scale%,*} ${scale#*,} |
			sed "s/^/ksb scale mode=$mode /"
		rmmod kabistat
	fi
	;;
esac
phase_end
exit 0
