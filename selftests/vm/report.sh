#!/bin/bash
# Merge the summaries of several guest runs into one report.
# Usage: report.sh NAME=SUMMARY...    e.g. report.sh 6.1=out/6.1/summary
# Prints one line per result, then "N passed, M failed[, K skipped]".
# Exit status 1 if anything failed or a summary is missing.
set -euo pipefail

if (($# == 0)); then
	echo "usage: report.sh NAME=SUMMARY..." >&2
	exit 2
fi

passed=0 failed=0 skipped=0
for arg in "$@"; do
	if [[ $arg != ?*=?* ]]; then
		echo "report.sh: expected NAME=SUMMARY, got '$arg'" >&2
		exit 2
	fi
	name=${arg%%=*} summary=${arg#*=}
	# A run that produced no summary, or an empty one, proves nothing.
	if [[ ! -s $summary ]]; then
		echo "FAIL  [$name] summary missing or empty: $summary"
		failed=$((failed + 1))
		continue
	fi
	while read -r verdict test reason; do
		case $verdict in
		pass)
			echo "PASS  [$name] $test"
			passed=$((passed + 1))
			;;
		fail)
			echo "FAIL  [$name] $test${reason:+ ($reason)}"
			failed=$((failed + 1))
			;;
		skip)
			echo "SKIP  [$name] $test (${reason:-no reason given})"
			skipped=$((skipped + 1))
			;;
		*)
			echo "FAIL  [$name] unreadable summary line: $verdict $test $reason"
			failed=$((failed + 1))
			;;
		esac
	done <"$summary"
done

closing="$passed passed, $failed failed"
((skipped > 0)) && closing+=", $skipped skipped"
echo "$closing"
((failed == 0))
