#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The arm64 user land of the arm64 guests and of the cross builds: Debian
# 12's arm64 busybox-static, C library and the libraries libkabistat, the
# CLI and the tests link to, with their development files and everything
# they depend on, unpacked into one tree (a sysroot) in the cache.  Prints
# the sysroot's path on stdout; progress and errors go to stderr.
#
# The packages come through apt-get download with a private sources list
# and state directory of architecture arm64 (scripts/private-apt.sh): the
# dependency closure apt computes against an empty status, so nothing is
# ever installed into the system.  The tree is made again when the closure
# changes.
#
# Environment: KABISTAT_CACHE (default /var/cache/kabistat, or
# ~/.cache/kabistat when that is not writable).
set -euo pipefail

SUITE=bookworm
# kmod: the module tools of the installed-tree tests (stage-root.sh).
PACKAGES=(busybox-static libc6-dev libnl-3-dev libnl-genl-3-dev libseccomp-dev
	libmicrohttpd-dev libncurses-dev kmod)

say() { echo "arm64-sysroot: $*" >&2; }
die() {
	say "$*"
	exit 1
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/private-apt.sh
. "$here/private-apt.sh"
ks_cache arm64-sysroot
ks_private_apt "$SUITE" main arm64

root=$cache/root
closure=$(apt-cache "${apt_opts[@]}" depends --recurse --no-recommends --no-suggests \
	--no-conflicts --no-breaks --no-replaces --no-enhances "${PACKAGES[@]}" 2>/dev/null |
	awk '/^[a-z0-9]/ && !/:any$/ && !/^</ { print }' | sort -u)
[[ -n $closure ]] || {
	[[ -d $root ]] || die "no index of $SUITE at $mirror, and nothing is cached"
	say "no index: using the cached sysroot"
	echo "$root"
	exit 0
}

if [[ $(cat "$root/.kabistat-closure" 2>/dev/null) != "$closure" ]]; then
	debs=$apt_dir/debs
	rm -f "$debs"/*.deb
	# shellcheck disable=SC2086 # one package name a word
	say "downloading $(wc -w <<<"$closure") packages"
	# shellcheck disable=SC2086
	(cd "$debs" && apt-get "${apt_opts[@]}" -qq download $closure >&2) ||
		die "apt-get download failed"
	say "unpacking"
	rm -rf "$root" "$cache/root.tmp"
	mkdir -p "$cache/root.tmp"
	for deb in "$debs"/*.deb; do
		dpkg-deb -x "$deb" "$cache/root.tmp"
	done
	echo "$closure" >"$cache/root.tmp/.kabistat-closure"
	mv "$cache/root.tmp" "$root"
fi
echo "$root"
