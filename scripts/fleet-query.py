#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The fleet's questions, asked of a Prometheus server's HTTP API.

  fleet-query.py ready URL NODES     exit 0 once every node's exporter is
                                     up, has data, and the shipped rules
                                     have seen it
  fleet-query.py answers URL         print the answers; exit 1 when they
                                     are not those of make fleet's nodes

Only the standard library: urllib on the loopback address in URL.
"""
import json
import sys
import urllib.parse
import urllib.request


def query(url, expr):
    """An instant query: [(labels, value)], sorted by labels."""
    q = urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(f"{url}/api/v1/query?{q}", timeout=10) as r:
        body = json.load(r)
    if body.get("status") != "success":
        raise RuntimeError(f"{expr}: {body}")
    res = body["data"]["result"]
    return sorted(((s["metric"], s["value"][1]) for s in res),
                  key=lambda s: sorted(s[0].items()))


def scalar(url, expr):
    res = query(url, expr)
    return float(res[0][1]) if len(res) == 1 else None


def ready(url, nodes):
    checks = [
        'count(up{job="kabistat"} == 1)',
        'count(count by (instance) (kabistat_cgroup_min_kernel_version))',
        'count(kabistat_kernel_version)',
    ]
    for expr in checks:
        if scalar(url, expr) != nodes:
            return False
    # the rules evaluated the data of every node
    return (scalar(url, "count(kabistat:cgroup_min_kernel_version:max)") ==
            scalar(url, "count(max without (syscall, abi, since) "
                        "(kabistat_cgroup_min_kernel_version))") and
            scalar(url, "kabistat:fleet_oldest_kernel_version:min") ==
            scalar(url, "min(kabistat_kernel_version)"))


def table(rows, header):
    widths = [max(len(str(r[i])) for r in rows + [header])
              for i in range(len(header))]
    for r in [header] + rows:
        print("  " + "  ".join(str(c).ljust(w)
                               for c, w in zip(r, widths)).rstrip())


def answers(url):
    problems = []

    def expect(cond, what):
        if not cond:
            problems.append(what)

    print("Every node's kernel and ABI hashes:")
    print("  query: kabistat_abi_info * on (instance) group_left ()"
          " kabistat_kernel_version")
    rows = [(m["node"], m["instance"], m["release"], v, m["abi"], m["hash"])
            for m, v in query(url, "kabistat_abi_info * on (instance) "
                                   "group_left () kabistat_kernel_version")]
    rows.sort(key=lambda r: (float(r[3]), r[0], r[4]))
    table(rows, ("NODE", "INSTANCE", "RELEASE", "VERSION", "ABI", "HASH"))
    versions = {r[0]: r[3] for r in rows}
    expect(versions == {"old": "6.001", "new": "6.012"},
           f"node versions {versions}, not old 6.001 and new 6.012")
    for node in ("old", "new"):
        expect(any(r[0] == node and r[4] == "x86_64" for r in rows),
               f"no x86_64 hash of node {node}")
    info = {m["node"]: m["kernel_release"]
            for m, _ in query(url, "kabistat_info")}
    expect(all(info.get(r[0]) == r[2] for r in rows),
           "a release of kabistat_abi_info is not kabistat_info's")

    oldest = query(url, "min(kabistat_kernel_version)")
    oldest_v = oldest[0][1] if oldest else None
    names = [m["node"] for m, _ in query(
        url, "kabistat_kernel_version == on () group_left () "
             "min(kabistat_kernel_version)")]
    print()
    print(f"The oldest node: {', '.join(names)}, version {oldest_v}"
          " (min(kabistat_kernel_version))")

    print()
    print("Containers that would not run on the oldest node:")
    expr = ("kabistat_cgroup_min_kernel_version > on () group_left () "
            "min(kabistat_kernel_version)")
    print(f"  query: {expr}")
    need = {}
    for m, v in query(url, expr):
        key = (m["node"], m["cgroup"], m.get("container_id", ""), v)
        need.setdefault(key, []).append(
            f'{m["syscall"]}/{m["abi"]} ({m["since"]})')
    rows = [(k[0], k[1], k[2][:12] or "-", k[3], ", ".join(sorted(s)))
            for k, s in sorted(need.items())]
    if rows:
        table(rows, ("NODE", "CGROUP", "CONTAINER", "NEEDS", "SYSCALLS"))
    else:
        print("  none")
    docker = ("/system.slice/docker-5e1f0c4a9b7d2e36f8a1c0d4b5e6f7a8"
              "091a2b3c4d5e6f708192a3b4c5d6e7f8.scope")
    expect([(r[0], r[1], r[3], r[4]) for r in rows] ==
           [("new", docker, "6.012",
             "cachestat/x86_64 (6.2-6.12), mseal/x86_64 (6.2-6.12)")],
           "the containers that need a newer kernel are not exactly "
           "node new's Docker container, by cachestat and mseal")

    print()
    print("The same from the shipped rules (packaging/prometheus):")
    print("  query: kabistat:cgroup_needs_newer_than_fleet_oldest")
    rec = [(m["node"], m["cgroup"], v) for m, v in
           query(url, "kabistat:cgroup_needs_newer_than_fleet_oldest")]
    table(rec or [("none", "", "")], ("NODE", "CGROUP", "NEEDS"))
    expect(rec == [("new", docker, "6.012")],
           "the recorded answer differs from the query's")
    alerts = [(m["alertname"], m["alertstate"], m["node"], m["cgroup"])
              for m, _ in query(url, 'ALERTS{alertname=~"KabistatCgroup.*"}')]
    print("  alerts:", ", ".join(f"{a[0]} ({a[1]}) {a[2]} {a[3]}"
                                 for a in alerts) or "none")
    expect(sorted(a[0] for a in alerts) ==
           ["KabistatCgroupNeedsNewerKernelThanFleet",
            "KabistatCgroupNeedsNewerKernelThanPool"],
           "the alerts on that container are not the fleet's and the pool's")

    print()
    print("ENOSYS returns per node and cgroup:")
    expr = "sum by (node, cgroup) (kabistat_syscall_enosys_total) > 0"
    print(f"  query: {expr}")
    rows = [(m["node"], m["cgroup"], v) for m, v in query(url, expr)]
    table(rows or [("none", "", "")], ("NODE", "CGROUP", "ENOSYS"))
    expect(("old", "/fleet/probe-newer", "6") in rows,
           "node old's /fleet/probe-newer does not have its 6 ENOSYS "
           "(5 cachestat, 1 mseal)")

    print()
    print("Series per node (label cardinality; the exporters run --top 20):")
    expr = 'count by (node) ({job="kabistat", __name__=~"kabistat_.*"})'
    print(f"  query: {expr}")
    rows = [(m["node"], v) for m, v in query(url, expr)]
    table(rows, ("NODE", "SERIES"))
    expr = ('count by (node) (count by (node, cgroup_id) '
            '(kabistat_syscalls_total{cgroup_id!="0"}))')
    print(f"  cgroups: {expr}")
    rows = [(m["node"], v) for m, v in query(url, expr)]
    table(rows, ("NODE", "CGROUPS"))

    if problems:
        print()
        for p in problems:
            print(f"fleet: unexpected: {p}", file=sys.stderr)
        return 1
    return 0


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "ready":
        try:
            return 0 if ready(sys.argv[2], int(sys.argv[3])) else 1
        except (OSError, RuntimeError, ValueError):
            return 1
    if len(sys.argv) == 3 and sys.argv[1] == "answers":
        return answers(sys.argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
