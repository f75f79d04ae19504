#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that the YNL spec (kmod/spdm-tsm.yaml) and the UAPI header agree.

Names follow YNL's C naming for a family "spdm-tsm":
  enum definition E, entry X     -> SPDM_TSM_<E>_<X>, numbered from 0 (or value-start)
  attribute set S, attribute A   -> SPDM_TSM_A_<S>_<A>, numbered from 1
  operation O                    -> SPDM_TSM_CMD_<O>, numbered from 1
  multicast group G              -> SPDM_TSM_MCGRP_<G> "g"
Every name must exist with the right value, and the header must not define
attributes or commands that the spec lacks.

With the generated kernel source (kmod/spdm-tsm-nl-gen.c) as a third
argument, it also checks the policies the module enforces: each request
policy has exactly the attributes the spec's request lists, every op and
mode of the spec is in the ops table with its policy and hooks, and every
64-bit attribute set has a pad attribute.  And dev-event-ntf must carry the
dev-get reply (all of it but the serial, which only privileged replies
carry) plus event, reason and timestamp-ns.
"""
import re
import sys

import yaml


def c_name(*parts):
    return "_".join(p.upper().replace("-", "_") for p in parts)


def parse_header(text):
    values, strings = {}, {}
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    for m in re.finditer(r"#define\s+(\w+)\s+\"([^\"]*)\"", text):
        strings[m.group(1)] = m.group(2)
    for m in re.finditer(r"#define\s+(\w+)\s+(\d+)\s*$", text, flags=re.M):
        values[m.group(1)] = int(m.group(2))
    for body in re.findall(r"enum\s*\w*\s*\{(.*?)\}", text, flags=re.S):
        nxt = 0
        for item in body.split(","):
            item = item.strip()
            if not item:
                continue
            if "=" in item:
                name, expr = (s.strip() for s in item.split("=", 1))
                expr = expr.strip("() ")
                m = re.fullmatch(r"(\w+)\s*-\s*1", expr)
                if m:
                    val = values[m.group(1)] - 1
                else:
                    val = int(expr, 0)
            else:
                name, val = item, nxt
            values[name] = val
            nxt = val + 1
    return values, strings


def check_generated(spec, fam, text):
    """The generated kernel policies and ops table against the spec."""
    errors = []
    policies = {}
    for m in re.finditer(r"nla_policy (\w+)_nl_policy\[[^\]]*\] = \{(.*?)\n\};", text, flags=re.S):
        policies[m.group(1)] = set(re.findall(r"\[(\w+)\] =", m.group(2)))
    opstab = re.search(r"genl_split_ops \w+_nl_ops\[\] = \{(.*?)\n\};", text, flags=re.S)
    if not opstab:
        return ["no ops table in the generated source"]
    entries = []
    for body in re.findall(r"\{(.*?)\}", opstab.group(1), flags=re.S):
        entries.append(dict(re.findall(r"\.(\w+)\s*=\s*(\w+)", body)))
    fam_c = fam.replace("-", "_")
    for o in spec["operations"]["list"]:
        oname = o["name"].replace("-", "_")
        cmd = c_name(fam, "cmd", o["name"])
        aset = o.get("attribute-set")
        for mode, cap in (("do", "GENL_CMD_CAP_DO"), ("dump", "GENL_CMD_CAP_DUMP")):
            if mode not in o:
                continue
            found = [e for e in entries if e.get("cmd") == cmd and e.get("flags") == cap]
            if len(found) != 1:
                errors.append(f"{cmd} {mode}: {len(found)} entries in the ops table")
                continue
            e = found[0]
            fn = "doit" if mode == "do" else "dumpit"
            if e.get(fn) != f"{fam_c}_nl_{oname}_{fn}":
                errors.append(f"{cmd} {mode}: handler {e.get(fn)}")
            hook = {"do": "pre_doit", "dump": "start"}[mode]
            pre = o[mode].get("pre")
            if (pre and e.get(hook) != pre.replace("-", "_")) or (not pre and hook in e):
                errors.append(f"{cmd} {mode}: {hook} is {e.get(hook)}, the spec says {pre}")
            req = o[mode].get("request", {}).get("attributes", [])
            want = {c_name(fam, "a", aset, a) for a in req}
            pol = e.get("policy")
            if not req:
                if pol:
                    errors.append(f"{cmd} {mode}: a policy for a request without attributes")
                continue
            if not pol or pol[:-len("_nl_policy")] not in policies:
                errors.append(f"{cmd} {mode}: no generated policy")
                continue
            got = policies[pol[:-len("_nl_policy")]]
            if got != want:
                errors.append(f"{cmd} {mode}: policy has {sorted(got)}, the spec's request {sorted(want)}")
    return errors


def main(spec_path, header_path, gen_path=None):
    spec = yaml.safe_load(open(spec_path))
    values, strings = parse_header(open(header_path).read())
    fam = spec["name"]
    errors = []

    def expect(name, val):
        if name not in values:
            errors.append(f"{name} is in the spec but not in the header")
        elif values[name] != val:
            errors.append(f"{name} is {values[name]} in the header, {val} in the spec")

    if strings.get(c_name(fam, "family-name")) != fam:
        errors.append(f"{c_name(fam, 'family-name')} must be \"{fam}\"")
    for d in spec.get("definitions", []):
        if d["type"] != "enum":
            continue
        start = d.get("value-start", 0)
        for i, e in enumerate(d["entries"]):
            ename = e["name"] if isinstance(e, dict) else e
            expect(c_name(fam, d["name"], ename), start + i)
    set_prefixes = [c_name(fam, "a", s["name"]) + "_"
                    for s in spec.get("attribute-sets", [])]

    def owner(h):
        """The longest set prefix of h: SPDM_TSM_A_SESSION_EVIDENCE_ID is
        the set 'session-evidence', not 'session'."""
        return max((p for p in set_prefixes if h.startswith(p)), key=len,
                   default=None)

    for s in spec.get("attribute-sets", []):
        prefix = c_name(fam, "a", s["name"]) + "_"
        names = set()
        for i, a in enumerate(s["attributes"]):
            n = c_name(fam, "a", s["name"], a["name"])
            names.add(n)
            expect(n, a.get("value", i + 1))
        for h in values:
            if owner(h) == prefix and not h.startswith("__") and h not in names \
                    and not h.endswith("_MAX"):
                errors.append(f"{h} is in the header but not in the spec's set '{s['name']}'")
    ops = spec["operations"]["list"]
    op_names = set()
    for i, o in enumerate(ops):
        n = c_name(fam, "cmd", o["name"])
        op_names.add(n)
        expect(n, o.get("value", i + 1))
    for h in values:
        if h.startswith(c_name(fam, "cmd") + "_") and h not in op_names and not h.endswith("_MAX"):
            errors.append(f"{h} is in the header but not in the spec's operations")
    for g in spec.get("mcast-groups", {}).get("list", []):
        n = c_name(fam, "mcgrp", g["name"])
        if strings.get(n) != g["name"]:
            errors.append(f"{n} must be \"{g['name']}\"")

    sets = {s["name"]: s for s in spec.get("attribute-sets", [])}
    for s in sets.values():
        types = {a["type"] for a in s["attributes"]}
        if types & {"u64", "s64"} and "pad" not in types:
            errors.append(f"attribute set '{s['name']}' has 64-bit attributes but no pad")
    byname = {o["name"]: o for o in ops}
    ntf = set(byname["dev-event-ntf"]["event"]["attributes"])
    reply = set(byname["dev-get"]["do"]["reply"]["attributes"])
    want = (reply - {"serial"}) | {"event", "reason", "timestamp-ns"}
    if ntf != want:
        errors.append(f"dev-event-ntf attributes differ from the dev-get reply: "
                      f"missing {sorted(want - ntf)}, extra {sorted(ntf - want)}")

    if gen_path:
        errors += check_generated(spec, fam, open(gen_path).read())

    for e in errors:
        print("abi: " + e)
    checked = len(values) + len(strings)
    print(f"abi: {spec_path} vs {header_path}: {len(errors)} mismatches ({checked} header names)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
