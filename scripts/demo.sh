#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: boot the newest tested kernel with the module, run sample
# workloads in cgroups of their own, and show what the CLI says of them.
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=${BUILD:-$PWD/build}
MAKE=${MAKE:-make}
export BUILD

read -r _ kver vmlinuz kdir < <(scripts/kernels.sh | tail -n 1)
$MAKE -s module demo-payload KVER="$kver" KDIR="$kdir"

out=$BUILD/vm/demo
echo "Booting Linux $kver under qemu (TCG); this takes a few seconds..."
status=0
selftests/vm/run-guest.sh -k "$vmlinuz" -m "$BUILD/kmod/$kver/kmod/kabistat.ko" \
	-p "$BUILD/payload-demo" -o "$out" -t 300 >/dev/null || status=$?
# The guest's output, without the result protocol around it.
grep -v -e '^# kabistat-' -e '^TAP version' -e '^1\.\.' -e '^ok ' \
	-e '^not ok ' "$out/results.ktap" || true
if ((status)); then
	echo "demo: the guest failed; see $out/console.log" >&2
fi
exit "$status"
