#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The debug kernel of `make check`: the newest Linux that Debian ships as
# source (linux-source-$SERIES from $SUITE), configured as `make tinyconfig`
# plus selftests/vm/debug-kernel.config (KASAN, lockdep, PROVE_RCU, kmemleak,
# UBSAN, full preemption) and built once into a cache outside the tree.
# Prints the kernels.sh line "NAME KVER VMLINUZ KDIR" on stdout; progress
# and errors go to stderr.
#
# The source comes through apt-get download with a private sources list and
# state directory built from the mirror of the system's own Debian entry, so
# nothing from $SUITE is ever installed into the system.  The build is
# reused while its stamp (package version, fragment hash, compiler) matches.
#
# Environment: KABISTAT_CACHE (default /var/cache/kabistat, or
# ~/.cache/kabistat when that is not writable), JOBS (default nproc).
set -euo pipefail

SERIES=7.3
SUITE=trixie-backports
PACKAGE=linux-source-$SERIES

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fragment=$here/selftests/vm/debug-kernel.config
jobs=${JOBS:-$(nproc)}

say() { echo "debug-kernel: $*" >&2; }
die() {
	say "$*"
	exit 1
}

# shellcheck source=scripts/private-apt.sh
. "$here/scripts/private-apt.sh"
ks_cache "linux-$SERIES"
ks_private_apt "$SUITE" main

version=$(apt-cache "${apt_opts[@]}" policy "$PACKAGE" 2>/dev/null |
	awk '$1 == "Candidate:" && $2 != "(none)" { print $2 }')
if [[ -z $version ]]; then
	# No index: fall back to the newest package already downloaded.
	deb=$(find "$apt_dir/debs" -name "${PACKAGE}_*_all.deb" | sort -V | tail -n 1)
	[[ -n $deb ]] || die "$PACKAGE is not in $SUITE at $mirror, and nothing is cached"
	version=$(dpkg-deb -f "$deb" Version)
fi

# --- the package, fetched once per version.
deb=$(find "$apt_dir/debs" -name "${PACKAGE}_*_all.deb" | while read -r f; do
	[[ $(dpkg-deb -f "$f" Version) == "$version" ]] && echo "$f"
done | head -n 1)
if [[ -z $deb ]]; then
	say "downloading $PACKAGE $version"
	rm -f "$apt_dir"/debs/*.deb
	(cd "$apt_dir/debs" && apt-get "${apt_opts[@]}" -qq download "$PACKAGE=$version" >&2) ||
		die "apt-get download $PACKAGE=$version failed"
	deb=$(find "$apt_dir/debs" -name "${PACKAGE}_*_all.deb" | head -n 1)
	[[ -n $deb ]] || die "apt-get download left no $PACKAGE package"
fi

# --- the source tree, extracted once per version.
src=$cache/src
if [[ $(cat "$src/.kabistat-version" 2>/dev/null) != "$version" ]]; then
	say "extracting $PACKAGE $version"
	rm -rf "$src" "$cache/src.tmp"
	mkdir -p "$cache/src.tmp/deb"
	dpkg-deb -x "$deb" "$cache/src.tmp/deb"
	tarball=$cache/src.tmp/deb/usr/src/$PACKAGE.tar.xz
	[[ -f $tarball ]] || die "$deb has no /usr/src/$PACKAGE.tar.xz"
	mkdir -p "$cache/src.tmp/tree"
	tar -xJf "$tarball" -C "$cache/src.tmp/tree" --strip-components=1
	mv "$cache/src.tmp/tree" "$src"
	rm -rf "$cache/src.tmp"
	echo "$version" >"$src/.kabistat-version"
fi

# --- the build, redone only when its inputs change.
out=$cache/build
bzimage=$out/arch/x86/boot/bzImage
key="$version $(sha256sum <"$fragment" | cut -d' ' -f1) $(${CC:-gcc} --version | head -n 1)"
kmake=(make -s -C "$src" O="$out")

# Every line of the fragment, "CONFIG_X=..." or "# CONFIG_X is not set",
# must be in the final .config.
verify_config() {
	local line missing=0
	while IFS= read -r line; do
		[[ $line =~ ^CONFIG_[A-Za-z0-9_]+= || $line =~ ^#\ CONFIG_[A-Za-z0-9_]+\ is\ not\ set$ ]] ||
			continue
		if ! grep -qxF -- "$line" "$out/.config"; then
			local sym=${line#\# }
			sym=${sym%%[= ]*}
			say "fragment line lost: '$line'; .config has: '$(grep -E "^(# )?${sym}[= ]" "$out/.config" || echo "nothing")'"
			missing=1
		fi
	done <"$fragment"
	((missing == 0)) || die "the kernel configuration does not contain the whole fragment (Kconfig dependencies?)"
}

if [[ $(cat "$out/.kabistat-stamp" 2>/dev/null) != "$key" || ! -f $bzimage ]]; then
	log=$cache/build.log
	say "building $PACKAGE $version (tinyconfig + $(basename "$fragment"), $jobs jobs; log: $log)"
	start=$SECONDS
	rm -rf "$out"
	mkdir -p "$out"
	{
		"${kmake[@]}" tinyconfig &&
			"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$fragment" &&
			"${kmake[@]}" olddefconfig
	} >"$log" 2>&1 || { tail -n 30 "$log" >&2; die "configuration failed"; }
	verify_config
	# "modules" with no module configured only writes Module.symvers, which
	# external module builds want.
	"${kmake[@]}" -j"$jobs" bzImage modules modules_prepare >>"$log" 2>&1 ||
		{ tail -n 40 "$log" >&2; die "build failed"; }
	[[ -f $bzimage ]] || die "build finished without $bzimage"
	echo "$key" >"$out/.kabistat-stamp"
	say "built in $((SECONDS - start)) s"
fi

kver=$("${kmake[@]}" kernelrelease)
echo "$SERIES $kver $bzimage $out"
