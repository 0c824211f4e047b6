#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the Sysdig driver (scap.ko) from Debian's falcosecurity-scap-dkms
# for one kernel, by hand in OUTDIR: the package is downloaded, never
# installed, since its DKMS hook would build it at every later kernel
# install.  Leaves OUTDIR/scap.ko, or OUTDIR/scap.na with the reason.
#   scap.sh KDIR OUTDIR
set -uo pipefail
kdir=$1 out=$2
mkdir -p "$out"
out=$(cd "$out" && pwd)
[[ -f $out/scap.ko ]] && exit 0
rm -rf "$out/src" "$out/scap.na"
mkdir -p "$out/src"
cd "$out/src" || exit 1
na() {
	echo "$*" >"$out/scap.na"
	echo "bench: sysdig row n/a: $*" >&2
	exit 0
}
apt-get download falcosecurity-scap-dkms >download.log 2>&1 ||
	na "apt-get download falcosecurity-scap-dkms failed"
dpkg-deb -x falcosecurity-scap-dkms_*.deb pkg || na "cannot unpack falcosecurity-scap-dkms"
src=$(ls -d pkg/usr/src/scap-* 2>/dev/null | head -n 1)
[[ -n $src ]] || na "no driver sources in falcosecurity-scap-dkms"
make -C "$kdir" M="$PWD/$src" modules >build.log 2>&1 ||
	na "falcosecurity-scap-dkms does not build for $(basename "$kdir"): $(grep -m1 -i 'error' build.log)"
cp "$src/scap.ko" "$out/scap.ko"
