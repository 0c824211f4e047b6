#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The cross compilers of the arm64 guests: Debian 12's gcc-12 for
# aarch64-linux-gnu (the module, user space, the tests) and for
# arm-linux-gnueabihf (the AArch32 workloads), with their binutils and C
# libraries, unpacked into the cache, never installed.  Prints the prefix
# of their programs, ".../usr/bin/" (CROSS_COMPILE is that followed by
# "aarch64-linux-gnu-"); progress and errors go to stderr.
#
# Why not installed: Debian's gcc-multilib, which the x86 ia32 workloads
# need, conflicts with every gcc-12 cross compiler package.  gcc finds its
# own parts and its target's binutils and libraries relative to where it
# runs from, so the unpacked tree works as it is.
#
# Environment: KABISTAT_CACHE (default /var/cache/kabistat, or
# ~/.cache/kabistat when that is not writable).
set -euo pipefail

SUITE=bookworm
# The arm64 C library is the sysroot's (arm64-sysroot.sh, --sysroot); the
# AArch32 workloads are static, with the armhf cross C library here.
PACKAGES=()
for target in aarch64-linux-gnu:arm64 arm-linux-gnueabihf:armhf; do
	triplet=${target%:*} arch=${target#*:}
	PACKAGES+=("gcc-12-$triplet" "cpp-12-$triplet" "binutils-$triplet"
		"libgcc-12-dev-$arch-cross" "libgcc-s1-$arch-cross"
		"libasan8-$arch-cross" "libatomic1-$arch-cross"
		"libgomp1-$arch-cross" "libubsan1-$arch-cross")
done
PACKAGES+=(libc6-armhf-cross libc6-dev-armhf-cross linux-libc-dev-armhf-cross)
[[ $(uname -m) == x86_64 ]] || {
	echo "arm64-toolchain: only for x86_64 machines" >&2
	exit 1
}

say() { echo "arm64-toolchain: $*" >&2; }
die() {
	say "$*"
	exit 1
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/private-apt.sh
. "$here/private-apt.sh"
ks_cache arm64-toolchain
ks_private_apt "$SUITE" main amd64

root=$cache/root
want=''
for pkg in "${PACKAGES[@]}"; do
	ver=$(apt-cache "${apt_opts[@]}" policy "$pkg" 2>/dev/null |
		awk '$1 == "Candidate:" && $2 != "(none)" { print $2 }')
	[[ -n $ver ]] || { want=''; break; }
	want+="$pkg=$ver "
done
if [[ -z $want ]]; then
	[[ -x ${root}/usr/bin/aarch64-linux-gnu-gcc-12 ]] ||
		die "the $SUITE index at $mirror lacks the compilers, and nothing is cached"
	say "no index: using the cached compilers"
elif [[ $(cat "$root/.kabistat-version" 2>/dev/null) != "$want" ]]; then
	debs=$apt_dir/debs
	rm -f "$debs"/*.deb
	say "downloading ${#PACKAGES[@]} packages"
	# shellcheck disable=SC2086 # one package a word
	(cd "$debs" && apt-get "${apt_opts[@]}" -qq download $want >&2) ||
		die "apt-get download failed"
	say "unpacking"
	rm -rf "$root" "$cache/root.tmp"
	mkdir -p "$cache/root.tmp"
	for deb in "$debs"/*.deb; do
		dpkg-deb -x "$deb" "$cache/root.tmp"
	done
	echo "$want" >"$cache/root.tmp/.kabistat-version"
	mv "$cache/root.tmp" "$root"
fi
echo "$root/usr/bin/"
