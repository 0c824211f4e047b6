#!/usr/bin/perl
# SPDX-License-Identifier: GPL-2.0
#
# The table of make bench: report.pl CSV RAW... where each RAW holds the
# "ksb ..." lines of one guest (bench/guest.sh).  Per repetition, a row's
# cost per syscall is, in det mode, the fastest of its trials (guest
# instructions: the trials differ only by the timer ticks and agent dumps
# that fall in them) and in wall mode the median trial; its added cost is
# that minus the baseline of the same repetition.  Across repetitions:
# det prints the median, wall min/median/max.
use strict;
use warnings;

my ($csv, @raws) = @ARGV;
my @ROWS = qw(baseline floor1 floor kabistat bpftrace libbpf sysdig);
my @WLS = qw(getppid close mixed);
my (%v, %chk, %na, %drops, %scale, %incr, @modes, %total);

for my $raw (@raws) {
	open(my $fh, '<', $raw) or next;
	while (<$fh>) {
		chomp;
		my %f = /(\w+)=(\S+)/g;
		if (/^ksb run /) {
			my $val = $f{mode} eq 'det' ? $f{min} : $f{med};
			$v{$f{mode}}{$f{wl}}{$f{row}}{$f{rep}} = $val;
			$chk{$f{mode}}{$f{wl}}{$f{row}}{$f{rep}} = $f{check};
			$total{$f{mode}}{$f{wl}}{$f{row}}{$f{rep}} = $f{total};
		} elsif (/^ksb na mode=(\S+)|^ksb na /) {
			my ($reason) = /reason=(.*)$/;
			$na{$f{row}} //= $reason;
		} elsif (/^ksb drops /) {
			push @{$drops{$f{mode}}}, "$f{events}/$f{drops}";
		} elsif (/^ksb scale mode=(\S+) scale (\d+) (.*)$/) {
			my %s = split ' ', $3;
			$scale{$2} = \%s;
		} elsif (/^ksb scale mode=\S+ incremental (\d+) (.*)$/) {
			my %s = split ' ', $2;
			$incr{$1} = \%s;
		} elsif (/^ksb scale mode=\S+ first_syscall_tsc (\S+) repeat_syscall_tsc (\S+)/) {
			$scale{first} = $1;
			$scale{repeat} = $2;
			($scale{p90}, $scale{over}) =
				/first_p90 (\S+) first_over_8000 (\S+)/;
		} elsif (/^ksb info /) {
			push @modes, $f{mode} unless grep { $_ eq $f{mode} } @modes;
		}
	}
}

