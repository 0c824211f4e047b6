#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: build, lint, and boot every tested kernel under qemu with the
# module and the test payload (as many guests at once as there are CPUs),
# and report.  The closing line is
# "N passed, M failed[, K skipped]"; the exit status is non-zero on any
# failure, a guest that did not report included.
#
#   check.sh            every tested kernel
#   check.sh --shell    an interactive guest on the newest tested kernel
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-$PWD/build}
MAKE=${MAKE:-make}
KERNELS=${KERNELS:-}		# e.g. KERNELS="6.12" or "6.1 7.3" to test a subset
export BUILD

# The 7.3 debug kernel is built here on the first run (several minutes; then
# cached).  A kernel that cannot be provided fails the check, but the others
# still run.
kernels_status=0
# The arm64 guests' cross compilers and user land (downloads, each under
# its own lock) come meanwhile; the build below waits for them.
prefetch=
if [[ -z $KERNELS || " $KERNELS " == *" arm64-"* ]]; then
	{ scripts/arm64-toolchain.sh && scripts/arm64-sysroot.sh; } >/dev/null 2>&1 &
	prefetch=$!
fi
# shellcheck disable=SC2086 # KERNELS is a list of series
kernels=$(scripts/kernels.sh $KERNELS) || kernels_status=$?
[[ -z $prefetch ]] || wait "$prefetch" || true
((kernels_status == 2)) && exit 2
echo "== kernels ready after $SECONDS s"

if [[ ${1:-} == --shell ]]; then
	[[ -n $kernels ]] || exit 2
	read -r name kver vmlinuz kdir < <(grep -v '^arm64-' <<<"$kernels" | tail -n 1)
	[[ -n $name ]] || { echo "check.sh --shell: no x86 kernel among: $KERNELS" >&2; exit 2; }
	$MAKE -s module userspace tests KVER="$kver" KDIR="$kdir" || exit 2
	out=$BUILD/vm/shell-$name
	selftests/vm/stage-root.sh "$kver" "$kdir" "$out/root" || exit 2
	exec selftests/vm/run-guest.sh -i -k "$vmlinuz" -r "$out/root" \
		-m "$BUILD/kmod/$kver/kmod/kabistat.ko" -p "$BUILD/payload" \
		-o "$out"
fi

# One seed for every fuzzer of every guest; set it to replay a run.
KABISTAT_FUZZ_SEED=${KABISTAT_FUZZ_SEED:-0x$(od -An -tx8 -N8 /dev/urandom | tr -d ' \n')}
export KABISTAT_FUZZ_SEED
echo "== fuzz seed: KABISTAT_FUZZ_SEED=$KABISTAT_FUZZ_SEED"

summaries=()
host=$BUILD/vm/host/summary
mkdir -p "$(dirname "$host")"
: >"$host"
summaries+=("host=$host")
((kernels_status == 0)) || echo "fail kernels/unavailable" >>"$host"

# The debug kernel (KASAN, lockdep, kmemleak) runs the tests this many times
# slower than the 6.x kernels under TCG (4 to 15 times): its tests' and test
# binaries' timeouts are scaled by it, and the heaviest tests scale down
# (KABISTAT_TIMEOUT_SCALE in the guest, cgtest_slowdown()).
DEBUG_SLOWDOWN=${DEBUG_SLOWDOWN:-4}
# The arm64 guests (qemu's AArch64 emulation) run the tests about twice as
# slowly as the x86 ones: the same for them.
ARM64_SLOWDOWN=${ARM64_SLOWDOWN:-2}

# The arm64 guests run an arm64 payload, cross-built into a BUILD of its
# own.
payload_of() {
	[[ $1 == arm64-* ]] && echo "$BUILD/arm64" || echo "$BUILD"
}

guest() {
	local name=$1 kver=$2 vmlinuz=$3 root=$4 timeout_s=$5 scale=$6 start=$SECONDS
	local out=$BUILD/vm/$name args=()
	[[ $root == - ]] || args=(-r "$root")
	[[ $name != arm64-* ]] || args+=(-A arm64)
	echo "== $name: $kver: guest started"
	# -n: skips are failures unless allowed on this series; the payload's
	# tests.list: tests that did not run are failures.
	selftests/vm/run-guest.sh -k "$vmlinuz" -t "$timeout_s" "${args[@]}" \
		-n "$name" -s "$scale" \
		-m "$BUILD/kmod/$kver/kmod/kabistat.ko" \
		-T "$BUILD/kmod-test/$kver/kmod/kabistat.ko" \
		-p "$(payload_of "$name")/payload" -o "$out" >/dev/null
	echo "== $name: guest ran $((SECONDS - start)) s; console log: $out/console.log"
}

