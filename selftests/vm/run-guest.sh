#!/bin/bash
# Boot one kernel under qemu (TCG) with kabistat.ko and a test payload, then
# turn what the guest reported into OUTDIR/summary (also printed on stdout):
#   pass NAME | fail NAME [why] | skip NAME reason     (NAME is binary/test)
# Exit status 0 iff the summary has no fail line.
#
# With an expected list (PAYLOAD/tests.list, which the build writes from the
# test binaries, or -e), every test it names must have run: one that did not
# (a missing binary, a crash or hang before its turn, a guest that died) is
# a failure by name.  With -n SERIES, a skip is a failure unless
# selftests/vm/allowed-skips allows it on that kernel series.
set -euo pipefail

usage() {
	cat >&2 <<-USAGE
	usage: run-guest.sh -k VMLINUZ -m MODULE.ko -p PAYLOAD_DIR -o OUTDIR
	                    [-T TEST_MODULE.ko] [-r ROOT_DIR] [-t TIMEOUT_SECONDS]
	                    [-n SERIES] [-e EXPECTED_LIST] [-s SCALE]
	                    [-a "extra kernel args"] [-P PORT] [-A ARCH] [-c] [-i]
	  -T  the test build of the module (make module-test), which tests
	      load from /lib/kabistat/test/kabistat.ko
	  -r  a tree laid over the guest's root (stage-root.sh: an installed
	      kabistat); its files replace busybox's of the same name
	  -n  the kernel series (5.10, 6.1, 6.12, 7.3): skips not allowed for
	      it in selftests/vm/allowed-skips are failures
	  -e  the tests that must run, "BINARY/TEST TIMEOUT" lines (default:
	      PAYLOAD_DIR/tests.list if there is one)
	  -s  how many times slower the kernel is (the debug kernel): scales
	      every test's and test binary's timeout in the guest
	  -P  a network card on qemu's user network, isolated (restrict=on),
	      with host 127.0.0.1:PORT forwarded to the guest's port PORT;
	      nothing else of the guest is reachable, and it reaches nothing
	  -A  the guest's architecture: x86_64 (default) or arm64, whose guest
	      is qemu's virt machine with Debian's arm64 user land
	      (scripts/arm64-sysroot.sh); its PAYLOAD must be arm64 builds
	  -c  a control line: OUTDIR/control.in, a FIFO the host writes to,
	      is the guest's /dev/ttyS2; qemu's pid goes to OUTDIR/qemu.pid
	  -i  interactive: console on stdio, a shell in the guest, no tests
	The fuzzers' seed is KABISTAT_FUZZ_SEED from the environment, or a new
	one; it is written to OUTDIR/fuzz-seed, and a failure of a fuzzing test
	names it.
	USAGE
	exit 2
}

die() {
	echo "run-guest.sh: $*" >&2
	exit 2
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
kernel='' module='' test_module='' payload='' outdir='' root='' extra_args=''
series='' expected='' scale=1 arch=x86_64
interactive=0 control=0 port=''
timeout_s=600
while getopts 'k:m:T:p:o:r:t:n:e:s:a:P:A:cih' opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	m) module=$OPTARG ;;
	T) test_module=$OPTARG ;;
	p) payload=$OPTARG ;;
	o) outdir=$OPTARG ;;
	r) root=$OPTARG ;;
	t) timeout_s=$OPTARG ;;
	n) series=$OPTARG ;;
	e) expected=$OPTARG ;;
	s) scale=$OPTARG ;;
	a) extra_args=$OPTARG ;;
	P) port=$OPTARG ;;
	A) arch=$OPTARG ;;
	c) control=1 ;;
	i) interactive=1 ;;
	*) usage ;;
	esac
