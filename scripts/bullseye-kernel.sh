#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The 5.10 kernel of `make check`: Debian 11's cloud kernel as its security
# suite ships it today, the signed image with its headers, fetched and
# unpacked into a cache outside the tree.  Prints the kernels.sh line
# "NAME KVER VMLINUZ KDIR" on stdout; progress and errors go to stderr.
#
# The packages come through apt-get download with a private sources list
# and state directory built from the mirror of the system's own Debian
# security entry, so nothing from $SUITE is ever installed into the system.
# The newest ABI ($SERIES.0-N) in the suite is taken, with:
#   linux-image-<kver>            /boot/vmlinuz-<kver>, the module indexes
#   linux-headers-<kver>          the flavour's headers (KDIR)
#   linux-headers-<abi>-common    the common headers, which KDIR/Makefile
#                                 includes by absolute path
#   linux-kbuild-$SERIES          scripts/ and tools/, which both headers
#                                 trees link to relatively
# all unpacked into one root, so the relative links resolve in the cache.
# Two files of the copy are adapted to this host: KDIR/Makefile includes
# the unpacked -common tree, and KDIR/.kernelvariables names plain gcc when
# the kernel's own compiler (gcc-10) is not installed -- bookworm has none.
# The module indexes (modules.order, modules.builtin*) are copied into KDIR,
# where selftests/vm/stage-root.sh looks for those of a kernel not installed.
#
# Environment: KABISTAT_CACHE (default /var/cache/kabistat, or
# ~/.cache/kabistat when that is not writable).
set -euo pipefail

SERIES=5.10
SUITE=bullseye-security
FLAVOUR=cloud-amd64

say() { echo "bullseye-kernel: $*" >&2; }
die() {
	say "$*"
	exit 1
}

# shellcheck source=scripts/private-apt.sh
. "$(dirname "${BASH_SOURCE[0]}")/private-apt.sh"
ks_cache "linux-$SERIES"
ks_private_apt "$SUITE" security

candidate() {
	apt-cache "${apt_opts[@]}" policy "$1" 2>/dev/null |
		awk '$1 == "Candidate:" && $2 != "(none)" { print $2 }'
}

# --- the newest ABI whose signed image the suite has.
kver='' version=''
while read -r pkg; do
	version=$(candidate "$pkg")
	if [[ -n $version ]]; then
		kver=${pkg#linux-image-}
		break
	fi
done < <(apt-cache "${apt_opts[@]}" pkgnames "linux-image-$SERIES.0-" 2>/dev/null |
	grep -E "^linux-image-${SERIES//./\\.}\.0-[0-9]+-$FLAVOUR\$" | sort -rV)

root=$cache/root
if [[ -z $kver ]]; then
	# No index: the kernel unpacked last time, if any.
	read -r version kver <"$root/.kabistat-version" 2>/dev/null ||
		die "no linux-image-$SERIES.0-*-$FLAVOUR in $SUITE at $mirror, and nothing is cached"
	say "no index: using the cached $kver ($version)"
fi
abi=${kver%-"$FLAVOUR"}
packages=("linux-image-$kver" "linux-headers-$kver" "linux-headers-$abi-common"
	"linux-kbuild-$SERIES")

# --- the packages, fetched once per version.  The kbuild tools come from
# the same source package; should the suite hold another version of them,
# its candidate does as well (they only build external modules).
debs=$apt_dir/debs
if [[ $(cat "$root/.kabistat-version" 2>/dev/null) != "$version $kver" ]]; then
	files=() wanted=()
	for pkg in "${packages[@]}"; do
		ver=$version
		if [[ $pkg == linux-kbuild-* && $(candidate "$pkg") != "$version" ]]; then
			ver=$(candidate "$pkg")
			[[ -n $ver ]] || die "$pkg is not in $SUITE at $mirror"
			say "$pkg $version is not in $SUITE; using $ver"
		fi
		# apt-get download's file name: epoch colon as %3a
		deb=$(find "$debs" -name "${pkg}_${ver//:/%3a}_*.deb" | head -n 1)
		[[ -n $deb ]] || wanted+=("$pkg=$ver")
		files+=("${pkg}_${ver//:/%3a}_")
	done
	if ((${#wanted[@]})); then
		say "downloading ${wanted[*]}"
		(cd "$debs" && apt-get "${apt_opts[@]}" -qq download "${wanted[@]}" >&2) ||
			die "apt-get download ${wanted[*]} failed"
	fi
	# Packages of older versions go.
	for deb in "$debs"/*.deb; do
		keep=0
		for prefix in "${files[@]}"; do
			[[ ${deb##*/} == "$prefix"* ]] && keep=1
		done
		((keep)) || rm -f "$deb"
	done

	# --- one root for all four, adapted, then moved into place.
	say "unpacking $kver $version"
	rm -rf "$root" "$cache/root.tmp"
	mkdir -p "$cache/root.tmp"
	for prefix in "${files[@]}"; do
		deb=$(find "$debs" -name "$prefix*.deb" | head -n 1)
		[[ -n $deb ]] || die "apt-get download left no ${prefix%%_*} package"
		dpkg-deb -x "$deb" "$cache/root.tmp"
	done
	tmp_kdir=$cache/root.tmp/usr/src/linux-headers-$kver
	common=/usr/src/linux-headers-$abi-common
	[[ -f $tmp_kdir/Makefile && -f $cache/root.tmp$common/Makefile ]] ||
		die "the headers packages have no $tmp_kdir/Makefile or $common/Makefile"
	[[ -f $cache/root.tmp/boot/vmlinuz-$kver ]] || die "linux-image-$kver has no /boot/vmlinuz-$kver"
	grep -qx "include $common/Makefile" "$tmp_kdir/Makefile" ||
		die "$tmp_kdir/Makefile does not include $common/Makefile: $(head -n 3 "$tmp_kdir/Makefile")"
	sed -i "s|^include $common/Makefile\$|include $root$common/Makefile|" "$tmp_kdir/Makefile"
	kernel_cc=$(sed -n 's/^CC = .*)\(gcc-[0-9]*\)$/\1/p' "$tmp_kdir/.kernelvariables")
	if [[ -n $kernel_cc ]] && ! command -v "$kernel_cc" >/dev/null; then
		say "$kernel_cc, which built $kver, is not installed: the module builds with gcc"
		sed -i "s/^\(CC = .*)\)$kernel_cc\$/\1gcc/" "$tmp_kdir/.kernelvariables"
	fi
	for index in modules.order modules.builtin modules.builtin.modinfo; do
		cp "$cache/root.tmp/lib/modules/$kver/$index" "$tmp_kdir/" ||
			die "linux-image-$kver has no $index"
	done
	echo "$version $kver" >"$cache/root.tmp/.kabistat-version"
	mv "$cache/root.tmp" "$root"
fi
# A stable name for the headers of the current ABI (the syscall tables of
# userspace/userspace.mk read them there).
ln -sfn "root/usr/src/linux-headers-$kver" "$cache/headers"

echo "$SERIES $kver $root/boot/vmlinuz-$kver $root/usr/src/linux-headers-$kver"
