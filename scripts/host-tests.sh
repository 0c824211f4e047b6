#!/bin/bash
# Host-side checks of how kabistat installs: DKMS, make install, pkg-config,
# module metadata, man pages and the systemd unit.  Nothing is loaded into
# the host's kernel and nothing is installed on the host: DKMS runs on a
# private tree, make install on a DESTDIR.
#
# Usage: host-tests.sh SUMMARY
# Appends one line per check to SUMMARY: "pass NAME", "fail NAME" or
# "skip NAME REASON" (selftests/vm/report.sh reads them).  What failed is
# explained on stderr; full logs stay in $BUILD/host-tests/.
# DKMS_KERNELS (default "6.1 6.12 5.10") names the kernel series, as
# understood by scripts/kernels.sh, that DKMS builds for; the first one's
# module is the one whose metadata is checked.
set -uo pipefail

if (($# != 1)); then
	echo "usage: host-tests.sh SUMMARY" >&2
	exit 2
fi
summary=$(realpath -m "$1")
cd "$(dirname "$0")/.." || exit 2
BUILD=$(realpath -m "${BUILD:-$PWD/build}")
MAKE=${MAKE:-make}
DKMS_KERNELS=${DKMS_KERNELS:-6.1 6.12 5.10}
VERSION=$(cat VERSION)
logs=$BUILD/host-tests
rm -rf "$logs"
mkdir -p "$logs" "$(dirname "$summary")"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kabistat-host-tests.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Whatever make runs us with must not leak into the makes we run.
unset MAKEFLAGS MAKELEVEL MFLAGS

failed=0
pass() { echo "pass $1" >>"$summary"; }
fail() {
	echo "fail $1" >>"$summary"
	failed=$((failed + 1))
	shift
	echo "host-tests: $*" >&2
}
skip() {
	local name=$1
	shift
	echo "skip $name $*" >>"$summary"
}
# check NAME CMD...: pass or fail by the command's status; output to a log.
check() {
	local name=$1 log
	shift
	log=$logs/${name//\//_}.log
	if "$@" >"$log" 2>&1; then
		pass "$name"
	else
		fail "$name" "$name failed; log: $log"
		tail -n 15 "$log" | sed 's/^/    /' >&2
	fi
}

# Kernel series -> "KVER KDIR", from scripts/kernels.sh (one call per series
# keeps older and newer versions of it working).
declare -A kver=() kdir=()
for series in $DKMS_KERNELS; do
	if read -r _ k _ d < <(scripts/kernels.sh "$series" 2>/dev/null) && [[ -n $k ]]; then
		kver[$series]=$k kdir[$series]=$d
	fi
done

# The compression suffix modules_install and dkms give a module (.ko.xz on
# Debian's 6.12 kernels, .ko on 6.1).
module_suffix() {
	local config=$1/.config
	if grep -q '^CONFIG_MODULE_COMPRESS_XZ=y' "$config" 2>/dev/null; then
		echo .xz
	elif grep -q '^CONFIG_MODULE_COMPRESS_GZIP=y' "$config" 2>/dev/null; then
		echo .gz
	elif grep -q '^CONFIG_MODULE_COMPRESS_ZSTD=y' "$config" 2>/dev/null; then
		echo .zst
	fi
}

# --- DKMS ----------------------------------------------------------------

# Everything DKMS could touch on the host, to prove it was not.
dkms_footprint() {
	find /var/lib/dkms /usr/src -maxdepth 3 -path '*kabistat*' 2>/dev/null
	find /var/lib/dkms -maxdepth 1 2>/dev/null
	find /lib/modules -path '*/updates/dkms/kabistat*' 2>/dev/null
}
dkms_footprint | sort >"$tmp/footprint.before"

dkms_root=$tmp/dkms
# The source tree holds Kbuild, VERSION, dkms.conf, kmod/ and include/ and
# nothing else; kmod/ holds exactly the module's sources.
dkms_source() {
	local src=$dkms_root/src/kabistat-$VERSION
	$MAKE -s dkms-source DESTDIR="$dkms_root/stage" DKMS_SRCDIR="/kabistat-$VERSION" || return 1
	mkdir -p "$dkms_root/src" && mv "$dkms_root/stage/kabistat-$VERSION" "$src" || return 1
	(cd "$src" && find . -type f | sed 's|^\./||' | sort) >"$tmp/dkms.got"
	{
		printf '%s\n' dkms.conf Kbuild VERSION include/uapi/linux/kabistat.h
		if git rev-parse --git-dir >/dev/null 2>&1; then
			git ls-files --cached --others --exclude-standard kmod
		else
			find kmod -type f
		fi | grep -Ev '\.(o|ko|mod|mod\.c|cmd|inc|order|symvers)$|/\.'
	} | sort -u >"$tmp/dkms.want"
	diff -u "$tmp/dkms.want" "$tmp/dkms.got" || return 1
	grep -qx "PACKAGE_VERSION=\"$VERSION\"" "$src/dkms.conf" || {
		echo "dkms.conf: PACKAGE_VERSION is not $VERSION"
		return 1
	}
	grep -qx 'AUTOINSTALL="yes"' "$src/dkms.conf"
}
check dkms/source-tree dkms_source

# dkms's own options keep its state in the private tree; the signing key it
# generates when the kernel has a sign-file goes there too.
dkms_private() {
	mkdir -p "$dkms_root/tree" "$dkms_root/install" || return 1
	mok_signing_key=$dkms_root/mok.key mok_certificate=$dkms_root/mok.pub \
		dkms --dkmstree "$dkms_root/tree" --sourcetree "$dkms_root/src" \
		--installtree "$dkms_root/install" "$@"
}
dkms_build() {
	local series=$1 k=${kver[$1]} d=${kdir[$1]} ko
	if [[ ! -d $dkms_root/tree/kabistat/$VERSION ]]; then
		dkms_private add -m kabistat -v "$VERSION" || return 1
	fi
	dkms_private build -m kabistat -v "$VERSION" -k "$k" --kernelsourcedir "$d" || return 1
	ko=$(find "$dkms_root/tree/kabistat/$VERSION/$k" -path '*/module/kabistat.ko*' | head -n 1)
	[[ -n $ko ]] || { echo "no kabistat.ko in the dkms tree for $k"; return 1; }
	echo "built: $ko"
	[[ $(modinfo -F vermagic "$ko") == "$k "* ]] || {
		echo "vermagic $(modinfo -F vermagic "$ko") is not for $k"
		return 1
	}
	[[ $series == "${DKMS_KERNELS%% *}" ]] && cp "$ko" "$tmp/modinfo.ko${ko##*.ko}"
	return 0
}
if ! command -v dkms >/dev/null; then
	for series in $DKMS_KERNELS; do
		fail "dkms/build-$series" "dkms is not installed (scripts/deps.sh installs it)"
	done
else
	for series in $DKMS_KERNELS; do
		if [[ -z ${kver[$series]:-} ]]; then
			fail "dkms/build-$series" "no $series kernel with headers (scripts/kernels.sh $series)"
			continue
		fi
		check "dkms/build-$series" dkms_build "$series"
	done
fi

dkms_footprint | sort >"$tmp/footprint.after"
check dkms/host-untouched diff -u "$tmp/footprint.before" "$tmp/footprint.after"

# --- module metadata ------------------------------------------------------

modinfo_ko=$(find "$tmp" -maxdepth 1 -name "modinfo.ko*" | head -n 1)
modinfo_check() {
	local field value status=0 params
	for field in description author license version; do
		value=$(modinfo -F "$field" "$modinfo_ko")
		echo "$field: $value"
		[[ -n $value ]] || { echo "missing: $field"; status=1; }
	done
	[[ $(modinfo -F license "$modinfo_ko") == GPL* ]] || { echo "license is not GPL"; status=1; }
	[[ $(modinfo -F version "$modinfo_ko") == "$VERSION" ]] || { echo "version is not $VERSION"; status=1; }
	# "name:description (type)"; a parameter without a description shows
	# as "name:(type)" or not at all.
	params=$(modinfo -F parm "$modinfo_ko")
	echo "$params"
	for p in max_cgroups max_memory cache_slots released_ttl; do
		grep -Eq "^$p:.*[^ ] \([a-z]+\)$" <<<"$params" || { echo "parameter $p has no description"; status=1; }
	done
	if grep -Eq '^[a-z_0-9]+:\(' <<<"$params"; then
		echo "parameters without a description"
		status=1
	fi
	# The selftests' parameters belong to the test build alone.
	if grep -Eq '^test_' <<<"$params"; then
		echo "the module users install has test-only parameters"
		status=1
	fi
	return $status
}
if [[ -n $modinfo_ko ]]; then
	check module/modinfo modinfo_check
else
	fail module/modinfo "no module was built (dkms/build-*)"
fi

# --- make install ---------------------------------------------------------

root=$tmp/root
prefix=/usr/local
last=${DKMS_KERNELS##* }
ik=${kver[$last]:-} id=${kdir[$last]:-}
if [[ -z $ik ]]; then
	fail install/make "no $last kernel with headers for the module"
	installed=false
else
	check install/make "$MAKE" install DESTDIR="$root" KVER="$ik" KDIR="$id"
	[[ -x $root$prefix/bin/kabistat ]] && installed=true || installed=false
fi

lib_funcs() {
	sed -n 's/^[[:space:]]*\(kabistat_[a-z0-9_]*\);.*/\1/p' userspace/lib/libkabistat.map
}

# Every file, exactly; directories apart.
install_layout() {
	{
		echo "/lib/modules/$ik/extra/kmod/kabistat.ko$(module_suffix "$id")"
		for f in bin/kabistat include/kabistat.h include/linux/kabistat.h \
			lib/libkabistat.so.1.0.0 lib/libkabistat.so.1 lib/libkabistat.so \
			lib/pkgconfig/kabistat.pc \
			lib/udev/rules.d/60-kabistat.rules \
			lib/systemd/system/kabistat-exporter.service \
			share/man/man8/kabistat.8 share/man/man4/kabistat.4 \
			share/man/man4/kabistat.ko.4 share/man/man3/libkabistat.3; do
			echo "$prefix/$f"
		done
		lib_funcs | sed "s|.*|$prefix/share/man/man3/&.3|"
	} | sort >"$tmp/layout.want"
	(cd "$root" && find . ! -type d | sed 's|^\.||' | sort) >"$tmp/layout.got"
	diff -u "$tmp/layout.want" "$tmp/layout.got" || return 1
	# modes: executables 0755, everything else 0644
	find "$root" -type f -printf '%m %P\n' | while read -r mode path; do
		case $path in
		*/bin/kabistat) want=755 ;;
		*) want=644 ;;
		esac
		[[ $mode == "$want" ]] || { echo "$path: mode $mode, want $want"; exit 1; }
	done
}

install_soname() {
	local lib=$root$prefix/lib
	readelf -d "$lib/libkabistat.so.1.0.0" | tee /dev/stderr |
		grep 'SONAME.*\[libkabistat\.so\.1\]' >/dev/null || { echo "SONAME is not libkabistat.so.1"; return 1; }
	[[ $(readlink "$lib/libkabistat.so.1") == libkabistat.so.1.0.0 ]] || return 1
	[[ $(readlink "$lib/libkabistat.so") == libkabistat.so.1 ]] || return 1
	# the exported functions carry the map's version
	nm -D --defined-only "$lib/libkabistat.so.1.0.0" | grep -c ' T kabistat_.*@@KABISTAT_' |
		grep -qx "$(lib_funcs | wc -l)"
}

# The installed CLI has no rpath: it finds the library in LIBDIR through the
# dynamic linker (ldconfig on a real install; LD_LIBRARY_PATH here).
install_cli() {
	local bin=$root$prefix/bin/kabistat lib=$root$prefix/lib out
	readelf -d "$bin" | tee "$tmp/cli.dyn"
	if grep -Eq 'RPATH|RUNPATH' "$tmp/cli.dyn"; then
		echo "the installed CLI has an rpath"
		return 1
	fi
	grep -q 'NEEDED.*\[libkabistat\.so\.1\]' "$tmp/cli.dyn" || return 1
	LD_LIBRARY_PATH=$lib ldd "$bin" | tee /dev/stderr |
		grep "libkabistat\.so\.1 => $lib/libkabistat\.so\.1 " >/dev/null || return 1
	out=$(LD_LIBRARY_PATH=$lib "$bin" --version) || return 1
	[[ $out == "kabistat $VERSION" ]]
}

install_pc() {
	local pc=$root$prefix/lib/pkgconfig/kabistat.pc
	cat "$pc"
	grep -qx "prefix=$prefix" "$pc" && grep -qx "libdir=$prefix/lib" "$pc" &&
		grep -qx "includedir=$prefix/include" "$pc" &&
		grep -qx "Version: $VERSION" "$pc"
}

# The flags pkg-config gives for the installed tree build a program that
# calls the library; it runs against the installed library (the module is
# not loaded on the host, so kabistat_open() fails with -ENOENT, or
# succeeds where it is).
pkgconfig_program() {
	local flags lib=$root$prefix/lib
	flags=$(PKG_CONFIG_PATH=$lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root \
		pkg-config --cflags --libs kabistat) || return 1
	echo "flags: $flags"
	[[ " $flags " == *" -I$root$prefix/include "* && " $flags " == *" -L$lib "* &&
		" $flags " == *" -lkabistat "* ]] || { echo "unexpected flags"; return 1; }
	cat >"$tmp/prog.c" <<-'EOF'
	#include <errno.h>
	#include <stdio.h>
	#include <kabistat.h>

	int main(void)
	{
		char msg[KABISTAT_ERRMSG_LEN] = "";
		struct kabistat *ks = NULL;
		int err = kabistat_open(&ks, msg);

		printf("kabistat_open: %d %s (uapi %d)\n", err, msg,
		       KABISTAT_UAPI_VERSION);
		kabistat_close(ks);
		return err == 0 || err == -ENOENT ? 0 : 1;
	}
	EOF
	# shellcheck disable=SC2086 # the flags are words
	cc -Wall -Wextra -Werror -o "$tmp/prog" "$tmp/prog.c" $flags || return 1
	LD_LIBRARY_PATH=$lib "$tmp/prog"
}

udev_and_modules_load() {
	local r=$tmp/root2
	$MAKE -s install-userspace DESTDIR="$r" MODULES_LOAD=1 KABISTAT_GROUP=kabistat >/dev/null || return 1
	grep -qx kabistat "$r$prefix/lib/modules-load.d/kabistat.conf" || return 1
	grep -q 'KERNEL=="kabistat".*GROUP="kabistat", MODE="0660"' \
		"$r$prefix/lib/udev/rules.d/60-kabistat.rules" || return 1
	grep -q 'KERNEL=="kabistat".*GROUP="root", MODE="0600"' \
		"$root$prefix/lib/udev/rules.d/60-kabistat.rules" || return 1
	[[ ! -e $root$prefix/lib/modules-load.d ]] || { echo "modules-load.d installed without MODULES_LOAD=1"; return 1; }
}

uninstall_all() {
	$MAKE -s uninstall DESTDIR="$root" KVER="$ik" || return 1
	(cd "$root" && find . ! -type d) | tee /dev/stderr | { ! grep -q .; }
}

# --- man pages ------------------------------------------------------------

mandir=$root$prefix/share/man
# Renders without a single groff or man warning.
man_render() {
	local page=$1 err
	err=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings=w -l "$page" 2>&1 >/dev/null)
	err+=$(groff -man -ww -z "$page" 2>&1)
	[[ -z $err ]] || { echo "$err"; return 1; }
}
# Plain text, one paragraph per line as far as possible, for searching.
man_text() {
	LC_ALL=C MANWIDTH=1000 man -l "$1" 2>/dev/null | col -bx | sed 's/^ *//'
}
# The links (kabistat.ko(4), kabistat_open(3), ...) resolve to their page.
man_links() {
	local f status=0
	MANPATH=$mandir man -w 4 kabistat.ko | grep '/man4/kabistat\.4$' >/dev/null || status=1
	for f in $(lib_funcs); do
		MANPATH=$mandir man -w 3 "$f" | grep '/man3/libkabistat\.3$' >/dev/null ||
			{ echo "man 3 $f does not open libkabistat(3)"; status=1; }
	done
	return $status
}
# kabistat(8): every command's usage line, exactly as `kabistat help` shows
# it, heads a subsection, and every global option is described.  When a
# command is added to the CLI, this fails until the page documents it.
man_cli() {
	local bin=$root$prefix/bin/kabistat lib=$root$prefix/lib status=0 line
	LD_LIBRARY_PATH=$lib "$bin" help >"$tmp/help" || return 1
	man_text "$mandir/man8/kabistat.8" >"$tmp/kabistat.8.txt"
	while IFS= read -r line; do
		grep -Fxq -- "$line" "$tmp/kabistat.8.txt" ||
			{ echo "kabistat(8) lacks: $line"; status=1; }
	done < <(sed -n '/^Commands:/,$s/^  \([a-z]\)/\1/p' "$tmp/help")
	while IFS= read -r line; do
		grep -Fxq -- "$line" "$tmp/kabistat.8.txt" ||
			{ echo "kabistat(8) lacks the option: $line"; status=1; }
	done < <(sed -n '/^Options:/,/^$/s/^  \(-[^ ]*, --[a-z]*\) .*/\1/p' "$tmp/help")
	return $status
}
# libkabistat(3): every exported function in the synopsis.
man_lib() {
	local f status=0
	man_text "$mandir/man3/libkabistat.3" >"$tmp/libkabistat.3.txt"
	for f in $(nm -D --defined-only "$root$prefix/lib/libkabistat.so.1" |
		sed -n 's/.* T \(kabistat_[a-z0-9_]*\)@@.*/\1/p'); do
		grep -Eq "[ *]$f\(" "$tmp/libkabistat.3.txt" ||
			{ echo "libkabistat(3) lacks $f()"; status=1; }
	done
	return $status
}
# kabistat(4): every module parameter.
man_params() {
	local p status=0
	man_text "$mandir/man4/kabistat.4" >"$tmp/kabistat.4.txt"
	for p in $(modinfo -F parm "$modinfo_ko" | cut -d: -f1); do
		grep -q -- "$p" "$tmp/kabistat.4.txt" ||
			{ echo "kabistat(4) lacks the parameter $p"; status=1; }
	done
	return $status
}

# --- systemd unit ---------------------------------------------------------

unit=$root$prefix/lib/systemd/system/kabistat-exporter.service
# systemd-analyze checks ExecStart's binary on the host: point it into the
# DESTDIR tree, and MANPATH there for Documentation=.
unit_verify() {
	sed "s|^ExecStart=$prefix/bin/|ExecStart=$root$prefix/bin/|" "$unit" \
		>"$tmp/kabistat-exporter.service"
	MANPATH=$mandir systemd-analyze verify "$tmp/kabistat-exporter.service" 2>&1 |
		tee "$tmp/verify.out"
	((PIPESTATUS[0] == 0)) && ! grep -q . "$tmp/verify.out"
}
# One capability, a dynamic user, and nothing that breaks netlink_capable().
unit_hardening() {
	local want
	for want in DynamicUser=yes AmbientCapabilities=CAP_PERFMON \
		CapabilityBoundingSet=CAP_PERFMON NoNewPrivileges=yes \
		ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
		'RestrictAddressFamilies=AF_NETLINK AF_INET AF_INET6 AF_UNIX' \
		"ExecStart=$prefix/bin/kabistat export --listen 127.0.0.1:9717 --top 20"; do
		grep -qx -- "$want" "$unit" || { echo "missing: $want"; return 1; }
	done
	! grep -Eq '^(PrivateUsers|PrivateNetwork)=yes' "$unit" || return 1
	if systemd-analyze security --help 2>/dev/null | grep -- --offline >/dev/null; then
		systemd-analyze security --offline=yes "$tmp/kabistat-exporter.service" | tail -n 1
	fi
}

# The exporter's image (packaging/kubernetes/exporter.Containerfile)
# installs, on debian:bookworm-slim, the Debian package of every library
# the installed CLI and libkabistat link directly (libc6 is in the image).
k8s_exporter_packages() {
	local file=packaging/kubernetes/exporter.Containerfile so path pkg status=0
	local listed
	listed=$(sed -n '/apt-get install/,/rm -rf/p' "$file" | tr ' \\' '\n\n' |
		grep -E '^lib[a-z0-9.+-]+$' | sort -u)
	echo "the image installs: $(echo $listed)"
	while read -r so; do
		[[ $so == libkabistat.so.1 ]] && continue
		path=$(ldconfig -p | awk -v s="$so" '$1 == s && /x86-64/ { print $NF; exit }')
		pkg=$( { dpkg -S "$path" || dpkg -S "$(readlink -f "$path")"; } 2>/dev/null |
			head -n 1 | cut -d: -f1)
		echo "$so: $path, package ${pkg:-?}"
		[[ -n $pkg ]] || { echo "no package for $so"; status=1; continue; }
		[[ $pkg == libc6 ]] || grep -qx -- "$pkg" <<<"$listed" ||
			{ echo "$file lacks $pkg (for $so)"; status=1; }
	done < <( { readelf -d "$root$prefix/bin/kabistat"
		readelf -d "$root$prefix/lib/libkabistat.so.1.0.0"; } |
		sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u)
	return $status
}

if $installed; then
	check install/layout install_layout
	check install/soname install_soname
	check install/cli-no-rpath install_cli
	check install/pkgconfig-file install_pc
	check install/udev-modules-load udev_and_modules_load
	check pkgconfig/compile-link-run pkgconfig_program
	for page in man8/kabistat.8 man3/libkabistat.3 man4/kabistat.4; do
		check "man/render-${page#*/}" man_render "$mandir/$page"
	done
	check man/links man_links
	check man/kabistat.8-commands man_cli
	check man/libkabistat.3-functions man_lib
	if [[ -n $modinfo_ko ]]; then
		check man/kabistat.4-parameters man_params
	else
		fail man/kabistat.4-parameters "no module to read the parameters from"
	fi
	if ! command -v systemd-analyze >/dev/null; then
		skip systemd/verify "systemd-analyze is not installed"
	else
		check systemd/verify unit_verify
	fi
	check systemd/hardening unit_hardening
	check k8s/exporter-image-packages k8s_exporter_packages
	check install/uninstall uninstall_all
else
	for name in install/layout install/soname install/cli-no-rpath \
		install/pkgconfig-file install/udev-modules-load \
		pkgconfig/compile-link-run man/render-kabistat.8 \
		man/render-libkabistat.3 man/render-kabistat.4 man/links \
		man/kabistat.8-commands man/libkabistat.3-functions \
		man/kabistat.4-parameters systemd/verify systemd/hardening \
		k8s/exporter-image-packages install/uninstall; do
		fail "$name" "nothing was installed (install/make failed)"
	done
fi

# --- CLI help ----------------------------------------------------------------

# One help text per command: `help CMD` and `CMD --help` print the same,
# and a usage line offers [-j] exactly where the command has JSON output.
cli_help() {
	local bin=$BUILD/bin/kabistat cmd status=0 nojson=" seccomp export help "
	$MAKE -s "$bin" || return 1
	for cmd in $("$bin" help | sed -n '/^Commands:/,$s/^  \([a-z]*\).*/\1/p'); do
		"$bin" help "$cmd" >"$tmp/help-$cmd" || { echo "help $cmd failed"; status=1; }
		"$bin" "$cmd" --help >"$tmp/dashdash-$cmd" || { echo "$cmd --help failed"; status=1; }
		diff -u "$tmp/help-$cmd" "$tmp/dashdash-$cmd" || status=1
		if [[ $nojson == *" $cmd "* ]]; then
			! grep -Fq '[-j]' "$tmp/help-$cmd" || { echo "$cmd offers -j"; status=1; }
		else
			grep -Fq "usage: kabistat [-j] $cmd" "$tmp/help-$cmd" ||
				{ echo "$cmd does not offer -j"; status=1; }
		fi
	done
	return $status
}
check cli/help cli_help

# --- libkabistat without the module ----------------------------------------

# The dump parser merges a cgroup sent in parts (made-up messages), and
# requests complete against the host kernel's own nlctrl family; under
# valgrind, whose errors and leaks fail the test that caused them.
lib_dump_parts() {
	local bin=$BUILD/host/dump-parts
	$MAKE -s "$bin" || return 1
	if command -v valgrind >/dev/null; then
		valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
			--error-exitcode=99 "$bin"
	else
		"$bin"
	fi
}
check lib/dump-parts lib_dump_parts

# --- the ABI hash tells kernels apart ----------------------------------------

# The tables kmod/gen-syscalls.sh generates from the 6.1 and the 6.12
# headers, as the module is built with them, hashed by the library
# (selftests/host/abi_hash.c; in the guests, genl_abi.c shows the module's
# hash equal to the library's): 6.12 added syscalls to both ABIs, so each
# ABI's two hashes differ, while each table hashed twice gives one hash.
abi_hash_kernels() {
	local bin=$BUILD/host/abi-hash series k d abi h1 h2
	local -A hash=()
	$MAKE -s "$bin" || return 1
	for series in 6.1 6.12; do
		read -r _ k _ d < <(scripts/kernels.sh "$series" 2>/dev/null)
		[[ -n ${d:-} ]] || { echo "no $series kernel headers"; return 1; }
		for abi in 64 32; do
			kmod/gen-syscalls.sh \
				"$d/arch/x86/include/generated/uapi/asm/unistd_$abi.h" \
				"$d/arch/x86/include/generated/asm/syscalls_$abi.h" \
				>"$tmp/syscalls-$series-$abi.inc" || return 1
			h1=$("$bin" "$tmp/syscalls-$series-$abi.inc") || return 1
			h2=$("$bin" "$tmp/syscalls-$series-$abi.inc") || return 1
			echo "$k ABI $abi: hash and implemented numbers: $h1"
			[[ $h1 == "$h2" ]] || { echo "two hashes of one table"; return 1; }
			hash[$series-$abi]=${h1%% *}
		done
	done
	for abi in 64 32; do
		[[ ${hash[6.1-$abi]} != "${hash[6.12-$abi]}" ]] || {
			echo "ABI $abi: 6.1 and 6.12 have one hash, ${hash[6.1-$abi]}"
			return 1
		}
	done
}
check abi/hash-differs-between-kernels abi_hash_kernels

# --- Prometheus exposition --------------------------------------------------

# The module cannot be loaded here, so `kabistat export` itself runs in the
# guest (selftests/cli_export.c: exact counts, monotonic scrapes, HTTP);
# here the same formatter, fed made-up readings with the awkward cases
# (escaping, aggregates, a reused path), must satisfy promtool's parser and
# linter in each of its shapes.
# Each shape goes to a file first.  (Here and above, no "cmd | grep -q":
# with pipefail it fails whenever grep stops reading before cmd is done.)
export_promtool() {
	local sample=$BUILD/host/export-sample shape
	$MAKE -s "$sample" || return 1
	for shape in all top totals noobserved; do
		echo "== export-sample $shape"
		"$sample" ${shape#all} >"$tmp/export-$shape.prom" || return 1
		cat "$tmp/export-$shape.prom"
		promtool check metrics <"$tmp/export-$shape.prom" || return 1
	done
	# escaped label values, as the format spells them
	grep -Fq 'cgroup="/odd \"name\" \\ here"' "$tmp/export-all.prom" || return 1
	grep -Fq 'kernel_release="6.1.0-test\nline"' "$tmp/export-all.prom" || return 1
	# bytes that are not UTF-8 as U+FFFD, one each; the cut path marked
	grep -Fxq 'kabistat_cgroup_path_truncated{cgroup_id="4246",cgroup="/bytes ��( tab	 é cut��",container_id=""} 1' \
		"$tmp/export-all.prom" || return 1
	[[ $(grep -c '^kabistat_cgroup_path_truncated{' "$tmp/export-all.prom") == 1 ]] || return 1
	# errors by errno, per cgroup
	grep -Fq 'cgroup="/odd \"name\" \\ here",container_id="",errno="EPERM"} 1' \
		"$tmp/export-all.prom" || return 1
	[[ $(grep -c '^kabistat_syscall_errno_total{cgroup_id="4242",.*,errno="\(ENOENT"} 3\|ENOSYS"} 7\)$' \
		"$tmp/export-all.prom") == 2 ]] || return 1
	# --top 1: read keeps its series, the rest of x86_64 is "other"
	grep -Fq 'syscall="read",abi="x86_64"} 100' "$tmp/export-top.prom" || return 1
	grep -Fq 'syscall="other",abi="x86_64"} 56' "$tmp/export-top.prom" || return 1
	! grep -q 'syscall=' "$tmp/export-totals.prom" || return 1
	# the observed total only when the module reported it
	grep -qx 'kabistat_observed_total 1234' "$tmp/export-all.prom" || return 1
	! grep -q 'kabistat_observed_total' "$tmp/export-noobserved.prom" || return 1
}
if ! command -v promtool >/dev/null; then
	fail export/promtool "promtool is not installed (scripts/deps.sh installs prometheus)"
else
	check export/promtool export_promtool
fi

# The fleet families, exactly, in each shape: the kernel as 6.001, each
# ABI's hash, and per cgroup the newest version its used syscalls need --
# clone3 (5.3), not openat2 (5.6), whose calls all returned ENOSYS;
# cachestat ("6.2-6.12") by its upper bound, used once with EPERM; two
# syscalls of one version, of which --top 1 keeps the one with most calls;
# three-part 2.6.16; a syscall the version table does not know, newer
# than its newest kernel V (">V", as the release after V); one series per
# cgroup under --no-syscall-labels.
export_fleet() {
	local sample=$BUILD/host/export-sample shape newest next future
	local id=3f2a0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab
	$MAKE -s "$sample" || return 1
	newest=$(sed -n 's/^const char ks_since_beyond\[\] = ">\([0-9.]*\)";$/\1/p' \
		"$BUILD/gen/syscall-versions.c")
	[[ $newest == *.* ]] || { echo "no ks_since_beyond in the version table"; return 1; }
	next=$(printf '%d.%03d' "${newest%%.*}" $((${newest#*.} + 1)))
	future="kabistat_cgroup_min_kernel_version{cgroup_id=\"4247\",cgroup=\"/future\",container_id=\"\",syscall=\"kabistat_future\",abi=\"x86_64\",since=\">$newest\"} $next"
	sed "s/@ID@/$id/g" >"$tmp/fleet-all.want" <<-'EOF'
	kabistat_kernel_version 6.001
	kabistat_abi_info{abi="x86_64",hash="0123456789abcdef",release="6.1.0-test\nline"} 1
	kabistat_abi_info{abi="ia32",hash="fedcba9876543210",release="6.1.0-test\nline"} 1
	kabistat_cgroup_min_kernel_version{cgroup_id="4242",cgroup="/system.slice/docker-@ID@.scope",container_id="@ID@",syscall="clone3",abi="x86_64",since="5.3"} 5.003
	kabistat_cgroup_min_kernel_version{cgroup_id="4243",cgroup="/odd \"name\" \\ here",container_id="",syscall="cachestat",abi="x86_64",since="6.2-6.12"} 6.012
	kabistat_cgroup_min_kernel_version{cgroup_id="4244",cgroup="/odd \"name\" \\ here",container_id="",syscall="read",abi="x86_64",since="1.0"} 1.000
	kabistat_cgroup_min_kernel_version{cgroup_id="4244",cgroup="/odd \"name\" \\ here",container_id="",syscall="write",abi="x86_64",since="1.0"} 1.000
	kabistat_cgroup_min_kernel_version{cgroup_id="4245",cgroup="/fleet/old",container_id="",syscall="unshare",abi="x86_64",since="2.6.16"} 2.006016
	EOF
	echo "$future" >>"$tmp/fleet-all.want"
	# --top 1: of the two 1.0 syscalls of cgroup 4244, write goes
	grep -v 'syscall="write"' "$tmp/fleet-all.want" >"$tmp/fleet-top.want"
	sed "s/@ID@/$id/g" >"$tmp/fleet-totals.want" <<-'EOF'
	kabistat_kernel_version 6.001
	kabistat_abi_info{abi="x86_64",hash="0123456789abcdef",release="6.1.0-test\nline"} 1
	kabistat_abi_info{abi="ia32",hash="fedcba9876543210",release="6.1.0-test\nline"} 1
	kabistat_cgroup_min_kernel_version{cgroup_id="4242",cgroup="/system.slice/docker-@ID@.scope",container_id="@ID@",since="5.3"} 5.003
	kabistat_cgroup_min_kernel_version{cgroup_id="4243",cgroup="/odd \"name\" \\ here",container_id="",since="6.2-6.12"} 6.012
	kabistat_cgroup_min_kernel_version{cgroup_id="4244",cgroup="/odd \"name\" \\ here",container_id="",since="1.0"} 1.000
	kabistat_cgroup_min_kernel_version{cgroup_id="4245",cgroup="/fleet/old",container_id="",since="2.6.16"} 2.006016
	EOF
	echo "${future/,syscall=\"kabistat_future\",abi=\"x86_64\"/}" >>"$tmp/fleet-totals.want"
	for shape in all top totals; do
		"$sample" ${shape#all} >"$tmp/fleet-$shape.prom" || return 1
		grep -E '^kabistat_(kernel_version|abi_info|cgroup_min_kernel_version)[ {]' \
			"$tmp/fleet-$shape.prom" >"$tmp/fleet-$shape.got"
		diff -u "$tmp/fleet-$shape.want" "$tmp/fleet-$shape.got" || return 1
	done
}
check export/fleet-families export_fleet

# --- Prometheus rules -------------------------------------------------------

# The shipped rules parse, and their unit tests give exactly the expected
# alerts and samples (packaging/prometheus/tests/).
rules_test() {
	promtool check rules packaging/prometheus/kabistat.rules.yml || return 1
	promtool test rules packaging/prometheus/tests/kabistat.rules.test.yml
}
if ! command -v promtool >/dev/null; then
	fail prometheus/rules "promtool is not installed (scripts/deps.sh installs prometheus)"
else
	check prometheus/rules rules_test
fi

# --- Kubernetes delivery ------------------------------------------------------

# The manifests against the Kubernetes, Prometheus Operator and KMM
# schemas, offline once npm has installed the validator's packages
# (pinned by package-lock.json) into $BUILD/k8s-validate; see
# packaging/kubernetes/validate/validate.mjs for what is checked.
k8s=packaging/kubernetes
k8s_manifests() {
	local dir=$BUILD/k8s-validate sum
	command -v node >/dev/null && command -v npm >/dev/null ||
		{ echo "node and npm are needed (scripts/deps.sh installs them)"; return 1; }
	mkdir -p "$dir"
	cp "$k8s/validate/package.json" "$k8s/validate/package-lock.json" \
		"$k8s/validate/validate.mjs" "$dir/"
	sum=$(sha256sum <"$k8s/validate/package-lock.json")
	if [[ ! -d $dir/node_modules || $(cat "$dir/.lock-sum" 2>/dev/null) != "$sum" ]]; then
		(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || return 1
		echo "$sum" >"$dir/.lock-sum"
	fi
	node "$dir/validate.mjs" "$PWD/$k8s/schemas" "$k8s/kabistat-exporter.yaml" \
		"$k8s/kabistat-kmm.yaml" "$k8s/kabistat-podmonitor.yaml"
}
check k8s/manifests k8s_manifests

# Debian's promtool is built without Kubernetes service discovery, so its
# kubernetes_sd_configs block (exactly the one below) is replaced by a
# static target carrying the labels that discovery would give; the rest
# of the file -- relabelling rules and their regexes, the rest of the
# configuration -- is checked as written, with the shipped rules.
k8s_scrape_config() {
	local file=$k8s/prometheus-scrape.yml
	cat >"$tmp/sd.want" <<-'EOF'
	    kubernetes_sd_configs:
	      - role: pod
	        namespaces:
	          names: [kabistat]
	        attach_metadata:
	          node: true
	EOF
	sed -n '/^    kubernetes_sd_configs:$/,/^          node: true$/p' "$file" >"$tmp/sd.got"
	diff -u "$tmp/sd.want" "$tmp/sd.got" || return 1
	awk -v rules="$PWD/packaging/prometheus/kabistat.rules.yml" '
	/^    kubernetes_sd_configs:$/ { skip = 1
		print "    static_configs:"
		print "      - targets: [\"10.0.0.7:80\"]"
		print "        labels:"
		print "          __meta_kubernetes_pod_label_app_kubernetes_io_name: kabistat-exporter"
		print "          __meta_kubernetes_pod_annotation_prometheus_io_scrape: \"true\""
		print "          __meta_kubernetes_pod_annotation_prometheus_io_port: \"9717\""
		print "          __meta_kubernetes_pod_annotation_prometheus_io_path: /metrics"
		print "          __meta_kubernetes_pod_node_name: node-a"
		print "          __meta_kubernetes_node_label_eks_amazonaws_com_nodegroup: pool-a"
		next }
	skip && /^          node: true$/ { skip = 0; next }
	skip { next }
	/^  - \/etc\/prometheus\/kabistat.rules.yml$/ { print "  - " rules; next }
	{ print }' "$file" >"$tmp/prometheus-scrape.yml"
	cat "$tmp/prometheus-scrape.yml"
	promtool check config "$tmp/prometheus-scrape.yml"
}
if ! command -v promtool >/dev/null; then
	fail k8s/scrape-config "promtool is not installed (scripts/deps.sh installs prometheus)"
else
	check k8s/scrape-config k8s_scrape_config
fi

((failed == 0))
