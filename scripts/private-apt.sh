# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
#
# Sourced by debug-kernel.sh and bullseye-kernel.sh: a cache directory of
# their own, and apt with a private sources list and state directory, so
# that packages of another suite can be downloaded without anything being
# installed into the system.  The caller defines say() and die().
#
# Environment: KABISTAT_CACHE (default /var/cache/kabistat, or
# ~/.cache/kabistat when that is not writable).

# ks_cache NAME: $cache (the cache root's NAME), created, and held with
# flock on fd 9, so that a second `make check` waits for the first.
ks_cache() {
	local root=${KABISTAT_CACHE:-/var/cache/kabistat}

	if ! mkdir -p "$root" 2>/dev/null || [[ ! -w $root ]]; then
		[[ -z ${KABISTAT_CACHE:-} ]] || die "cache $root is not writable"
		root=${XDG_CACHE_HOME:-$HOME/.cache}/kabistat
		mkdir -p "$root"
	fi
	cache=$root/$1
	mkdir -p "$cache"
	exec 9>"$cache/.lock"
	flock 9
}

# ks_private_apt SUITE ENTRY [ARCH...]: $mirror, $apt_dir and $apt_opts for SUITE,
# from the URIs of the system's Debian entry: ENTRY "main" takes the first
# entry that is not -security, "security" the -security one or, without
# it, the main one's "-security" sibling.  The index is refreshed when the
# mirror changed or once a day; offline, the cached one is used.  ARCH:
# the architectures of the index, the first one the default of package
# names without ":arch" (without ARCH, the system's).
ks_private_apt() {
	local suite=$1 entry=$2 sources=/etc/apt/sources.list.d/debian.sources
	local keyring stale=1 archs=("${@:3}")

	[[ -r $sources ]] || die "$sources not found: cannot tell which Debian mirror to use"
	read -r mirror keyring < <(awk -v RS= -v want="$entry" '
		{
			uri = ""; key = ""; security = 0
			n = split($0, line, "\n")
			for (i = 1; i <= n; i++) {
				if (line[i] ~ /^URIs:/) { split(line[i], f, " "); uri = f[2] }
				if (line[i] ~ /^Signed-By:/) { split(line[i], f, " "); key = f[2] }
				if (line[i] ~ /^Suites:/ && line[i] ~ /-security/) security = 1
			}
			if (uri == "")
				next
			if (security == (want == "security")) { print uri, key; found = 1; exit }
			if (!security && main == "") { main = uri; main_key = key }
		}
		END {
			if (!found && want == "security" && main != "") {
				sub(/\/+$/, "", main)
				print main "-security", main_key
			}
		}' "$sources")
	[[ -n ${mirror:-} ]] || die "no URIs: line in $sources"
	keyring=${keyring:-/usr/share/keyrings/debian-archive-keyring.gpg}

	apt_dir=$cache/apt
	mkdir -p "$apt_dir"/{lists/partial,archives/partial,debs}
	echo "deb [signed-by=$keyring] $mirror $suite main" >"$apt_dir/sources.list.new"
	((${#archs[@]} == 0)) || echo "# ${archs[*]}" >>"$apt_dir/sources.list.new"
	apt_opts=(
		-o Dir::Etc::sourcelist="$apt_dir/sources.list"
		-o Dir::Etc::sourceparts=-
		-o Dir::State="$apt_dir"
		-o Dir::State::Lists="$apt_dir/lists"
		-o Dir::State::status=/dev/null
		-o Dir::Cache="$apt_dir"
		-o Dir::Cache::archives="$apt_dir/archives"
		-o Debug::NoLocking=1
	)
	if ((${#archs[@]})); then
		local IFS=,
		apt_opts+=(-o APT::Architecture="${archs[0]}" -o APT::Architectures="${archs[*]}")
		unset IFS
	fi
	((EUID == 0)) && apt_opts+=(-o APT::Sandbox::User=root)

	if cmp -s "$apt_dir/sources.list.new" "$apt_dir/sources.list" &&
		[[ -n $(find "$apt_dir/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 -print -quit) ]]; then
		stale=0
	fi
	mv "$apt_dir/sources.list.new" "$apt_dir/sources.list"
	if ((stale)); then
		say "refreshing the $suite index from $mirror"
		apt-get "${apt_opts[@]}" -qq update >&2 ||
			say "apt-get update failed; trying the cached index"
	fi
}
