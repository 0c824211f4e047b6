#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: boot the newest installed Debian kernel (6.12; never the debug
# kernel, which takes many minutes to build) with the module, run sample
# workloads in cgroups of their own, and show what the CLI says of them.
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=${BUILD:-$PWD/build}
MAKE=${MAKE:-make}
export BUILD

kver='' vmlinuz='' kdir=''
read -r _ kver vmlinuz kdir < <(scripts/kernels.sh --installed | tail -n 1) || true
if [[ -z $kver ]]; then
	echo "demo: no Debian cloud kernel with its headers installed; run 'make deps'" >&2
	exit 1
fi
$MAKE -s module demo-payload KVER="$kver" KDIR="$kdir"

out=$BUILD/vm/demo
echo "Booting Linux $kver under qemu (TCG); this takes a few seconds..."
# The guest's output as it comes, without the result protocol around it.
mkdir -p "$out"
rm -f "$out/results.ktap"
selftests/vm/run-guest.sh -k "$vmlinuz" -m "$BUILD/kmod/$kver/kmod/kabistat.ko" \
	-p "$BUILD/payload-demo" -o "$out" -t 300 >/dev/null &
guest=$!
tail -F -n +1 --pid="$guest" "$out/results.ktap" 2>/dev/null |
	grep --line-buffered -v -e '^# kabistat-' -e '^TAP version' -e '^1\.\.' \
		-e '^ok ' -e '^not ok ' || true
status=0
wait "$guest" || status=$?
if ((status)); then
	echo "demo: the guest failed; see $out/console.log" >&2
fi
exit "$status"
