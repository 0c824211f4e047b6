#!/bin/bash
# Print the kernels the tests run on, one per line: NAME KVER VMLINUZ KDIR.
# Usage: kernels.sh [--installed] [NAME...]
#   NAME is a series such as 5.10, 6.1, 6.12 or 7.3, or arm64-6.1 and
#   arm64-6.12 (Debian's arm64 kernels, arm64-kernel.sh).  --installed: only the
#   Debian kernels already installed, quietly leaving out the others, the
#   fetched 5.10 and the debug kernel, so that nothing is built (make demo).
# The Debian LTS kernels are discovered from /boot, never written down, so a
# Debian point release or ABI bump needs no edit here.  The oldest series is
# Debian 11's, which bookworm cannot install: bullseye-kernel.sh fetches and
# unpacks it into a cache (the newest ABI, resolved on each run).  The
# newest series is a debug kernel built from Debian's source package by
# debug-kernel.sh (cached; the first run builds it).
# A series that cannot be provided is reported on stderr and makes the exit
# status non-zero; the others are still printed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
old=5.10
lts=(6.1 6.12)
debug=7.3
arm64=(arm64-6.1 arm64-6.12)
series=("$old" "${lts[@]}" "$debug" "${arm64[@]}")

installed=0
if [[ ${1:-} == --installed ]]; then
	shift
	installed=1
	series=("${lts[@]}")
fi
if (($# > 0)); then
	for wanted in "$@"; do
		[[ " ${series[*]} " == *" $wanted "* ]] || {
			echo "kernels.sh: unknown kernel series '$wanted' (known: ${series[*]})" >&2
			exit 2
		}
	done
	series=("$@")
fi

# Headers may live in either place depending on how they were installed.
headers_dir() {
	local kver=$1 dir
	for dir in "/usr/src/linux-headers-$kver" "/lib/modules/$kver/build"; do
		if [[ -f $dir/Makefile ]]; then
			echo "$dir"
			return 0
		fi
	done
	return 1
}

# The fetched kernels (5.10, arm64: downloads, each into a cache of its
# own under its own lock) come in the background while the debug kernel
# builds in the foreground, then every line is printed in series order.
fetch() {
	local name=$1
	if [[ $name == "$old" ]]; then
		"$here/bullseye-kernel.sh" ||
			{ echo "kernels.sh: the $name kernel could not be fetched (scripts/bullseye-kernel.sh)" >&2; return 1; }
	else
		"$here/arm64-kernel.sh" "${name#arm64-}" ||
			{ echo "kernels.sh: the $name kernel could not be fetched (scripts/arm64-kernel.sh)" >&2; return 1; }
	fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for name in "${series[@]}"; do
	if [[ $name == "$old" || $name == arm64-* ]]; then
		fetch "$name" >"$tmp/$name" &
		echo $! >"$tmp/$name.pid"
		continue
	fi
	if [[ $name == "$debug" ]]; then
		if ! "$here/debug-kernel.sh" >"$tmp/$name"; then
			echo "kernels.sh: the $name debug kernel could not be built (scripts/debug-kernel.sh)" >&2
			status=1
		fi
		continue
	fi
	found=
	while read -r kver; do
		kdir=$(headers_dir "$kver") || continue
		found="$name $kver /boot/vmlinuz-$kver $kdir"
		break
	done < <(find /boot -maxdepth 1 -name "vmlinuz-$name.*-cloud-amd64" -printf '%f\n' |
		sed 's/^vmlinuz-//' | sort -rV)
	if [[ -z $found ]]; then
		((installed)) && continue
		echo "kernels.sh: no $name kernel with both /boot/vmlinuz and headers; run scripts/deps.sh" >&2
		status=1
		continue
	fi
	echo "$found" >"$tmp/$name"
done
for name in "${series[@]}"; do
	if [[ -f $tmp/$name.pid ]] && ! wait "$(cat "$tmp/$name.pid")"; then
		status=1
	fi
	[[ ! -f $tmp/$name ]] || cat "$tmp/$name"
done
exit "$status"