done
(($# == OPTIND - 1)) || usage
[[ -n $kernel && -n $module && -n $payload && -n $outdir ]] || usage
[[ -r $kernel ]] || die "kernel image $kernel not readable"
[[ -f $module ]] || die "module $module not found"
[[ -z $test_module || -f $test_module ]] || die "test module $test_module not found"
[[ -d $payload ]] || die "payload directory $payload not found"
[[ -z $root || -d $root ]] || die "root directory $root not found"
[[ $timeout_s =~ ^[1-9][0-9]*$ ]] || die "timeout must be a positive number of seconds"
[[ $scale =~ ^[1-9][0-9]?$ ]] || die "scale must be an integer from 1 to 99"
[[ -z $expected || -f $expected ]] || die "expected list $expected not found"
[[ -n $expected || ! -f $payload/tests.list ]] || expected=$payload/tests.list
allowed=$here/allowed-skips
[[ -z $port ]] || { [[ $port =~ ^[1-9][0-9]*$ ]] && ((port < 65536)); } ||
	die "port must be a TCP port number"
case $arch in
x86_64)
	busybox=$(command -v busybox) || die "busybox not installed (scripts/deps.sh)"
	sysroot=''
	;;
arm64)
	sysroot=$("$here/../../scripts/arm64-sysroot.sh") || die "no arm64 user land (scripts/arm64-sysroot.sh)"
	busybox=$sysroot/bin/busybox
	command -v busybox >/dev/null || die "busybox not installed (scripts/deps.sh)"
	;;
*) die "unknown architecture $arch (x86_64 or arm64)" ;;
esac

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
payload=$(cd "$payload" && pwd)
[[ -z $root ]] || root=$(cd "$root" && pwd)
# A stale summary must never stand in for a run that fails to start.
rm -f "$outdir"/{summary,console.log,results.ktap,qemu.log,fuzz-seed,qemu.pid,control.in,control.out}

# Print the absolute paths of the shared objects (and loader) an ELF needs.
# Libraries found inside the payload or the root tree are left out: they
# ship with it.
elf_deps() {
	local elf=$1 out
	# ldd exits non-zero for static binaries; that is not an error here.
	out=$(LD_LIBRARY_PATH=$payload/lib${root:+:$root/usr/lib} ldd "$elf" 2>&1) || return 0
	if grep -q 'not found' <<<"$out"; then
		die "$elf: unresolved libraries: $(grep 'not found' <<<"$out" | tr -s ' \t\n' ' ')"
	fi
	awk -v own="$payload/" -v root="${root:-$payload}/" '{
		for (i = 1; i <= NF; i++)
			if ($i ~ /^\// && index($i, own) != 1 && index($i, root) != 1)
				print $i
	}' <<<"$out"
}

is_elf() {
	[[ -f $1 && ! -L $1 && $(LC_ALL=C head -c4 "$1") == $'\x7fELF' ]]
}