host_checks() {
	local start=$SECONDS
	# Lint (checkpatch, sparse, W=1, shellcheck), then packaging on the
	# host: DKMS builds, make install, pkg-config, man pages.
	if $MAKE -s lint; then
		echo "pass lint/kernel-and-userspace" >>"$host"
	else
		echo "fail lint/kernel-and-userspace" >>"$host"
	fi
	scripts/host-tests.sh "$host" || true
	echo "== host checks ran $((SECONDS - start)) s"
}

# A guest keeps one CPU busy (one TCG thread), so as many jobs run at once
# as there are CPUs.  launch JOB... waits for a free CPU, then starts it.
jobs_max=${JOBS:-$(nproc)}
launch() {
	while (($(jobs -rp | wc -l) >= jobs_max)); do
		wait -n
	done
	"$@" &
}

# The debug kernel's guest (KASAN, lockdep, kmemleak under TCG: several
# times slower; debug-kernel.sh stamps its tree) is the longest job: it
# starts as soon as its module is built, and everything else -- the other
# kernels' builds, the host checks, then their guests, which must not start
# while the host checks may still rebuild what they pack -- takes turns on
# the other CPUs.
later=()
while read -r debug name kver vmlinuz kdir; do
	out=$BUILD/vm/$name
	summaries+=("$name=$out/summary")
	mkdir -p "$out"
	rm -f "$out/summary"
	user=()
	if [[ $name == arm64-* ]]; then
		user=(USER_ARCH=arm64 BUILD="$(payload_of "$name")")
		if ! scripts/arm64-toolchain.sh >/dev/null || ! scripts/arm64-sysroot.sh >/dev/null; then
			echo "fail build/arm64-toolchain" >"$out/summary"
			continue
		fi
	fi
	# Nothing else runs while the debug kernel's (the first) builds.
	par=()
	((debug)) && par=(-j"$jobs_max")
	if ! $MAKE -s "${par[@]}" module module-test KVER="$kver" KDIR="$kdir" ||
		! env "${user[@]}" $MAKE -s "${par[@]}" tests KVER="$kver" KDIR="$kdir"; then
		echo "fail build/module" >"$out/summary"
		continue
	fi
	# The guest's root also holds kabistat as make install lays it out
	# (selftests/installed.c uses it); without it those tests skip.
	root=-
	if env "${user[@]}" selftests/vm/stage-root.sh "$kver" "$kdir" "$out/root"; then
		root=$out/root
	else
		echo "fail install/guest-root-$name" >>"$host"
	fi
	if ((debug)); then
		launch guest "$name" "$kver" "$vmlinuz" "$root" 2400 "$DEBUG_SLOWDOWN"
	else
		later+=("$name $kver $vmlinuz $root")
	fi
done < <(while read -r name kver vmlinuz kdir; do
	[[ -n $name ]] || continue
	[[ -f $kdir/.kabistat-stamp ]] && debug=1 || debug=0
	echo "$debug $name $kver $vmlinuz $kdir"
done <<<"$kernels" | sort -s -r -k1,1)
echo "== modules and payloads built after $SECONDS s"

launch host_checks
# The longest first (the arm64 guests), so that the last to start are the
# shortest and the CPUs finish together.
((${#later[@]} == 0)) ||
	mapfile -t later < <(printf '%s\n' "${later[@]}" |
		awk '/^arm64-/ { print; next } { x[n++] = $0 } END { for (i = 0; i < n; i++) print x[i] }')
for job in "${later[@]}"; do
	# shellcheck disable=SC2086 # NAME KVER VMLINUZ ROOT, one word each
	if [[ $job == arm64-* ]]; then
		launch guest $job $((600 * ARM64_SLOWDOWN)) "$ARM64_SLOWDOWN"
	else
		launch guest $job 1200 1
	fi
done
wait

selftests/vm/report.sh "${summaries[@]}"
