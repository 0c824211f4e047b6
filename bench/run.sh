#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: for each kernel, build the bench payload, boot it once per
# mode under qemu through selftests/vm/run-guest.sh (bench/qemu/ swaps in
# the mode's accelerator and vCPUs), and turn what the guests printed into
# one table per kernel on stdout and $BUILD/bench/results.csv (its first
# column the kernel series).
#   det:  -accel tcg -icount shift=0,sleep=off, one vCPU: guest ns are
#         guest instructions; 3 repetitions, plus the scale runs
#   wall: -accel tcg,thread=multi, two vCPUs; 5 repetitions
# Environment: BENCH_KERNELS ("6.1 6.12 7.3": series as scripts/kernels.sh
# names them; 7.3 is the debug kernel, whose syscall probes are
# preemptible, and whose guest gets DEBUG_SLOWDOWN (4) times the time),
# BENCH_MODES ("det wall"), BENCH_DET_REPS (3),
# BENCH_WALL_REPS (5), BENCH_ITERS (20000 per trial), BENCH_TRIALS (5),
# BENCH_SCALE ("1000,10000"; empty: no scale runs).
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=${BUILD:-$PWD/build}
MAKE=${MAKE:-make}
export BUILD
modes=${BENCH_MODES:-det wall}
out=$BUILD/bench
start=$SECONDS

kernels=${BENCH_KERNELS:-6.1 6.12 7.3}
mkdir -p "$out"
KSB_QEMU=$(command -v qemu-system-x86_64)
export KSB_QEMU KSB_MEM=2048

# bench_kernel SERIES: build and boot one kernel's payload in every mode;
# its raw results go to $out/raw-SERIES-MODE.txt.
bench_kernel() {
	local series=$1 kver vmlinuz kdir slow=1 mode args t0 status
	local kout=$out/$series

	read -r _ kver vmlinuz kdir < <(scripts/kernels.sh "$series")
	[[ -f $kdir/.kabistat-stamp ]] && slow=${DEBUG_SLOWDOWN:-4}
	$MAKE -s module bench-payload KVER="$kver" KDIR="$kdir"
	mkdir -p "$kout"
	echo "bench: $series payload $(du -sh "$BUILD/payload-bench" | cut -f1) (built at $((SECONDS - start))s)" >&2
	for mode in $modes; do
		case $mode in
		det)
			export KSB_ACCEL="-accel tcg -icount shift=0,sleep=off" KSB_SMP=1
			args="ksb.reps=${BENCH_DET_REPS:-3} ksb.scale=${BENCH_SCALE-1000,10000}"
			;;
		wall)
			export KSB_ACCEL="-accel tcg,thread=multi" KSB_SMP=2
			args="ksb.reps=${BENCH_WALL_REPS:-5}"
			;;
		*) echo "bench: unknown mode $mode" >&2; exit 2 ;;
		esac
		args+=" ksb.mode=$mode ksb.iters=${BENCH_ITERS:-20000} ksb.trials=${BENCH_TRIALS:-5}"
		t0=$SECONDS
		echo "bench: booting Linux $kver under qemu ($mode mode)..." >&2
		status=0
		PATH=$PWD/bench/qemu:$PATH selftests/vm/run-guest.sh -k "$vmlinuz" \
			-m "$BUILD/kmod/$kver/kmod/kabistat.ko" -p "$BUILD/payload-bench" \
			-o "$kout/vm-$mode" -t $((2400 * slow)) -s "$slow" -a "$args" \
			>"$kout/summary-$mode" || status=$?
		tr -d '\r' <"$kout/vm-$mode/results.ktap" | grep '^ksb ' >"$out/raw-$series-$mode.txt" || true
		echo "bench: $series $mode mode took $((SECONDS - t0))s" >&2
		if ((status)); then
			echo "bench: the $series $mode guest reported failures (see $kout/vm-$mode):" >&2
			grep '^fail' "$kout/summary-$mode" >&2 || true
		fi
	done
}

for series in $kernels; do
	bench_kernel "$series"
done

first=1
for series in $kernels; do
	raws=()
	for mode in $modes; do raws+=("$out/raw-$series-$mode.txt"); done
	kver=$(sed -n 's/^ksb info .*kernel=\(\S*\).*/\1/p' "${raws[@]}" 2>/dev/null | head -n 1)
	echo "== Linux ${kver:-$series} ($series)"
	perl bench/report.pl "$out/results-$series.csv" "${raws[@]}"
	# One CSV: the kernel series first, the header once.
	if ((first)); then
		sed -n '1s/^/kernel,/p' "$out/results-$series.csv" >"$out/results.csv"
		first=0
	fi
	sed "1d; s/^/$series,/" "$out/results-$series.csv" >>"$out/results.csv"
done
echo "bench: CSV in $out/results.csv; make bench took $((SECONDS - start))s" >&2
