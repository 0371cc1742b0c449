#!/usr/bin/env python3
"""Tables (and optional PNG plots) from sframe_bench JSON output.

Usage: bench_report.py RESULTS.json [--plots DIR] [--update-doc FILE]

--update-doc replaces the block between "<!-- bench:begin -->" and
"<!-- bench:end -->" in FILE (docs/performance.md) with the tables.

Uses the median of the repetitions of each benchmark. Cycles per byte use
the core clock the benchmark measured in the same run (context core_ghz).
"""
import argparse
import json
import re
import sys
from collections import defaultdict

SIZES = [16, 64, 112, 160, 512, 1200, 4096, 16384, 65536]
SUITES = ["aes128gcm", "aes256gcm", "aes128ctr80", "aes128ctr64", "aes128ctr32",
          "aes256ctr80", "aes256ctr64", "aes256ctr32"]
NAME = re.compile(r"^(BM_\w+)/(\w+)(?:/(\d+))?(?:/(\d+))?$")


def load(path):
    doc = json.load(open(path))
    ghz = float(doc["context"].get("core_ghz", 0) or 0)
    medians = {}
    allocs = {}
    for b in doc["benchmarks"]:
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        m = NAME.match(b.get("run_name", b["name"]))
        if not m:
            continue
        key = (m.group(1), m.group(2), int(m.group(3)) if m.group(3) else 0,
               int(m.group(4)) if m.group(4) else None)
        ns = b["real_time"] * {"ns": 1, "us": 1e3, "ms": 1e6}[b["time_unit"]]
        if key[3]:  # batch: per frame
            ns /= key[3]
        medians[key] = ns
        allocs[key] = b.get("allocs_per_iter", 0)
    return doc["context"], ghz, medians, allocs


def cell(ns, size, ghz):
    if ns is None:
        return "–"
    cpb = f" · {ns * ghz / size:.3f}" if ghz else ""
    return f"{ns:.1f}{cpb}" if ns < 1000 else f"{ns:.0f}{cpb}"


def ratio(a, b):
    return f"{a / b:.2f}×" if a and b else "–"


def tables(ghz, med, op):
    """op: 'seal' or 'open'."""
    ours_name = "BM_Encrypt" if op == "seal" else "BM_Decrypt"
    bssl = "BM_BoringSSLSeal" if op == "seal" else "BM_BoringSSLOpen"
    ipsec = "BM_IpsecMbSeal" if op == "seal" else "BM_IpsecMbOpen"
    batch = "BM_EncryptBatch" if op == "seal" else "BM_DecryptBatch"
    raw = "BM_AeadSeal" if op == "seal" else "BM_AeadOpen"
    out = []
    for suite in SUITES:
        if not any(k[1] == suite for k in med):
            continue
        has_ipsec = any(k[0] == ipsec and k[1] == suite for k in med)
        has_batch = any(k[0] == batch and k[1] == suite for k in med)
        has_raw = any(k[0] == raw and k[1] == suite for k in med)
        hdr = ["bytes", "ours ns · c/B"]
        if has_raw:
            hdr.append("ours AEAD only")
        hdr.append("BoringSSL ns · c/B")
        if has_ipsec:
            hdr.append("ipsec-mb ns · c/B")
        if has_batch:
            hdr.append("ours batch×64 ns/frame")
        hdr.append("BoringSSL / ours")
        if has_ipsec:
            hdr.append("ipsec-mb / ours")
        rows = []
        for size in SIZES:
            o = med.get((ours_name, suite, size, None))
            b = med.get((bssl, suite, size, None))
            i = med.get((ipsec, suite, size, None))
            row = [str(size), cell(o, size, ghz)]
            if has_raw:
                row.append(cell(med.get((raw, suite, size, None)), size, ghz))
            row.append(cell(b, size, ghz))
            if has_ipsec:
                row.append(cell(i, size, ghz))
            if has_batch:
                row.append(cell(med.get((batch, suite, size, 64)), size, ghz))
            row.append(ratio(b, o))
            if has_ipsec:
                row.append(ratio(i, o))
            rows.append(row)
        title = f"{suite} {'encrypt' if op == 'seal' else 'decrypt'}"
        out.append((title, hdr, rows))
    return out


