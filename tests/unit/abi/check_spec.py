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


def main(spec_path, header_path):
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
    for s in spec.get("attribute-sets", []):
        prefix = c_name(fam, "a", s["name"]) + "_"
        names = set()
        for i, a in enumerate(s["attributes"]):
            n = c_name(fam, "a", s["name"], a["name"])
            names.add(n)
            expect(n, a.get("value", i + 1))
        for h in values:
            if h.startswith(prefix) and not h.startswith("__") and h not in names \
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

    for e in errors:
        print("abi: " + e)
    checked = len(values) + len(strings)
    print(f"abi: {spec_path} vs {header_path}: {len(errors)} mismatches ({checked} header names)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