sub median { my @s = sort { $a <=> $b } @_; return @s ? $s[$#s / 2] : undef }
sub minv { my @s = sort { $a <=> $b } @_; return $s[0] }
sub maxv { my @s = sort { $a <=> $b } @_; return $s[-1] }

# Per-repetition values and added costs of a row.
sub reps {
	my ($mode, $wl, $row) = @_;
	my $r = $v{$mode}{$wl}{$row} or return ();
	return map { $r->{$_} } sort keys %$r;
}
sub added {
	my ($mode, $wl, $row) = @_;
	my $r = $v{$mode}{$wl}{$row} or return ();
	my $b = $v{$mode}{$wl}{baseline};
	return map { $r->{$_} - $b->{$_} } grep { defined $b->{$_} } sort keys %$r;
}
sub fmt {
	my ($mode, @x) = @_;
	return '-' unless @x;
	return sprintf('%.1f', median(@x)) if $mode eq 'det' || @x == 1;
	return sprintf('%.0f/%.0f/%.0f', minv(@x), median(@x), maxv(@x));
}

open(my $out, '>', $csv) or die "$csv: $!";
print $out "kind,mode,row,workload,rep,ns_per_syscall,added_ns_per_syscall,iterations,check\n";

printf "%-5s %-8s %-9s %22s %22s %8s  %s\n", 'mode', 'workload', 'row',
	'ns/syscall', 'added', 'x floor', 'counts';
for my $mode (@modes) {
	my $unit = $mode eq 'det' ? 'guest instructions, median of reps'
				  : 'ns, min/median/max of reps';
	print "-- $mode: $unit\n";
	for my $wl (@WLS) {
		my @floor = added($mode, $wl, 'floor');
		for my $row (@ROWS) {
			my @c = reps($mode, $wl, $row);
			if (!@c) {
				printf "%-5s %-8s %-9s n/a (%s)\n", $mode, $wl, $row,
					$na{$row} // 'not run';
				next;
			}
			my @a = $row eq 'baseline' ? () : added($mode, $wl, $row);
			my $xf = (@a && @floor && median(@floor) > 0)
				? sprintf('%.2f', median(@a) / median(@floor)) : '-';
			my %seen;
			my @checks = grep { !$seen{$_}++ } values %{$chk{$mode}{$wl}{$row}};
			printf "%-5s %-8s %-9s %22s %22s %8s  %s\n", $mode, $wl, $row,
				fmt($mode, @c), fmt($mode, @a), $xf, join(',', @checks);
			for my $rep (sort keys %{$v{$mode}{$wl}{$row}}) {
				my $b = $v{$mode}{$wl}{baseline}{$rep};
				my $val = $v{$mode}{$wl}{$row}{$rep};
				printf $out "run,%s,%s,%s,%s,%s,%s,%s,%s\n", $mode, $row,
					$wl, $rep, $val,
					defined $b ? sprintf('%.2f', $val - $b) : '',
					$total{$mode}{$wl}{$row}{$rep},
					$chk{$mode}{$wl}{$row}{$rep};
			}
		}
	}
	if ($drops{$mode}) {
		printf "%-5s sysdig driver events/drops per repetition: %s\n", $mode,
			join(' ', @{$drops{$mode}});
	}
}

my @targets;
sub target {
	my ($ok, $text) = @_;
	push @targets, sprintf('%-6s %s', $ok ? 'met' : 'MISSED', $text);
}
for my $mode (@modes) {
	for my $wl (@WLS) {
		my $k = median(added($mode, $wl, 'kabistat'));
		next unless defined $k;
		if ($mode eq 'det') {
			# Issue 16's targets: near the one-probe floor on a
			# repeated call, a failing call nearly as cheap, and the
			# mix within 1.2 times the two-probe floor.
			my $f1 = median(added($mode, $wl, 'floor1'));
			my $f = median(added($mode, $wl, 'floor'));
			if ($wl eq 'getppid' && defined $f1) {
				target($k <= $f1 + 25, sprintf('%s %-7s kabistat +%.1f <= floor1 +%.1f + 25 (= %.1f)',
					$mode, $wl, $k, $f1, $f1 + 25));
			} elsif ($wl eq 'close') {
				target($k <= 100, sprintf('%s %-7s kabistat +%.1f <= +100', $mode, $wl, $k));
			} elsif ($wl eq 'mixed' && defined $f && $f > 0) {
				target($k <= 1.2 * $f, sprintf('%s %-7s kabistat +%.1f <= 1.2 x floor +%.1f (= %.1f): %.2f x floor',
					$mode, $wl, $k, $f, 1.2 * $f, $k / $f));
			}
		}
		for my $peer (['bpftrace', 8], ['libbpf', 2]) {
			my $p = median(added($mode, $wl, $peer->[0]));
			if (!defined $p) {
				push @targets, sprintf('n/a    %s %-7s kabistat vs %s: %s not measured',
					$mode, $wl, $peer->[0], $peer->[0]);
				next;
			}
			target($k <= $p / $peer->[1], sprintf('%s %-7s kabistat +%.1f <= %s +%.1f / %d (= %.1f): 1/%.1f of it',
				$mode, $wl, $k, $peer->[0], $p, $peer->[1], $p / $peer->[1],
				$k > 0 ? $p / $k : 0));
		}
	}
}

if (%scale) {
	print "-- scale (det mode: guest instructions)\n";
	my @n = sort { $a <=> $b } grep { /^\d+$/ } keys %scale;
	for my $n (@n) {
		my $s = $scale{$n};
		printf "scale %6d cgroups: dump %.0f ns (%.0f per cgroup), %d tracked, memory %d B, %.0f B per tracked cgroup\n",
			$n, $s->{dump_ns}, $s->{dump_ns} / $n, $s->{tracked}, $s->{memory},
			$s->{mem_per_cg};
		printf $out "scale,det,kabistat,%d cgroups,,%s,,%s,mem_per_cg=%s\n", $n,
			$s->{dump_ns}, $s->{tracked}, $s->{mem_per_cg};
		# the same dumps received but not parsed: the module's share,
		# packed and in the nests old consumers get
		printf "scale %6d cgroups: dump %.0f per cgroup end to end, of which the module %.0f (unparsed; in nests: %.0f)\n",
			$n, $s->{dump_ns} / $n, $s->{packed_dump_ns} / $n,
			$s->{raw_dump_ns} / $n if defined $s->{packed_dump_ns};
		printf $out "dump_per_cgroup,det,kabistat,%d cgroups,,%.0f,,,module=%s\n", $n,
			$s->{dump_ns} / $n, defined $s->{packed_dump_ns} ?
			sprintf('%.0f', $s->{packed_dump_ns} / $n) : '';
	}
	if (@n) {
		my $n = $n[-1];
		my $per = $scale{$n}{dump_ns} / $n;
		target($per <= 60000, sprintf('det full dump of %d cgroups: %.0f per cgroup <= 60000', $n, $per));
		if (my $i = $incr{$n}) {
			my $pct = 100 * $i->{incr_ns} / $scale{$n}{dump_ns};
			printf "scale %6d cgroups: incremental dump, %d changed: %.0f (%.2f%% of the full dump), %d returned\n",
				$n, $i->{changed}, $i->{incr_ns}, $pct, $i->{dumped};
			printf $out "incremental,det,kabistat,%d cgroups %d changed,,%s,%.3f,%s,\n", $n,
				$i->{changed}, $i->{incr_ns}, $pct, $i->{dumped};
			target($pct <= 5, sprintf('det incremental dump, 1%% of %d cgroups changed: %.2f%% of a full dump <= 5%%', $n, $pct));
			target($i->{dumped} == $i->{changed},
				sprintf('det incremental dump returned exactly the %d changed cgroups (%d)',
					$i->{changed}, $i->{dumped}));
		}
	}
	if (@n == 2) {
		my $ratio = $scale{$n[1]}{dump_ns} / $scale{$n[0]}{dump_ns};
		printf "scale dump time %d/%d: %.2f (linear: %.0f)\n", $n[1], $n[0],
			$ratio, $n[1] / $n[0];
		printf $out "scale_ratio,det,kabistat,,,%.3f,,,\n", $ratio;
		target($ratio <= 12, sprintf('det dump time 10k/1k ratio %.2f <= 12', $ratio))
			if $n[1] == 10 * $n[0];
		my $ok = $scale{$n[1]}{tracked} >= $n[1];
		target($ok, sprintf('det scale: all %d cgroups tracked (%d)', $n[1],
			$scale{$n[1]}{tracked}));
	}
	if (defined $scale{first}) {
		printf "scale first syscall of a new cgroup %.0f TSC cycles (= guest ns), a repeat %.0f (entry creation +%.0f)\n",
			$scale{first}, $scale{repeat}, $scale{first} - $scale{repeat};
		printf "scale first syscall: 90th percentile %.0f, %d over 8,000\n",
			$scale{p90}, $scale{over} if defined $scale{over};
		printf $out "first_syscall,det,kabistat,,,%s,%s,,repeat=%s\n",
			$scale{first}, $scale{first} - $scale{repeat}, $scale{repeat};
		target($scale{first} <= 8000, sprintf('det first syscall of a new cgroup %.0f <= 8000',
			$scale{first}));
	}
}

my @bad;
for my $mode (@modes) {
	for my $wl (@WLS) {
		for my $row (qw(kabistat bpftrace libbpf)) {
			for my $rep (sort keys %{$chk{$mode}{$wl}{$row} // {}}) {
				my $c = $chk{$mode}{$wl}{$row}{$rep};
				push @bad, "$mode/$wl/$row/r$rep: $c" if $c ne 'ok';
			}
		}
	}
}
push @bad, 'no kabistat row was measured' unless grep { $v{$_}{getppid}{kabistat} } @modes;
target(!@bad, 'counts exact (kabistat, bpftrace, libbpf: benchmark cgroup == iterations)' .
	(@bad ? ': ' . join('; ', @bad) : ''));
print "-- targets\n";
print "$_\n" for @targets;
close($out);
