#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: build the bench payload for the 6.1 kernel, boot it once per
# mode under qemu through selftests/vm/run-guest.sh (bench/qemu/ swaps in
# the mode's accelerator and vCPUs), and turn what the guests printed into
# one table on stdout and $BUILD/bench/results.csv.
#   det:  -accel tcg -icount shift=0,sleep=off, one vCPU: guest ns are
#         guest instructions; 3 repetitions, plus the scale runs
#   wall: -accel tcg,thread=multi, two vCPUs; 5 repetitions
# Environment: BENCH_MODES ("det wall"), BENCH_DET_REPS (3),
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

read -r _ kver vmlinuz kdir < <(scripts/kernels.sh 6.1)
$MAKE -s module bench-payload KVER="$kver" KDIR="$kdir"
mkdir -p "$out"
echo "bench: payload $(du -sh "$BUILD/payload-bench" | cut -f1) (built in $((SECONDS - start))s)" >&2

KSB_QEMU=$(command -v qemu-system-x86_64)
export KSB_QEMU KSB_MEM=2048
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
		-o "$out/vm-$mode" -t 2400 -a "$args" >"$out/summary-$mode" || status=$?
	tr -d '\r' <"$out/vm-$mode/results.ktap" | grep '^ksb ' >"$out/raw-$mode.txt" || true
	echo "bench: $mode mode took $((SECONDS - t0))s" >&2
	if ((status)); then
		echo "bench: the $mode guest reported failures (see $out/vm-$mode):" >&2
		grep '^fail' "$out/summary-$mode" >&2 || true
	fi
done

raws=()
for mode in $modes; do raws+=("$out/raw-$mode.txt"); done
perl bench/report.pl "$out/results.csv" "${raws[@]}"
echo "bench: CSV in $out/results.csv; make bench took $((SECONDS - start))s" >&2
