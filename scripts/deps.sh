#!/bin/bash
# Make sure the Debian packages kabistat needs to build and test are installed.
# Fast when everything is present: a single dpkg-query call, no apt.
set -euo pipefail

# Kernel metapackages come first so apt resolves the current ABI of each LTS
# series; the exact versions are picked later by scripts/kernels.sh.
packages=(
	linux-image-cloud-amd64 linux-headers-cloud-amd64            # 6.1 LTS
	linux-image-6.12-cloud-amd64 linux-headers-6.12-cloud-amd64  # 6.12 LTS
	build-essential gcc-multilib dwarves
	# The 7.3 debug kernel (scripts/debug-kernel.sh): its source comes
	# through a private apt setup, never installed; these build it.
	bc flex bison libelf-dev libssl-dev
	kmod cpio xz-utils pkg-config qemu-system-x86 busybox-static
	libnl-3-dev libnl-genl-3-dev libseccomp-dev linux-source-6.1 sparse shellcheck
	manpages-dev dkms valgrind libc6-dbg
	libmicrohttpd-dev libncurses-dev   # kabistat export --listen, kabistat top
	prometheus   # promtool, for the exposition check in scripts/host-tests.sh
	bpftrace clang libbpf-dev sysdig   # make bench (sysdig: its driver is built by hand)
)
# The Kubernetes manifests' validator (scripts/host-tests.sh) runs on
# Node.js with packages from npm.  A machine with another build of Node.js
# (whose package bundles npm) keeps it: Debian's npm would conflict.
command -v npm >/dev/null || packages+=(nodejs npm)

# dpkg-query prints nothing for packages it has never heard of, so anything
# not reported as "installed" counts as missing.  Its exit status is non-zero
# in that case, which is expected.
declare -A status=()
while read -r name state; do
	status[$name]=$state
done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${packages[@]}" 2>/dev/null || true)

missing=()
for pkg in "${packages[@]}"; do
	[[ ${status[$pkg]:-} == installed ]] || missing+=("$pkg")
done
((${#missing[@]} == 0)) && exit 0

if ((EUID != 0)); then
	echo "deps.sh: missing packages: ${missing[*]}; run: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps.sh: installed ${missing[*]}"
