#!/usr/bin/env python3
"""Validate every file under data/catalog/ against catalog.schema.json, then
check the cross-references the schema cannot express (see docs/catalog.md).

Usage: python3 data/catalog/schema/validate.py [--seeds DIR]
With --seeds, every source "quote" is also looked up in the seed text
(whitespace-insensitive; "…" and " / " split a quote into parts)."""
import argparse, glob, json, os, re, sys
from jsonschema import Draft202012Validator

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
errors = []

def err(path, msg):
    errors.append(f"{os.path.relpath(path, ROOT)}: {msg}")

def walk(node, fn, trail=()):
    fn(node, trail)
    if isinstance(node, dict):
        for k, v in node.items(): walk(v, fn, trail + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node): walk(v, fn, trail + (i,))

def predicates(cond):
    if "all" in cond: return [p for c in cond["all"] for p in predicates(c)]
    if "any" in cond: return [p for c in cond["any"] for p in predicates(c)]
    if "not" in cond: return predicates(cond["not"])
    return [cond]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds")
    args = ap.parse_args()
    schema = json.load(open(os.path.join(HERE, "catalog.schema.json"), encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)

    files = {}
    for p in sorted(glob.glob(os.path.join(ROOT, "**", "*.json"), recursive=True)):
        if os.path.dirname(p) == HERE: continue
        try:
            doc = json.load(open(p, encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as e:
            err(p, f"cannot parse: {e}"); continue
        for e in validator.iter_errors(doc):
            err(p, f"schema: /{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}")
        files[p] = doc
    by_kind = {}
    for p, d in files.items(): by_kind.setdefault(d.get("kind"), []).append((p, d))

    munis = {d["code"]: (p, d) for p, d in by_kind.get("municipality", [])}
    programs = {d["id"]: (p, d) for p, d in by_kind.get("program", [])}
    forms = {d["id"]: (p, d) for p, d in by_kind.get("form", [])}
    facts = {f["id"] for _, d in by_kind.get("facts", []) for f in d["facts"]}
    models = {m["id"]: m for _, d in by_kind.get("status_models", []) for m in d["models"]}

    for p, d in munis.values():
        if os.path.basename(p) != d["code"] + ".json": err(p, "file name must be <code>.json")
        purposes = {c["purpose"] for c in d["contacts"]}
        if purposes != {"disclosure_request", "inquiry"}: err(p, "needs disclosure_request and inquiry contacts")
        for mp in d["programs"]:
            if mp["program"] not in programs: err(p, f"unknown program {mp['program']}")

    def check_dates(p, items, what):
        spans = []
        for it in items:
            f, t = it["effective_from"], it.get("effective_to", "9999-12-31")
            if t < f: err(p, f"{what}: effective_to {t} before effective_from {f}")
            spans.append((f, t))
        spans.sort()
        for (f1, t1), (f2, _) in zip(spans, spans[1:]):
            if f2 <= t1: err(p, f"{what}: versions overlap at {f2}")

    def check_eligibility(p, elig, prog, where):
        params = {x["id"] for x in prog["parameters"]}
        bases = {x["id"] for x in prog["legal_bases"]}
        seen = set()
        for r in elig["rules"]:
            if r["id"] in seen: err(p, f"{where}: duplicate rule id {r['id']}")
            seen.add(r["id"])
            if r.get("effective_to", "9999-12-31") < r["effective_from"]: err(p, f"{where}: rule {r['id']} ends before it starts")
            for b in r["legal_basis"]:
                if b not in bases: err(p, f"{where}: rule {r['id']}: unknown legal basis {b}")
            for pr in predicates(r["when"]):
                if pr["fact"] not in facts: err(p, f"{where}: rule {r['id']}: unknown fact {pr['fact']}")
                if pr["fact"] in ("age_on", "school_year_grade") and "ref" not in pr: err(p, f"{where}: rule {r['id']}: {pr['fact']} needs ref")
                v = pr["value"]
                if isinstance(v, dict) and v["param"] not in params: err(p, f"{where}: rule {r['id']}: unknown parameter {v['param']}")
                if pr["op"] in ("in", "not_in") and not isinstance(v, (list, dict)): err(p, f"{where}: rule {r['id']}: {pr['op']} needs a list")

    for p, prog in programs.values():
        if os.path.basename(p) != prog["id"] + ".json": err(p, "file name must be <id>.json")
        for m in prog["municipalities"]:
            if m not in munis: err(p, f"unknown municipality {m}")
        for par in prog["parameters"]:
            check_dates(p, par["versions"], f"parameter {par['id']}")
        check_eligibility(p, prog["eligibility"], prog, "program")

    proc_ids = {}
    for p, ps in by_kind.get("procedure_set", []):
        code, prog_id = ps["municipality"], ps["program"]
        if os.path.basename(p) != f"{code}-{prog_id}.json": err(p, "file name must be <municipality>-<program>.json")
        if code not in munis: err(p, f"unknown municipality {code}"); continue
        if prog_id not in programs: err(p, f"unknown program {prog_id}"); continue
        prog = programs[prog_id][1]; muni = munis[code][1]
        if code not in prog["municipalities"]: err(p, f"{code} not listed in program {prog_id}")
        offices = {o["id"] for o in muni["offices"]}; contacts = {c["id"] for c in muni["contacts"]}
        bases = {b["id"] for b in prog["legal_bases"]}
        for pr in ps["procedures"]:
            pid = pr["id"]
            if pid in proc_ids: err(p, f"duplicate procedure id {pid}")
            proc_ids[pid] = pr
            if not pid.startswith(f"{code}-{prog_id}-"): err(p, f"{pid}: id must start with {code}-{prog_id}-")
            for o in pr["offices"]:
                if o not in offices: err(p, f"{pid}: unknown office {o}")
            for b in pr["legal_basis"]:
                if b not in bases: err(p, f"{pid}: unknown legal basis {b}")
            if pr["status_model"] not in models: err(p, f"{pid}: unknown status model {pr['status_model']}")
            po = pr["paper_original"]
            if po["required"]:
                if "send_to" not in po or "what" not in po: err(p, f"{pid}: paper_original needs what and send_to")
                else:
                    if po["send_to"]["office"] not in offices: err(p, f"{pid}: paper_original office unknown")
                    if po["send_to"]["contact"] not in contacts: err(p, f"{pid}: paper_original contact unknown")
                if "awaiting_original" not in {s["id"] for s in models.get(pr["status_model"], {"states": []})["states"]}:
                    err(p, f"{pid}: paper original required but status model has no awaiting_original")
            if "eligibility" in pr: check_eligibility(p, pr["eligibility"], prog, pid)
            declared = {m["role"] for m in pr["my_numbers"]}
            if len(declared) != len(pr["my_numbers"]): err(p, f"{pid}: a My Number role is declared twice")
            if pr["form"] is None:
                if pr["kind"] != "automatic": err(p, f"{pid}: only automatic procedures may have no form")
                if declared: err(p, f"{pid}: My Numbers declared without a form")
                continue
            if pr["form"] not in forms: err(p, f"{pid}: unknown form {pr['form']}"); continue
            form = forms[pr["form"]][1]
            if pid not in form["procedures"]: err(p, f"{pid}: form {form['id']} does not list this procedure")
            fields = [f for s in form["sections"] for f in s["fields"]]
            in_form = {f["my_number_role"] for f in fields if f["type"] == "my_number"}
            # Data minimisation: the form carries exactly the My Numbers the procedure declares.
            if in_form != declared: err(p, f"{pid}: My Number roles in form {sorted(in_form)} != declared {sorted(declared)}")
            atts = {f["id"] for f in fields if f["type"] == "attachment"}
            if {a["field"] for a in pr["attachments"]} != atts: err(p, f"{pid}: attachments do not match form {form['id']}")

    for p, form in forms.values():
        if os.path.basename(p) != form["id"] + ".json": err(p, "file name must be <id>.json")
        for pid in form["procedures"]:
            if pid not in proc_ids: err(p, f"unknown procedure {pid}")
        ids = [f["id"] for s in form["sections"] for f in s["fields"]]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup: err(p, f"duplicate field ids {sorted(dup)}")
        byid = {f["id"]: f for s in form["sections"] for f in s["fields"]}
        for f in byid.values():
            for key in ("required_when", "shown_when"):
                if key in f:
                    ref = byid.get(f[key]["field"])
                    if ref is None: err(p, f"{f['id']}.{key}: unknown field {f[key]['field']}")
                    elif ref["type"] == "choice" and f[key]["eq"] not in {c["value"] for c in ref["choices"]}:
                        err(p, f"{f['id']}.{key}: {f[key]['eq']} is not a choice of {ref['id']}")
            if f["type"] == "my_number" and f.get("prefill", {}).get("from", "card.my_number") != "card.my_number":
                err(p, f"{f['id']}: a My Number field can only be prefilled from card.my_number")

    for p, d in by_kind.get("status_models", []):
        for m in d["models"]:
            states = {s["id"] for s in m["states"]}
            if m["initial"] not in states: err(p, f"model {m['id']}: unknown initial state")
            for t in m["transitions"]:
                if t["from"] not in states or t["to"] not in states: err(p, f"model {m['id']}: transition {t['from']}->{t['to']} uses unknown state")
                if t["from"] in {s["id"] for s in m["states"] if s["terminal"]}: err(p, f"model {m['id']}: transition leaves terminal state {t['from']}")

    if args.seeds:
        texts = {}
        for p, d in files.items():
            def chk(node, trail, p=p):
                if isinstance(node, dict) and "seed" in node and "section" in node:
                    sp = os.path.join(args.seeds, node["seed"])
                    if not os.path.exists(sp): err(p, f"seed file {node['seed']} not found"); return
                    if sp not in texts: texts[sp] = re.sub(r"\s+", "", open(sp, encoding="utf-8").read())
                    for part in re.split(r"…| / ", node.get("quote", "")):
                        part = re.sub(r"\s+", "", part)
                        if part and part not in texts[sp]:
                            err(p, f"/{'/'.join(map(str, trail))}: quote not found in {node['seed']}: {part[:60]}")
            walk(d, chk)

    for e in errors: print(e)
    print(f"{len(files)} files, {len(errors)} problems")
    return 1 if errors else 0

if __name__ == "__main__":
    sys.exit(main())
