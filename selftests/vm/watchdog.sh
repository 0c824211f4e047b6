#!/bin/sh
# The guest's watchdog of one test binary (init.sh):
#   watchdog CGROUP BINARY [SUM]
# Moves into CGROUP, where init then starts BINARY, so that nothing outside
# the cgroup returns from a system call while the binary runs (tests count
# the cgroups that do).  Its budget: the sum of the binary's tests'
# timeouts (SUM, from the payload's tests.list, or else BINARY -l:
# selftests/kselftest_harness.h) plus a margin for the harness around them,
# or 300 s for a script, times KABISTAT_TIMEOUT_SCALE; KABISTAT_TEST_BUDGET
# (kabistat_guest.test_timeout) instead, where the host says.
# Once it is spent, it writes what still runs to /tmp/timed-out and kills
# the cgroup, itself included.  Init kills it when the binary ends first.
set -u

echo 0 >"$1/cgroup.procs" || exit 1
sum=${3:-}
case $2 in
*.sh) ;;	# a script, not a kselftest binary
*) [ -n "$sum" ] || sum=$("$2" -l </dev/null 2>/dev/null |
	awk '!/^#/ && $2 ~ /^[0-9]+$/ { s += $2; n++ } END { if (n) print s }') ;;
esac
budget=${KABISTAT_TEST_BUDGET:-$(((${sum:-270} + 30) * ${KABISTAT_TIMEOUT_SCALE:-1}))}
echo "$budget" >/tmp/budget
sleep "$budget"
for pid in $(cat "$1/cgroup.procs"); do
	[ "$pid" != $$ ] && comm=$(cat "/proc/$pid/comm" 2>/dev/null) &&
		printf ' %s[%s]' "$comm" "$pid"
done >/tmp/timed-out
echo 1 >"$1/cgroup.kill"
