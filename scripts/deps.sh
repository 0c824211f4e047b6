#!/bin/bash
# Make sure the Debian packages kabistat needs to build and test are installed.
# Fast when everything is present: a single dpkg-query call, no apt.
#   deps.sh          everything: make check, lint, bench, dkms
#   deps.sh --demo   only what make demo needs (a fraction of the download)
set -euo pipefail

# make demo: the newest LTS kernel and its headers, the module's and the
# CLI's build (the CLI's syscall tables come from linux-source-6.1, the
# 6.12 headers and syscalls(2)), the sample workloads (32-bit: the i686
# cross compiler, which unlike gcc-multilib can sit beside the arm64 and
# armhf ones),
# and qemu with busybox for the guest.  Kernel metapackages come first so
# apt resolves the current ABI of each LTS series; the exact versions are
# picked later by scripts/kernels.sh.
demo_packages=(
	linux-image-6.12-cloud-amd64 linux-headers-6.12-cloud-amd64  # 6.12 LTS
	build-essential gcc-i686-linux-gnu libc6-dev-i386-cross dwarves kmod pkg-config python3
	libnl-3-dev libnl-genl-3-dev
	libmicrohttpd-dev libncurses-dev   # kabistat export --listen, kabistat top
	libseccomp-dev   # kabistat seccomp: the names libseccomp knows
	linux-source-6.1 xz-utils manpages-dev
	qemu-system-x86 busybox-static cpio
)

packages=(
	"${demo_packages[@]}"
	linux-image-cloud-amd64 linux-headers-cloud-amd64            # 6.1 LTS
	# The 7.3 debug kernel (scripts/debug-kernel.sh): its source comes
	# through a private apt setup, never installed; these build it.
	bc flex bison libelf-dev libssl-dev
	sparse shellcheck
	crun   # the OCI runtime of selftests/cli_crun.c, in the guest's root
	dkms valgrind libc6-dbg
	prometheus   # promtool, for the exposition check in scripts/host-tests.sh
	bpftrace clang libbpf-dev sysdig   # make bench (sysdig: its driver is built by hand)
	# The arm64 guests (KERNELS=arm64-6.1 arm64-6.12), and qemu-aarch64,
	# which lists the cross-built tests (-l) for tests.list.  The arm64
	# kernels, user land and cross compilers (which conflict with
	# gcc-multilib) are never installed: see scripts/arm64-*.sh.
	qemu-system-arm qemu-user
)
# The Kubernetes manifests' validator (scripts/host-tests.sh) runs on
# Node.js with packages from npm.  A machine with another build of Node.js
# (whose package bundles npm) keeps it: Debian's npm would conflict.
command -v npm >/dev/null || packages+=(nodejs npm)

case ${1:-} in
--demo) packages=("${demo_packages[@]}") ;;
'') ;;
*)
	echo "usage: deps.sh [--demo]" >&2
	exit 2
	;;
esac

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

echo "deps.sh: installing ${missing[*]} (apt-get; this can take minutes)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps.sh: installed ${missing[*]}"
