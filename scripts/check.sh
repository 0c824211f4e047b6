#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: lint, build, then boot every tested kernel under qemu with the
# module and the test payload, and report.  The closing line is
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
# shellcheck disable=SC2086 # KERNELS is a list of series
kernels=$(scripts/kernels.sh $KERNELS) || kernels_status=$?
((kernels_status == 2)) && exit 2

if [[ ${1:-} == --shell ]]; then
	[[ -n $kernels ]] || exit 2
	read -r name kver vmlinuz kdir < <(tail -n 1 <<<"$kernels")
	$MAKE -s module userspace tests KVER="$kver" KDIR="$kdir" || exit 2
	out=$BUILD/vm/shell-$name
	selftests/vm/stage-root.sh "$kver" "$kdir" "$out/root" || exit 2
	exec selftests/vm/run-guest.sh -i -k "$vmlinuz" -r "$out/root" \
		-m "$BUILD/kmod/$kver/kmod/kabistat.ko" -p "$BUILD/payload" \
		-o "$out"
fi

summaries=()
host=$BUILD/vm/host/summary
mkdir -p "$(dirname "$host")"
: >"$host"
summaries+=("host=$host")
((kernels_status == 0)) || echo "fail kernels/unavailable" >>"$host"

# Lint first: it also builds the user space and the tests.
if $MAKE -s lint; then
	echo "pass lint/kernel-and-userspace" >>"$host"
else
	echo "fail lint/kernel-and-userspace" >>"$host"
fi

# Packaging on the host: DKMS builds, make install, pkg-config, man pages.
scripts/host-tests.sh "$host" || true

while read -r name kver vmlinuz kdir; do
	out=$BUILD/vm/$name
	summaries+=("$name=$out/summary")
	echo "== $name: $kver"
	if ! $MAKE -s module tests KVER="$kver" KDIR="$kdir"; then
		mkdir -p "$out"
		echo "fail build/module" >"$out/summary"
		continue
	fi
	# The debug kernel (KASAN, lockdep, kmemleak under TCG) runs the same
	# tests several times slower; debug-kernel.sh marks its build tree.
	timeout_s=600
	[[ -f $kdir/.kabistat-stamp ]] && timeout_s=1200
	# The guest's root also holds kabistat as make install lays it out
	# (selftests/installed.c uses it); without it those tests skip.
	root=()
	if selftests/vm/stage-root.sh "$kver" "$kdir" "$out/root"; then
		root=(-r "$out/root")
	else
		echo "fail install/guest-root-$name" >>"$host"
	fi
	start=$SECONDS
	selftests/vm/run-guest.sh -k "$vmlinuz" -t "$timeout_s" "${root[@]}" \
		-m "$BUILD/kmod/$kver/kmod/kabistat.ko" \
		-p "$BUILD/payload" -o "$out" >/dev/null
	echo "   guest ran $((SECONDS - start)) s; console log: $out/console.log"
done < <([[ -n $kernels ]] && echo "$kernels")

selftests/vm/report.sh "${summaries[@]}"
