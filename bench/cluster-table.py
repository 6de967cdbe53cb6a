#!/usr/bin/env python3
"""Tables of a cluster run (bench/run.sh --nodes 1,2): one line per result,
then medians per scenario and node count. Usage: cluster-table.py RESULTS_DIR"""
import json, pathlib, re, statistics, sys

results = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "bench/results")
services = {}  # name -> (pg cpu s, redis cpu s)
summary = results / "summary.txt"
if summary.exists():
    for m in re.finditer(r"during (\S+): PostgreSQL used ([\d.]+) s CPU, Redis ([\d.]+) s", summary.read_text()):
        services[m.group(1)] = (float(m.group(2)), float(m.group(3)))

rows = {}
for path in sorted(results.glob("*.nodes*.json")):
    name = path.stem
    base, nodes = re.match(r"(.*?)(?:\.\d+)?\.nodes(\d+)$", name).groups()
    data = json.loads(path.read_text())
    if "phases" not in data:
        continue
    p = data["phases"][0]
    seconds = p["delivered"] / p["delivered_per_second"] if p["delivered_per_second"] else 0
    pg, redis = services.get(name, (None, None))
    row = {
        "delivered/s": p["delivered_per_second"],
        "ratio": p["delivery_ratio"],
        "palaverd us/msg": p["server_cpu_us_per_message"],
        "per node us/msg": " / ".join(f'{n["cpu_us_per_message_stored_here"]:.0f}' for n in p.get("per_node", [])) or "-",
        "batch": p["server_mean_batch_size"],
        "p50": p["delivery_latency_ms"]["p50"], "p99": p["delivery_latency_ms"]["p99"],
        "cross p50": p.get("delivery_latency_cross_node_ms", {}).get("p50"),
        "cross p99": p.get("delivery_latency_cross_node_ms", {}).get("p99"),
        "same p50": p.get("delivery_latency_same_node_ms", {}).get("p50"),
        "same p99": p.get("delivery_latency_same_node_ms", {}).get("p99"),
        "cross %": 100 * p.get("cross_node_share", 0),
        "redis publish/s": p.get("redis_publish_per_second"),
        "pg us/msg": 1e6 * pg / p["stored"] if pg is not None and p["stored"] else None,
        "redis us/msg": 1e6 * redis / p["stored"] if redis is not None and p["stored"] else None,
    }
    rows.setdefault((base, int(nodes)), []).append((name, row))

def fmt(v):
    if v is None: return "-"
    if isinstance(v, str): return v
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.2f}"

keys = ["delivered/s", "ratio", "palaverd us/msg", "per node us/msg", "pg us/msg", "redis us/msg", "batch", "p50", "p99",
        "cross %", "cross p50", "cross p99", "same p50", "same p99", "redis publish/s"]
print("| run | " + " | ".join(keys) + " |")
print("|" + " --- |" * (len(keys) + 1))
for (base, nodes), runs in sorted(rows.items()):
    for name, row in runs:
        print(f"| {name} | " + " | ".join(fmt(row[k]) for k in keys) + " |")
print()
print("Medians")
print("| scenario | nodes | runs | " + " | ".join(keys) + " |")
print("|" + " --- |" * (len(keys) + 3))
for (base, nodes), runs in sorted(rows.items()):
    med = []
    for k in keys:
        values = [r[k] for _, r in runs if isinstance(r[k], (int, float))]
        med.append(fmt(statistics.median(values)) if values else "-")
    print(f"| {base} | {nodes} | {len(runs)} | " + " | ".join(med) + " |")
