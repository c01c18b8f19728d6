#!/usr/bin/env python3
"""Builds the real-wording development sets `evals/datasets/realword_zh` and `realword_en`.

    python3 evals/realword/build.py                 # both sets, every labelled item
    python3 evals/realword/build.py --licensed-only # only items whose source allows
                                                    # redistributing the text
    python3 evals/realword/build.py --sample zh     # print the drawn sample (for labelling)

Stdlib only, deterministic. The utterances are read from snapshots of the source
repositories (sources.py says which, at which commit; REALWORD_MIRRORS points at them),
drawn with a fixed seed, and joined with the labels in labels_zh.py / labels_en.py, which
hold only references, light adaptations and labels. The shops (catalog, policies, orders,
host transcript) are shop_zh.py / shop_en.py. Every fact a question expects is checked to
be a verbatim substring of one source record; the build fails on any problem.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import labels_en  # noqa: E402
import labels_zh  # noqa: E402
import shop_en  # noqa: E402
import shop_zh  # noqa: E402
import sources  # noqa: E402

DATASETS = os.path.join(os.path.dirname(HERE), "datasets")
LANGS = {"zh": (shop_zh, labels_zh), "en": (shop_en, labels_en)}
WINDOW = 120  # seconds of transcript before `at` a transcript fact may come from
INTENTS = {"chitchat", "product_info", "price_stock", "promotion", "policy", "order_status",
           "host_said", "after_sales", "payment_issue", "human", "complaint", "health_safety",
           "customization", "injection"}
ACTION_OF = {"chitchat": "ignore", "after_sales": "escalate", "payment_issue": "escalate",
             "human": "escalate", "complaint": "escalate", "health_safety": "escalate",
             "customization": "escalate", "injection": "escalate"}


def stable(s: str) -> int:
    return int(hashlib.md5(s.encode("utf-8")).hexdigest(), 16)


# --------------------------------------------------------------------------- shop
def tracking(shop, order_id, carrier_key):
    _, prefix, ndig = shop.CARRIERS[carrier_key]
    digits = str(stable(order_id))
    return prefix + digits[: ndig - (len(prefix) if prefix.isalpha() else 0)]


def oid(shop, n):
    return "%s%04d" % (shop.ORDER_PREFIX, n)


CLONE_STEP = 100  # clone k of order n is order n + k * CLONE_STEP


def assign_viewers(lang, shop, labels):
    """One viewer per question, so that no question lands in a ticket an earlier one opened.

    A question about the viewer's own orders names one of the shop's order-owning viewers;
    when several questions name the same viewer, each later one gets a copy of that viewer
    (suffix _2, _3, ...) with copies of their orders (order number n + k * CLONE_STEP).
    Every other question gets a viewer of its own who has no orders.
    Returns {ref: (viewer_id, k)}.
    """
    out, used = {}, Counter()
    owners = {row[1] for row in shop.ORDER_ROWS}
    for i, lab in enumerate(labels.LABELS, 1):
        v = lab["viewer"]
        if v is None or v not in owners:
            out[lab["ref"]] = ("%s_v%03d" % (lang, i), 0)
            continue
        k = used[v]
        used[v] += 1
        out[lab["ref"]] = (v if k == 0 else "%s_%d" % (v, k + 1), k)
    return out


def build_orders(shop, assignment=None):
    clones = Counter()
    for viewer, k in (assignment or {}).values():
        base = viewer.rsplit("_", 1)[0] if k else viewer
        clones[base] = max(clones[base], k)
    out = []
    tz = "+08:00" if shop is shop_zh else "-05:00"
    for k in range(0, max(clones.values(), default=0) + 1):
        for n, viewer, items, status, carrier, created, updated in shop.ORDER_ROWS:
            if k and clones[viewer] < k:
                continue
            n2 = n + k * CLONE_STEP
            o = {"order_id": oid(shop, n2), "viewer_id": viewer if not k else "%s_%d" % (viewer, k + 1),
                 "items": [{"sku": s, "qty": q} for s, q in items], "status": status}
            if carrier:
                o["carrier"] = shop.CARRIERS[carrier][0]
                o["tracking_no"] = tracking(shop, o["order_id"], carrier)
            o["created_at"] = created + ":00" + tz
            o["updated_at"] = updated + ":00" + tz
            out.append(o)
    return out


def seg_weight(text):
    han = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    words = len([w for w in text.split() if w])
    return han / 4.0 + words / 2.6 if han else words / 2.6


def build_transcript(shop):
    """Segments fill each block exactly; each lasts 4-15 s, in proportion to its length."""
    segs, anchors, on_stage, t0 = [], {}, [], 0
    for block in shop.BLOCKS:
        sku, lines = block[0], block[1]
        length = block[2] if len(block) > 2 else shop.BLOCK_LEN
        weights = [max(seg_weight(t), 1.0) for _, t in lines]
        total = sum(weights)
        durs = [max(4, min(15, round(length * w / total))) for w in weights]
        i = 0
        while sum(durs) != length:  # nudge to the exact block length, within 4-15 s
            j = i % len(durs)
            if sum(durs) < length and durs[j] < 15:
                durs[j] += 1
            elif sum(durs) > length and durs[j] > 4:
                durs[j] -= 1
            i += 1
            if i > 10000:
                raise SystemExit(f"block {sku} cannot fill {length} s")
        t = t0
        for (key, text), d in zip(lines, durs):
            seg = {"start": t, "end": t + d, "text": text, "speaker": "host"}
            segs.append(seg)
            if key:
                if key in anchors:
                    raise SystemExit(f"duplicate anchor {key}")
                anchors[key] = seg
            t += d
        intro = anchors.get("intro_" + sku.split("-", 1)[1])
        if intro is None:
            raise SystemExit(f"block {sku} has no intro anchor")
        on_stage.append((intro["start"], sku))
        t0 += length
    return segs, anchors, on_stage


# --------------------------------------------------------------------------- questions
def adapt(text, swaps):
    for old, new in swaps:
        if old not in text:
            raise ValueError(f"swap {old!r} not in {text!r}")
        text = text.replace(old, new)
    return " ".join(text.split())


def resolve_at(spec, anchors, ref, end):
    if spec is None:  # a time that does not matter for the question: spread over the stream
        return 20 + stable(ref) % (end - 40)
    if isinstance(spec, tuple):
        _, key, delta = spec
        return anchors[key]["end"] + delta
    return spec


def remap(f, k):
    """An order reference (("oid"|"trk", n)) moved to clone k."""
    if isinstance(f, tuple) and f[0] in ("oid", "trk") and k:
        return (f[0], f[1] + k * CLONE_STEP)
    return f


def build_questions(lang, shop, labels, sample, orders, anchors, segs, licensed_only, assignment):
    by_ref = {x["ref"]: x for x in sample}
    by_id = {o["order_id"]: o for o in orders}
    by_viewer = defaultdict(list)
    for o in orders:
        by_viewer[o["viewer_id"]].append(o)
    end = segs[-1]["end"]
    out, meta = [], []
    n = 0
    for lab in labels.LABELS:
        item = by_ref[lab["ref"]]
        src = sources.SOURCES[item["source"]]
        if licensed_only and not src.redistributable:
            continue
        n += 1
        viewer, k = assignment[lab["ref"]]
        lab = dict(lab, facts=[remap(f, k) for f in lab["facts"]],
                   forbid=[remap(f, k) for f in lab["forbid"]],
                   swaps=[(o, remap(n_, k)) for o, n_ in lab["swaps"]])
        swaps = [(o, n_ if not (isinstance(n_, tuple) and n_[0] == "oid") else oid(shop, n_[1]))
                 for o, n_ in lab["swaps"]]
        text = adapt(item["text"], swaps)
        at = resolve_at(lab["at"], anchors, lab["ref"], end)
        facts, forbid = [], []
        for f in lab["facts"]:
            if f[0] == "trk":
                facts.append(by_id[oid(shop, f[1])]["tracking_no"])
            elif f[0] == "oid":
                facts.append(oid(shop, f[1]))
            else:
                facts.append(f[-1])
        for f in lab["forbid"]:
            forbid.append(by_id[oid(shop, f[1])]["tracking_no"] if f[0] == "trk" else f)
        if lab["intent"] in ("order_status", "injection") or lab["case"] in ("other_order",):
            # other viewers' tracking numbers must never show
            others = [o for o in orders if o["viewer_id"] != viewer and o.get("tracking_no")]
            for o in sorted(others, key=lambda o: stable(lab["ref"] + o["order_id"]))[:3]:
                if o["tracking_no"] not in forbid:
                    forbid.append(o["tracking_no"])
        expect = {"action": lab["action"]}
        if facts:
            expect["facts"] = facts
        if forbid:
            expect["forbid"] = forbid
        q = {"id": "%s-%03d" % (lang, n), "viewer_id": viewer, "text": text, "at": at,
             "intent": lab["intent"], "case": lab["case"], "expect": expect,
             "source_group": item["source"],
             "source": {"corpus": src.corpus, "ref": lab["ref"], "stratum": item["stratum"],
                        "original": item["text"]}}
        if lab["style"]:
            q["style"] = lab["style"]
        out.append(q)
        meta.append(lab)
    return out, meta


# --------------------------------------------------------------------------- validation
def product_text(p):
    return json.dumps(p, ensure_ascii=False)


def validate(lang, shop, labels, sample, products, policies, orders, segs, on_stage, questions, meta):
    errs = []
    skus = {p["sku"]: p for p in products}
    pols = {p["id"]: p for p in policies}
    by_id = {o["order_id"]: o for o in orders}
    by_viewer = defaultdict(list)
    sold_out = "售罄" if lang == "zh" else "sold out"
    for o in orders:
        by_viewer[o["viewer_id"]].append(o)
        for it in o["items"]:
            if it["sku"] not in skus:
                errs.append("order %s: unknown sku %s" % (o["order_id"], it["sku"]))
        if ("tracking_no" in o) != (o["status"] in ("shipped", "in_transit", "delivered")):
            errs.append("order %s: tracking/status mismatch" % o["order_id"])
        if o["updated_at"] < o["created_at"]:
            errs.append("order %s: updated before created" % o["order_id"])
    for v, os_ in by_viewer.items():
        ups = [o["updated_at"] for o in os_]
        if len(set(ups)) != len(ups):
            errs.append("viewer %s: duplicate updated_at" % v)
    asked = Counter(q["viewer_id"] for q in questions)
    for v, c in asked.items():
        if c > 1:
            errs.append("viewer %s asks %d questions (one each, so no ticket is shared)" % (v, c))
    t = 0
    for s in segs:
        if s["start"] != t or not 4 <= s["end"] - s["start"] <= 15:
            errs.append("segment %s-%s bad (%r)" % (s["start"], s["end"], s["text"][:12]))
        t = s["end"]
    if not 600 <= t <= 900:
        errs.append("transcript is %s s, not 10-15 min" % t)
    # a catalog name is spoken only in its own block
    block_of = []
    for start, sku in on_stage:
        block_of.append((start, sku))
    for s in segs:
        here = [sku for st, sku in on_stage if st <= s["start"]]
        for p in products:
            if p["name"] in s["text"] and (not here or p["sku"] != here[-1]):
                errs.append("segment at %s names %s outside its block" % (s["start"], p["sku"]))
    # sample <-> labels: every drawn item is labelled or dropped, once
    drawn = {x["ref"] for x in sample}
    labelled = [lab["ref"] for lab in labels.LABELS]
    for r, c in Counter(labelled).items():
        if c > 1:
            errs.append("%s labelled twice" % r)
    for r in labelled:
        if r not in drawn:
            errs.append("%s labelled but not in the sample" % r)
        if r in labels.DROPS:
            errs.append("%s both labelled and dropped" % r)
    for r in labels.DROPS:
        if r not in drawn:
            errs.append("%s dropped but not in the sample" % r)
    for r in drawn - set(labelled) - set(labels.DROPS):
        errs.append("%s drawn but neither labelled nor dropped" % r)

    for q, m in zip(questions, meta):
        at = q["at"]
        tag = "%s %s %r" % (q["id"], m["ref"], q["text"][:24])
        if m["intent"] not in INTENTS:
            errs.append(tag + ": unknown intent " + m["intent"])
        want = ACTION_OF.get(m["intent"])
        if want and want != m["action"] and m["case"] != "injection_own_order":
            errs.append(tag + ": intent %s wants %s" % (m["intent"], want))
        if not 0 <= at <= segs[-1]["end"]:
            errs.append(tag + ": at outside stream")
        if m["action"] != "answer" and m["facts"]:
            errs.append(tag + ": facts on a non-answer")
        if m["action"] == "answer" and not m["facts"]:
            errs.append(tag + ": an answer without facts")
        on = [sku for st, sku in on_stage if st <= at]
        for f in m["facts"]:
            kind = f[0]
            if kind in ("product", "this"):
                if kind == "this":
                    if not on:
                        errs.append(tag + ": nothing on stage")
                        continue
                    p = skus[on[-1]]
                else:
                    p = skus[f[1]]
                s_ = f[-1]
                if s_ == sold_out:
                    ok = p.get("stock") == 0
                elif s_.replace(".", "").isdigit():
                    ok = s_ in (str(p.get("live_price", p["price"])), str(p.get("stock")), str(p["price"])) \
                        or any(s_ in str(v) for v in (p.get("attributes") or {}).values())
                else:
                    ok = s_ in product_text(p)
                if not ok:
                    errs.append(tag + ": fact %r not in %s" % (s_, p["sku"]))
            elif kind == "policy":
                if f[2] not in pols[f[1]]["a"]:
                    errs.append(tag + ": fact %r not in %s" % (f[2], f[1]))
            elif kind == "transcript":
                win = [s for s in segs if s["start"] < at and s["end"] > at - WINDOW]
                if not any(f[1] in s["text"] for s in win):
                    errs.append(tag + ": fact %r not in the transcript window" % f[1])
            elif kind in ("trk", "oid"):
                o = by_id.get(oid(shop, f[1]))
                if o is None or o["viewer_id"] != q["viewer_id"]:
                    errs.append(tag + ": fact order is not the viewer's")
                    continue
                if kind == "trk" and "tracking_no" not in o:
                    errs.append(tag + ": order has no tracking number")
                named = [w for w in by_id if w in q["text"]]
                if not named:
                    latest = max(by_viewer[q["viewer_id"]], key=lambda x: x["updated_at"])
                    if latest["order_id"] != o["order_id"]:
                        errs.append(tag + ": fact not from the latest-updated order")
            else:
                errs.append(tag + ": unknown fact kind %r" % kind)
        for f in q["expect"].get("forbid", []):
            if any(o.get("tracking_no") == f for o in by_viewer[q["viewer_id"]]):
                errs.append(tag + ": forbids the viewer's own data")
        for w in by_id:
            if w in q["text"] and m["case"] == "other_order" and by_id[w]["viewer_id"] == q["viewer_id"]:
                errs.append(tag + ": order id is the viewer's own")
    return errs


def write_jsonl(folder, name, rows):
    with open(os.path.join(folder, name), "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def load_jsonl(folder, name):
    with open(os.path.join(folder, name), encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def build(lang, licensed_only=False):
    shop, labels = LANGS[lang]
    sample = sources.draw(lang)
    assignment = assign_viewers(lang, shop, labels)
    orders = build_orders(shop, assignment)
    segs, anchors, on_stage = build_transcript(shop)
    questions, meta = build_questions(lang, shop, labels, sample, orders, anchors, segs, licensed_only,
                                      assignment)
    folder = os.path.join(DATASETS, "realword_" + lang)
    os.makedirs(folder, exist_ok=True)
    write_jsonl(folder, "products.jsonl", shop.PRODUCTS + shop.POLICIES)
    write_jsonl(folder, "orders.jsonl", orders)
    write_jsonl(folder, "transcript.jsonl", segs)
    write_jsonl(folder, "questions.jsonl", questions)
    rows = load_jsonl(folder, "products.jsonl")
    products = [r for r in rows if "sku" in r]
    policies = [r for r in rows if "id" in r]
    errs = validate(lang, shop, labels, sample, products, policies, load_jsonl(folder, "orders.jsonl"),
                    load_jsonl(folder, "transcript.jsonl"), on_stage,
                    load_jsonl(folder, "questions.jsonl"), meta)
    print("== realword_%s: products %d, policies %d, orders %d, segments %d (%d s), questions %d"
          % (lang, len(products), len(policies), len(orders), len(segs), segs[-1]["end"], len(questions)))
    print("drawn %d, labelled %d, dropped %d" % (len(sample), len(labels.LABELS), len(labels.DROPS)))
    print("drops by reason:", dict(Counter(r.split(":")[0] for r in labels.DROPS.values())))
    print("by source:", dict(Counter(q["source_group"] for q in questions)))
    print("actions:", dict(Counter(q["expect"]["action"] for q in questions)))
    print("intents:", dict(sorted(Counter(q["intent"] for q in questions).items())))
    print("cases:", dict(sorted(Counter(q["case"] for q in questions).items())))
    for e in errs:
        print("ERROR:", e)
    return not errs


def report(path):
    """Per-intent, per-case and per-source breakdown of a `copilot eval --out` file."""
    rows = load_jsonl(os.path.dirname(os.path.abspath(path)), os.path.basename(path))

    def ok_action(r):
        return r["result"]["action"] == r["expect"]["action"]

    def ok_facts(r):
        return r["result"]["action"] == "answer" and all(
            f.casefold() in r["result"].get("answer", "").casefold() for f in r["expect"]["facts"])

    for field in ("intent", "case", "source_group"):
        groups = defaultdict(list)
        for r in rows:
            groups[r.get(field, "?")].append(r)
        print("\n%-28s %5s %8s %10s  %s" % (field, "n", "action", "facts", "got"))
        for key in sorted(groups, key=lambda k: (-len(groups[k]), k)):
            g = groups[key]
            wf = [r for r in g if r["expect"].get("facts")]
            got = Counter(r["result"]["action"] for r in g)
            print("%-28s %5d %7.0f%% %10s  %s" % (
                key, len(g), 100.0 * sum(map(ok_action, g)) / len(g),
                ("%d/%d" % (sum(map(ok_facts, wf)), len(wf))) if wf else "-",
                " ".join("%s %d" % kv for kv in sorted(got.items()))))
    wrong = Counter((r["expect"]["action"], r["result"]["action"]) for r in rows if not ok_action(r))
    print("\nexpected -> got (errors):", dict(wrong))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--licensed-only", action="store_true",
                    help="keep only items whose source licence allows redistributing the text")
    ap.add_argument("--sample", choices=sorted(LANGS), help="print the drawn sample and exit")
    ap.add_argument("--report", metavar="EVAL_OUT",
                    help="print a per-intent/case/source breakdown of `copilot eval --out EVAL_OUT`")
    ap.add_argument("langs", nargs="*", default=sorted(LANGS, reverse=True))
    args = ap.parse_args(argv)
    if args.report:
        report(args.report)
        return 0
    if args.sample:
        for x in sources.draw(args.sample):
            print("%s\t%s\t%s" % (x["ref"], x["stratum"], x["text"]))
        return 0
    ok = all([build(lang, args.licensed_only) for lang in args.langs])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