def markdown(title, hdr, rows):
    lines = [f"**{title}**", "", "| " + " | ".join(hdr) + " |",
             "|" + "---|" * len(hdr)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def text(title, hdr, rows):
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(hdr)]
    fmt = "  ".join("{:>%d}" % w for w in widths)
    return "\n".join([title, fmt.format(*hdr)] + [fmt.format(*r) for r in rows]) + "\n"


def plots(ghz, med, outdir):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    series = [("ours", "BM_Encrypt"), ("BoringSSL", "BM_BoringSSLSeal"),
              ("intel-ipsec-mb", "BM_IpsecMbSeal")]
    for suite in ["aes128gcm", "aes256gcm", "aes128ctr80", "aes256ctr80"]:
        fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4))
        for label, name in series + [("ours, batch of 64", "BM_EncryptBatch")]:
            xs, ns = [], []
            for size in SIZES:
                v = med.get((name, suite, size, 64 if "Batch" in name else None))
                if v:
                    xs.append(size)
                    ns.append(v)
            if not xs:
                continue
            a.plot(xs, ns, marker="o", label=label)
            b.plot(xs, [x / n for x, n in zip(xs, ns)], marker="o", label=label)
        for ax, ylabel in ((a, "ns per frame"), (b, "GB/s")):
            ax.set_xscale("log", base=2)
            ax.set_xlabel("frame size (bytes)")
            ax.set_ylabel(ylabel)
            ax.grid(True, which="both", alpha=0.3)
        a.set_yscale("log")
        a.legend()
        fig.suptitle(f"{suite} encrypt (median; core clock {ghz:.2f} GHz)")
        fig.tight_layout()
        path = f"{outdir}/bench_{suite}.png"
        fig.savefig(path, dpi=90)
        plt.close(fig)
        print(f"wrote {path}", file=sys.stderr)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("json")
    p.add_argument("--plots")
    p.add_argument("--update-doc")
    args = p.parse_args()
    ctx, ghz, med, allocs = load(args.json)
    print(f"# {ctx.get('host_name', '')} · {ctx.get('num_cpus')} CPUs · "
          f"core clock {ghz:.2f} GHz (dependent-multiply chain) · "
          f"impl {ctx.get('sframe_aead_impl', 'auto')} · medians of "
          f"repetitions; cells: ns · cycles/byte\n")
    md = []
    for op in ("seal", "open"):
        for t in tables(ghz, med, op):
            print(text(*t))
            md.append(markdown(*t))
    keyops = [("BM_KeyInstall", "key install (ns)"),
              ("BM_RatchetStep", "ratchet step (ns)")]
    rows = []
    for suite in SUITES:
        vals = [med.get((name, suite, 0, None)) for name, _ in keyops]
        if any(vals):
            rows.append([suite] + [f"{v:.0f}" if v else "–" for v in vals])
    if rows:
        t = ("key operations", ["suite"] + [label for _, label in keyops], rows)
        print(text(*t))
        md.append(markdown(*t))
    nonzero = sorted({k[0] + "/" + k[1] + "/" + str(k[2]) for k, v in allocs.items() if v})
    print("allocations per iteration: " + ("all zero" if not nonzero else
                                          "NON-ZERO in " + ", ".join(nonzero)))
    if args.update_doc:
        doc = open(args.update_doc).read()
        begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
        if begin not in doc or end not in doc:
            sys.exit(f"{args.update_doc}: markers {begin} / {end} missing")
        head = doc[:doc.index(begin) + len(begin)]
        tail = doc[doc.index(end):]
        block = (f"\n\nCore clock {ghz:.2f} GHz (measured in the run), "
                 f"implementation `{ctx.get('sframe_aead_impl', 'auto')}`, "
                 f"{ctx.get('date', '')}. Cells: median ns · core cycles per "
                 f"byte.\n\n" + "\n".join(md) + "\n")
        open(args.update_doc, "w").write(head + block + tail)
        print(f"updated {args.update_doc}", file=sys.stderr)
    if args.plots:
        plots(ghz, med, args.plots)


if __name__ == "__main__":
    main()