# One newc cpio member for a device node.  Written by hand so that building
# the initramfs needs no mknod and therefore no root.
newc_node() {
	local name=$1 mode=$2 major=$3 minor=$4 namesize header_pad
	namesize=$((${#name} + 1))
	# Fields: magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor,
	# devminor, rdevmajor, rdevminor, namesize, check.
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		1 "$mode" 0 0 1 0 0 0 0 "$major" "$minor" "$namesize" 0
	printf '%s\0' "$name"
	# The header plus name is padded to a multiple of four bytes.
	header_pad=$(((4 - (110 + namesize) % 4) % 4))
	head -c "$header_pad" /dev/zero
}

build_initramfs() {
	local stage=$outdir/initramfs lib applet
	rm -rf "$stage"
	mkdir -p "$stage"/{bin,dev,proc,sys,tmp,lib/kabistat,opt/kabistat}
	[[ -z $root ]] || cp -a "$root/." "$stage/"
	cp "$busybox" "$stage/bin/busybox"
	# --list-full puts applets where scripts expect them (/usr/bin/env ...),
	# where the root tree has no program of that name.  The host's busybox
	# (the same Debian version) lists them for another architecture's.
	while read -r applet; do
		[[ $applet == */* && $applet != bin/busybox ]] || continue
		[[ -e $stage/$applet || -L $stage/$applet ]] && continue
		mkdir -p "$stage/${applet%/*}"
		ln -sf /bin/busybox "$stage/$applet"
	done < <(busybox --list-full)
	install -m 0755 "$here/init.sh" "$stage/init"
	install -m 0755 "$here/watchdog.sh" "$stage/lib/kabistat/watchdog"
	install -m 0644 "$here/kernel-report-patterns" "$stage/lib/kabistat/"
	cp "$module" "$stage/lib/kabistat/kabistat.ko"
	if [[ -n $test_module ]]; then
		mkdir -p "$stage/lib/kabistat/test"
		cp "$test_module" "$stage/lib/kabistat/test/kabistat.ko"
	fi
	cp -a "$payload/." "$stage/opt/kabistat/"

	# arm64: the loader and every shared library of the user land, where
	# the loader's default paths find them; ldd cannot run arm64 ELF files.
	if [[ -n $sysroot ]]; then
		(cd "$sysroot" && find lib usr/lib \( -name '*.so.*' -o -name 'ld-linux-*' \) \
			\( -type f -o -type l \) -print0 |
			cpio --null -pdm --quiet "$stage")
		[[ -e $stage/lib/ld-linux-aarch64.so.1 ]] || die "$sysroot has no arm64 loader"
	fi

	# Copy each library to the path the loader resolved on the host, so the
	# guest loader finds it in the same place without ld.so.cache.
	local file deps=''
	while IFS= read -r -d '' file; do
		[[ -z $sysroot ]] || break
		is_elf "$file" || continue
		deps+=$(elf_deps "$file")$'\n'
	done < <(find "$payload" ${root:+"$root"} -type f -print0)
	while read -r lib; do
		[[ -n $lib ]] || continue
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done < <(sort -u <<<"$deps")

	# Two concatenated archives: the tree, then /dev/console, which the
	# kernel opens for init before devtmpfs is mounted.
	{
		(cd "$stage" && find . -mindepth 1 -printf '%P\0' | LC_ALL=C sort -z |
			cpio --null -o -H newc --owner=0:0 --quiet)
		newc_node dev/console $((8#020600)) 5 1
		newc_node TRAILER!!! 0 0 0
	} | gzip -1 >"$outdir/initramfs.cpio.gz"
}

build_initramfs

nonce=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
# Not kabistat.*: modprobe passes kabistat.<param>=... from the kernel
# command line to the module, which would warn about an unknown parameter.
# One seed for every fuzzer of the run: replay a run with
# KABISTAT_FUZZ_SEED=<the seed> run-guest.sh ...
fuzz_seed=${KABISTAT_FUZZ_SEED:-0x$(od -An -tx8 -N8 /dev/urandom | tr -d ' \n')}
echo "$fuzz_seed" >"$outdir/fuzz-seed"
console=ttyS0
[[ $arch == x86_64 ]] || console=ttyAMA0
cmdline="console=$console panic=-1 loglevel=7 kabistat_guest.nonce=$nonce"
cmdline+=" kabistat_guest.fuzz_seed=$fuzz_seed kabistat_guest.timeout_scale=$scale"
((interactive)) && cmdline+=" kabistat_guest.shell=1"
[[ -n $extra_args ]] && cmdline+=" $extra_args"
echo "$cmdline" >"$outdir/cmdline"

# One TCG thread for both vCPUs: with a thread per vCPU (qemu 7.2), a vCPU
# can keep executing a stale int3 after another one live-patched the code
# (tracepoint and static-key patching: a soft lockup in
# syscall_trace_enter on 6.1, an "Oops: int3" on 6.12, kabistat loaded or
# not).  Both vCPUs still interleave, so races stay testable.  The arm64
# guests too: make check runs as many guests at once as there are CPUs,
# each to keep one busy.
# shellcheck disable=SC2054 # the commas belong to qemu's option values
if [[ $arch == x86_64 ]]; then
	qemu=(qemu-system-x86_64 -accel tcg,thread=single -cpu max -vga none)
else
	qemu=(qemu-system-aarch64 -M virt -accel tcg,thread=single -cpu max)
fi
qemu+=(-m 1024 -smp 2 -no-reboot -display none -monitor none
	-kernel "$kernel" -initrd "$outdir/initramfs.cpio.gz" -append "$cmdline")

# serial_ports CONSOLE RESULTS [CONTROL]: qemu's options for the guest's
# console, its ttyS1 and its ttyS2, each "file:PATH", "pipe:PATH" or (the
# console) "mon:stdio".  The virt machine has a single UART, the console
# (ttyAMA0): arm64's ttyS ports are PCI 16550s, ttyS0 one on nothing.
serial_ports() {
	local i spec
	ports=(-serial "$1")
	shift
	# shellcheck disable=SC2054 # the commas belong to qemu's option values
	[[ $arch == x86_64 ]] || ports+=(-chardev null,id=ttyS0 -device pci-serial,chardev=ttyS0)
	for ((i = 1; i <= $#; i++)); do
		spec=${!i}
		if [[ $arch == x86_64 ]]; then
			ports+=(-serial "$spec")
		else
			ports+=(-chardev "${spec%%:*},id=ttyS$i,path=${spec#*:}"
				-device "pci-serial,chardev=ttyS$i")
		fi
	done
}

# -n: a virtio card (the guest loads virtio_net) on a user network that
# only the forwarded port reaches, from the host's loopback.
if [[ -n $port ]]; then
	# shellcheck disable=SC2054 # the commas belong to qemu's option values
	qemu+=(-netdev "user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:$port-:$port"
		-device virtio-net-pci,netdev=net0)
fi

if ((interactive)); then
	serial_ports mon:stdio "file:$outdir/results.ktap"
	exec "${qemu[@]}" "${ports[@]}"
fi

# The third serial port reads what the host writes to control.in (qemu
# opens both FIFOs of a pipe chardev; control.out takes the guest's
# writes, unused).
control_port=()
if ((control)); then
	mkfifo "$outdir/control.in" "$outdir/control.out"
	control_port=("pipe:$outdir/control")
	qemu+=(-pidfile "$outdir/qemu.pid")
fi
serial_ports "file:$outdir/console.log" "file:$outdir/results.ktap" "${control_port[@]}"

# The guest powers off when done; a hang is caught by the timeout, and
# --kill-after covers a qemu that ignores SIGTERM.
start=$SECONDS
qemu_status=0
timeout --kill-after=10 "$timeout_s" "${qemu[@]}" "${ports[@]}" </dev/null >"$outdir/qemu.log" 2>&1 || qemu_status=$?
echo "run-guest.sh: $(basename "$kernel"): qemu exited $qemu_status after $((SECONDS - start))s" >&2
touch "$outdir/console.log" "$outdir/results.ktap"

# KTAP sections of the guest -> summary lines.  Only top-level results
# (column 0) count; indented lines belong to nested subtests.
parse_results() {
	tr -d '\r' <"$outdir/results.ktap" | awk '
	function add(line) { lines[cur] = lines[cur] line "\n" }
	/^# kabistat-test: / {
		cur = $3; order[++n] = cur; plan[cur] = -1; count[cur] = 0
		failed[cur] = 0; last_run = ""; next
	}
	/^# kabistat-exit: / { status[$3] = $4; cur = ""; next }
	/^# kabistat-guest-done/ { done = 1; next }
	# What the guest found after a binary: a failure of that binary.
	/^# kabistat-check: / {
		detail = $0
		sub(/^# kabistat-check: [^ ]+ [^ ]+ */, "", detail)
		checks[$3] = checks[$3] "fail " $3 "/" $4 " " detail "\n"
		next
	}
	cur == "" { next }
	# A fuzzer names its seed: its failures say how to replay them.
	match($0, /KABISTAT_FUZZ_SEED=[0-9A-Za-z]+/) {
		seed[cur] = substr($0, RSTART, RLENGTH)
	}
	# The 6.1 kselftest harness prints "ok 3 # SKIP reason" without the test
	# name; its "#  RUN  name ..." line supplies it.
	/^# +RUN +/ { last_run = $3; next }
	/^1\.\.[0-9]+/ {
		split($1, range, "\\.\\.")
		plan[cur] = range[2] + 0
		if (plan[cur] == 0 && match($0, /# *[Ss][Kk][Ii][Pp]/))
			add("skip " cur "/all " substr($0, RSTART + RLENGTH + 1))
		next
	}
	/^(not )?ok [0-9]+/ {
		ok = ($1 == "ok")
		rest = $0
		sub(/^(not )?ok [0-9]+ *(- )?/, "", rest)
		directive = ""
		if ((i = index(" " rest, " # ")) > 0) {
			directive = substr(rest, i + 2)
			rest = substr(rest, 1, i - 2)
		}
		sub(/[ \t]+$/, "", rest)
		name = rest
		gsub(/[ \t]+/, "_", name)
		if (name == "") name = last_run
		if (name == "") name = "test-" $(ok ? 2 : 3)
		last_run = ""
		count[cur]++
		if (toupper(directive) ~ /^(SKIP|TODO)/) {
			reason = directive
			sub(/^[A-Za-z]+[ \t]*/, "", reason)
			add("skip " cur "/" name " " (reason == "" ? "no reason given" : reason))
		} else if (ok) {
			add("pass " cur "/" name)
		} else {
			add("fail " cur "/" name)
			failed[cur]++
		}
	}
	END {
		for (k = 1; k <= n; k++) {
			b = order[k]
			out = lines[b]
			# A missing exit line or an incomplete plan means the binary
			# died or hung; a non-zero exit (other than kselftest skip, 4)
			# that no failed test explains is a failure of its own.
			if (!(b in status) || plan[b] < 0 || count[b] < plan[b] ||
			    (status[b] != 0 && status[b] != 4 && failed[b] == 0))
				out = out "fail " b "/exit-status " \
				      (b in status ? "exit " status[b] : "no exit") \
				      ", " count[b] " of " (plan[b] < 0 ? "no" : plan[b]) \
				      " planned results\n"
			out = out checks[b]
			delete checks[b]
			if (b in seed) {
				m = split(out, part, "\n")
				out = ""
				for (i = 1; i < m; i++) {
					if (part[i] ~ /^fail /)
						part[i] = part[i] \
							(part[i] ~ /^fail [^ ]+ / ? "; " : " ") \
							"replay with " seed[b]
					out = out part[i] "\n"
				}
			}
			printf "%s", out
		}
		for (b in checks)
			printf "%s", checks[b]
		if (!done) print "fail guest/incomplete"
	}'
}

# Host-side checks of the console log.
check_console() {
	local log=$outdir/console.log sentinels=1 patterns
	if ((qemu_status == 124 || qemu_status == 137)); then
		echo "fail guest/timeout"
	fi
	if ! grep -qF "kabistat-boot-sentinel $nonce" "$log"; then
		echo "fail guest/boot-sentinel"
		sentinels=0
	fi
	if ! grep -qF "kabistat-end-sentinel $nonce" "$log"; then
		echo "fail guest/end-sentinel"
		sentinels=0
	fi
	patterns=$(grep -vE '^[[:space:]]*(#|$)' "$here/kernel-report-patterns")
	if grep -qE -e "$patterns" "$log"; then
		echo "fail guest/kernel-log"
		{
			echo "run-guest.sh: kernel report in $log:"
			grep -nE -C 3 -e "$patterns" "$log" | tr -d '\r'
		} >&2
	elif ((sentinels)); then
		echo "pass guest/kernel-log"
	fi
}

# The results against the tests that had to run, and skips against the
# ones allowed on this kernel series.  allowed-skips lines are
# "SERIES TEST REASON": SERIES a series or *, TEST binary/test or binary/*,
# and the skip's reason must start with REASON.
judge() {
	awk -v series="$series" -v expected="$expected" -v allowed="$allowed" '
	function bin_of(name) { sub(/\/.*/, "", name); return name }
	function allowed_skip(name, reason,    i, k, key) {
		for (k = 0; k < 2; k++) {
			key = k ? bin_of(name) "/*" : name
			for (i = 1; i <= nallow[key]; i++)
				if (index(reason, allow[key, i]) == 1)
					return 1
		}
		return 0
	}
	BEGIN {
		while (expected != "" && (getline line < expected) > 0)
			if (split(line, f, " ") >= 1 && f[1] !~ /^#/)
				want[++nwant] = f[1]
		while (series != "" && (getline line < allowed) > 0) {
			if (line ~ /^[ \t]*(#|$)/ || split(line, f, " ") < 3)
				continue
			if (f[1] != "*" && f[1] != series)
				continue
			reason = line
			sub(/^[ \t]*[^ \t]+[ \t]+[^ \t]+[ \t]+/, "", reason)
			allow[f[2], ++nallow[f[2]]] = reason
		}
	}
	{
		seen[$2] = 1
		seenbin[bin_of($2)] = 1
		if ($2 ~ /\/all$/)
			whole[bin_of($2)] = 1
	}
	$1 == "skip" && series != "" {
		reason = $0
		sub(/^skip [^ ]+ */, "", reason)
		if (!allowed_skip($2, reason)) {
			print "fail " $2 " skipped: " reason " (not allowed on " \
			      series " by selftests/vm/allowed-skips)"
			next
		}
	}
	{ print }
	END {
		for (i = 1; i <= nwant; i++) {
			b = bin_of(want[i])
			if (want[i] ~ /\/\*$/)
				ran = b in seenbin
			else
				ran = want[i] in seen || b in whole
			if (!ran)
				print "fail " want[i] " did not run"
		}
	}'
}

{
	parse_results | judge
	check_console
} >"$outdir/summary"
cat "$outdir/summary"
! grep -q '^fail ' "$outdir/summary"
