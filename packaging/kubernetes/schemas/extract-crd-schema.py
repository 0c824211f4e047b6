#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Extract from a CustomResourceDefinition the schema of the fields a
manifest uses, as a JSON Schema for make check's manifest validation.

  extract-crd-schema.py CRD.yaml VERSION MANIFEST.yaml OUT.json SOURCE

For each object of the CRD's kind in MANIFEST, the CRD's openAPIV3Schema
of VERSION is walked along the fields the object sets: a field the CRD
does not have is an error.  Kept: those fields and the ones the CRD
requires, with their types, enums, patterns, bounds and required lists;
dropped: descriptions and the fields the manifest does not set.  Every
object schema with properties gets "additionalProperties": false, as
the API server's strict field validation would reject an unknown field
(the CRD's structural schema prunes them).  SOURCE (repository, commit,
path) is written into the output's description.

Needs python3-yaml; run by hand when the manifest or the CRD changes
(packaging/kubernetes/schemas/README).
"""
import json
import sys

import yaml

KEEP = ("type", "enum", "pattern", "format", "minimum", "maximum",
        "minLength", "maxLength", "minItems", "maxItems", "nullable")


def walk(schema, value, path):
    out = {k: schema[k] for k in KEEP if k in schema}
    if "x-kubernetes-int-or-string" in schema:
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if isinstance(value, dict) and "properties" in schema:
        props = schema["properties"]
        for key in value:
            if key not in props:
                sys.exit(f"extract-crd-schema: {path}.{key} is not in the CRD")
        want = list(value) + [r for r in schema.get("required", [])
                              if r not in value]
        out["properties"] = {k: walk(props[k], value.get(k), f"{path}.{k}")
                             for k in sorted(want)}
        if schema.get("required"):
            out["required"] = list(schema["required"])
        out["additionalProperties"] = False
    elif isinstance(value, dict) and isinstance(
            schema.get("additionalProperties"), dict):
        out["additionalProperties"] = {
            k: v for k, v in schema["additionalProperties"].items()
            if k in KEEP}
    elif isinstance(value, list) and "items" in schema:
        merged = {}
        for v in value:
            item = walk(schema["items"], v, f"{path}[]")
            for k, s in item.get("properties", {}).items():
                merged.setdefault(k, s)
            base = item
        if value:
            if "properties" in base:
                base["properties"] = dict(sorted(merged.items()))
            out["items"] = base
    elif "items" in schema:
        out["items"] = {k: schema["items"][k] for k in KEEP
                        if k in schema["items"]}
    return out


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    crd_path, version, manifest, out_path, source = sys.argv[1:]
    crd = yaml.safe_load(open(crd_path))
    kind = crd["spec"]["names"]["kind"]
    group = crd["spec"]["group"]
    ver = next(v for v in crd["spec"]["versions"] if v["name"] == version)
    schema = ver["schema"]["openAPIV3Schema"]
    objs = [d for d in yaml.safe_load_all(open(manifest))
            if d and d.get("kind") == kind and
            d.get("apiVersion") == f"{group}/{version}"]
    if not objs:
        sys.exit(f"extract-crd-schema: no {kind} {group}/{version} in {manifest}")
    # metadata is the API server's ObjectMeta, checked as such elsewhere
    merged = {}
    for o in objs:
        o = dict(o)
        o["metadata"] = {}
        part = walk(schema, o, kind)
        for k, s in part["properties"].items():
            merged.setdefault(k, s)
        top = part
    top["properties"] = merged
    top["properties"]["metadata"] = {"type": "object"}
    top["properties"]["apiVersion"]["enum"] = [f"{group}/{version}"]
    top["properties"]["kind"]["enum"] = [kind]
    top["required"] = ["apiVersion", "kind", "metadata", "spec"]
    top["$schema"] = "http://json-schema.org/draft-07/schema#"
    top["title"] = f"{kind} {group}/{version}, the fields kabistat uses"
    top["description"] = (
        f"Extracted by extract-crd-schema.py from {source} "
        "(Apache License 2.0): the fields kabistat's manifests set and "
        "those the CRD requires; additionalProperties false added.")
    with open(out_path, "w") as f:
        json.dump(top, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
