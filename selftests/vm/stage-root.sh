#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lay out in ROOT what a host looks like after an operator's
#   make install PREFIX=/usr KVER=<kernel>
# for the guest to boot with (run-guest.sh -r ROOT): the module where
# modules_install puts it, the library, the CLI without an rpath, the
# headers, man pages, udev rule and unit.  Added, as any Debian host has
# them: the kernel's own module indexes (modules.order, modules.builtin*)
# and kmod's tools (modprobe, modinfo, depmod, lsmod), which the guest test
# selftests/installed.c runs; busybox's module tools cannot read the
# compressed modules of Debian's 6.12.  And Debian's crun, the OCI runtime
# selftests/cli_crun.c runs containers with (run-guest.sh copies the
# libraries it links).
#
# Usage: stage-root.sh KVER KDIR ROOT     (make's output goes to ROOT.log)
# With USER_ARCH=arm64 in the environment (and that build's BUILD), the
# arm64 build is installed, with kmod from the arm64 sysroot.
set -euo pipefail

if (($# != 3)); then
	echo "usage: stage-root.sh KVER KDIR ROOT" >&2
	exit 2
fi
kver=$1 kdir=$2 root=$(realpath -m "$3")
cd "$(dirname "$0")/../.."
unset MAKEFLAGS MAKELEVEL MFLAGS

rm -rf "$root"
mkdir -p "$(dirname "$root")"
if ! ${MAKE:-make} install DESTDIR="$root" PREFIX=/usr KVER="$kver" \
	KDIR="$kdir" >"$root.log" 2>&1; then
	echo "stage-root.sh: make install for $kver failed; log: $root.log" >&2
	exit 1
fi

# Debian's image packages install the indexes in /lib/modules/<kver>; a
# kernel built from source has them at the top of its build tree.
mods=$root/lib/modules/$kver
for index in modules.order modules.builtin modules.builtin.modinfo; do
	for dir in "/lib/modules/$kver" "$kdir"; do
		if [[ -f $dir/$index ]]; then
			cp "$dir/$index" "$mods/"
			break
		fi
	done
	[[ -f $mods/$index ]] || {
		echo "stage-root.sh: no $index for $kver" >&2
		exit 1
	}
done

if [[ ${USER_ARCH:-} == arm64 ]]; then
	kmod=$(scripts/arm64-sysroot.sh)/bin/kmod
	[[ -x $kmod ]] || {
		echo "stage-root.sh: the arm64 sysroot has no /bin/kmod" >&2
		exit 1
	}
else
	kmod=$(command -v kmod) || {
		echo "stage-root.sh: kmod is not installed (scripts/deps.sh)" >&2
		exit 1
	}
fi
install -D -m 0755 "$(readlink -f "$kmod")" "$root/usr/bin/kmod"
mkdir -p "$root/sbin"
for tool in modprobe modinfo depmod lsmod; do
	ln -s ../usr/bin/kmod "$root/sbin/$tool"
done

crun=$(command -v crun) || {
	echo "stage-root.sh: crun is not installed (scripts/deps.sh)" >&2
	exit 1
}
install -D -m 0755 "$(readlink -f "$crun")" "$root/usr/bin/crun"
