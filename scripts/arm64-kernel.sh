#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The arm64 kernels of `make check` (KERNELS=arm64-6.1 arm64-6.12): Debian
# 12's arm64 cloud kernel of SERIES as its security suite ships it today,
# with its headers, fetched and unpacked into a cache outside the tree, and
# the arm64 user land the guest and the cross builds need (arm64-sysroot.sh).
# Prints the kernels.sh line "arm64-SERIES KVER VMLINUZ KDIR" on stdout;
# progress and errors go to stderr.
#
# usage: arm64-kernel.sh SERIES      (6.1 or 6.12)
#
# The packages come through apt-get download with a private sources list
# and state directory (architectures arm64 and amd64), so nothing is ever
# installed into the system.  The newest ABI of SERIES in the suite:
#   linux-image-<kver>-unsigned   the Image (there is no signed arm64 cloud
#                                 image), /boot/vmlinuz-<kver>
#   linux-headers-<kver>          the flavour's headers (KDIR)
#   linux-headers-<abi>-common    the common headers KDIR/Makefile includes
#   linux-kbuild-<series>:amd64   scripts/ and tools/ -- the amd64 build,
#                                 whose fixdep and modpost run on this host
# all unpacked into one root, so that the headers' relative links resolve.
# KDIR/Makefile is pointed at the unpacked -common tree.  The headers'
# .kernelvariables set ARCH=arm64 and the cross compiler's prefix, which
# gcc-aarch64-linux-gnu provides (scripts/deps.sh).
#
# Environment: KABISTAT_CACHE (default /var/cache/kabistat, or
# ~/.cache/kabistat when that is not writable).
set -euo pipefail

SERIES=${1:-}
SUITE=bookworm-security
FLAVOUR=cloud-arm64

say() { echo "arm64-kernel: $*" >&2; }
die() {
	say "$*"
	exit 1
}

case $SERIES in
6.1) pattern='6\.1\.0-[0-9]+' ;;
6.12) pattern='6\.12\.[0-9]+\+deb12' ;;
*) die "usage: arm64-kernel.sh 6.1|6.12" ;;
esac

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/private-apt.sh
. "$here/private-apt.sh"
ks_cache "linux-arm64-$SERIES"
ks_private_apt "$SUITE" security arm64 amd64

candidate() {
	apt-cache "${apt_opts[@]}" policy "$1" 2>/dev/null |
		awk '$1 == "Candidate:" && $2 != "(none)" { print $2 }'
}

kver='' version=''
while read -r pkg; do
	version=$(candidate "$pkg")
	if [[ -n $version ]]; then
		kver=${pkg#linux-image-}
		kver=${kver%-unsigned}
		break
	fi
done < <(apt-cache "${apt_opts[@]}" pkgnames "linux-image-$SERIES." 2>/dev/null |
	grep -E "^linux-image-$pattern-$FLAVOUR-unsigned\$" | sort -rV)

root=$cache/root
if [[ -z $kver ]]; then
	read -r version kver <"$root/.kabistat-version" 2>/dev/null ||
		die "no linux-image-$SERIES*-$FLAVOUR-unsigned in $SUITE at $mirror, and nothing is cached"
	say "no index: using the cached $kver ($version)"
fi
abi=${kver%-"$FLAVOUR"}
# 6.1's kbuild package is named after the series, 6.12's after the ABI.
kbuild=linux-kbuild-$SERIES
[[ $SERIES == 6.1 ]] || kbuild=linux-kbuild-$abi
packages=("linux-image-$kver-unsigned" "linux-headers-$kver"
	"linux-headers-$abi-common" "$kbuild:amd64")

debs=$apt_dir/debs
if [[ $(cat "$root/.kabistat-version" 2>/dev/null) != "$version $kver" ]]; then
	rm -f "$debs"/*.deb
	say "downloading ${packages[*]} ($version)"
	(cd "$debs" && apt-get "${apt_opts[@]}" -qq download "${packages[@]/%/=$version}" >&2) ||
		die "apt-get download ${packages[*]} failed"

	say "unpacking $kver $version"
	rm -rf "$root" "$cache/root.tmp"
	mkdir -p "$cache/root.tmp"
	for deb in "$debs"/*.deb; do
		dpkg-deb -x "$deb" "$cache/root.tmp"
	done
	tmp_kdir=$cache/root.tmp/usr/src/linux-headers-$kver
	common=/usr/src/linux-headers-$abi-common
	[[ -f $cache/root.tmp/boot/vmlinuz-$kver ]] || die "linux-image-$kver-unsigned has no /boot/vmlinuz-$kver"
	grep -qx "include $common/Makefile" "$tmp_kdir/Makefile" ||
		die "$tmp_kdir/Makefile does not include $common/Makefile: $(head -n 3 "$tmp_kdir/Makefile")"
	sed -i "s|^include $common/Makefile\$|include $root$common/Makefile|" "$tmp_kdir/Makefile"
	for index in modules.order modules.builtin modules.builtin.modinfo; do
		cp "$cache/root.tmp/lib/modules/$kver/$index" "$tmp_kdir/" ||
			die "linux-image-$kver-unsigned has no $index"
	done
	echo "$version $kver" >"$cache/root.tmp/.kabistat-version"
	mv "$cache/root.tmp" "$root"
fi

# A stable name for the headers of the current ABI (the syscall version
# table of userspace/userspace.mk reads them there).
ln -sfn "root/usr/src/linux-headers-$kver" "$cache/headers"

echo "arm64-$SERIES $kver $root/boot/vmlinuz-$kver $root/usr/src/linux-headers-$kver"
