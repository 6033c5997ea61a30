#!/usr/bin/env python3
"""Checks deploy/kubernetes: every resource a kustomization lists, rendered as kustomize would
for the features these manifests use (namespace, labels, strategic-merge patches of maps with
`null` deleting a key and `$patch: delete` deleting a resource, JSON 6902 patches with add,
replace and remove),
validated against the Kubernetes schemas (kubernetes-validate, strict: unknown fields are
errors) — the Prometheus Operator kinds against the schemas in deploy/kubernetes/schemas —
and each ConfigMap's console.toml accepted by the console's own `check-config` (the Secret's
files stood in for by empty ones). Also: every file of a directory is listed, and
terminationGracePeriodSeconds exceeds shutdown_grace_secs + 3 s.

    scripts/check-manifests.py <console binary> [kubernetes version]
"""
import copy
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import tomllib

import jsonschema
import kubernetes_validate
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent / "deploy" / "kubernetes"
CRDS = {"ServiceMonitor": "servicemonitor.json", "PrometheusRule": "prometheusrule.json"}


def merge(base, patch):
    """A strategic-merge patch of maps (lists replaced; `null` deletes the key), enough for
    these overlays (their patches touch no keyed list)."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for k, v in patch.items():
            if v is None:
                out.pop(k, None)
            else:
                out[k] = merge(base[k], v) if k in base else copy.deepcopy(v)
        return out
    return copy.deepcopy(patch)


def pointer(doc, path):
    """The parent container and the last token of a JSON pointer (RFC 6901)."""
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in path.lstrip("/").split("/")]
    for t in tokens[:-1]:
        doc = doc[int(t)] if isinstance(doc, list) else doc[t]
    return doc, tokens[-1]


def json6902(resource, ops, where):
    """RFC 6902 `add`, `replace` and `remove`, failing on a path that is not there (as
    kustomize does)."""
    out = copy.deepcopy(resource)
    for op in ops:
        try:
            parent, last = pointer(out, op["path"])
            if isinstance(parent, list):
                if op["op"] == "add":
                    parent.insert(len(parent) if last == "-" else int(last), copy.deepcopy(op["value"]))
                elif op["op"] == "replace":
                    parent[int(last)] = copy.deepcopy(op["value"])
                elif op["op"] == "remove":
                    del parent[int(last)]
                else:
                    sys.exit(f"{where}: unsupported op {op['op']}")
            else:
                if op["op"] in ("replace", "remove") and last not in parent:
                    sys.exit(f"{where}: {op['op']} {op['path']}: no such path")
                if op["op"] == "remove":
                    del parent[last]
                elif op["op"] in ("add", "replace"):
                    parent[last] = copy.deepcopy(op["value"])
                else:
                    sys.exit(f"{where}: unsupported op {op['op']}")
        except (KeyError, IndexError, ValueError, TypeError) as e:
            sys.exit(f"{where}: {op['op']} {op['path']}: no such path ({e!r})")
    return out


def render(directory: pathlib.Path):
    k = yaml.safe_load((directory / "kustomization.yaml").read_text())
    resources = []
    listed = set()
    for entry in k.get("resources", []):
        path = directory / entry
        if path.is_dir():
            resources += render(path)
        else:
            listed.add(path.name)
            resources += [d for d in yaml.safe_load_all(path.read_text()) if d]
    for p in k.get("patches", []):
        if "path" in p:
            listed.add(p["path"])
            patch = yaml.safe_load((directory / p["path"]).read_text())
            kind, name, where = patch["kind"], patch["metadata"]["name"], f"{directory}: patch {p['path']}"
        else:
            patch = yaml.safe_load(p["patch"])
            kind, name, where = p["target"]["kind"], p["target"]["name"], f"{directory}: patch of {p['target']['kind']}/{p['target']['name']}"
        target = [r for r in resources if r["kind"] == kind and r["metadata"]["name"] == name]
        if len(target) != 1:
            sys.exit(f"{where} matches {len(target)} resources")
        at = resources.index(target[0])
        if isinstance(patch, list):
            resources[at] = json6902(target[0], patch, where)
        elif patch.get("$patch") == "delete":
            del resources[at]
        else:
            resources[at] = merge(target[0], patch)
    files = {f.name for f in directory.iterdir() if f.suffix == ".yaml" and f.name != "kustomization.yaml"}
    if files - listed:
        sys.exit(f"{directory}: not listed in kustomization.yaml: {sorted(files - listed)}")
    for r in resources:
        if "namespace" in k:
            r["metadata"]["namespace"] = k["namespace"]
        for label in k.get("labels", []):
            r["metadata"].setdefault("labels", {}).update(label["pairs"])
    return resources


def main():
    binary = sys.argv[1]
    version = sys.argv[2] if len(sys.argv) > 2 else "1.32.0"
    failures = []
    builds = sorted(p.parent for p in ROOT.rglob("kustomization.yaml"))
    for build in builds:
        name = build.relative_to(ROOT)
        resources = render(build)
        kinds = sorted(r["kind"] for r in resources)
        print(f"{name}: {len(resources)} resources: {', '.join(kinds)}")
        for r in resources:
            what = f"{name}: {r['kind']}/{r['metadata']['name']}"
            if r["kind"] in CRDS:
                schema = json.loads((ROOT / "schemas" / CRDS[r["kind"]]).read_text())
                errors = list(jsonschema.Draft202012Validator(schema).iter_errors(r))
                failures += [f"{what}: {e.message} at {list(e.absolute_path)}" for e in errors]
                continue
            try:
                kubernetes_validate.validate(r, version, strict=True)
            except kubernetes_validate.SchemaNotFoundError as e:
                failures.append(f"{what}: no schema ({e})")
            except kubernetes_validate.ValidationError as e:
                failures.append(f"{what}: {e.message} at {list(e.absolute_path)}")
        # The console's own configuration check on each ConfigMap's console.toml.
        for cm in (r for r in resources if r["kind"] == "ConfigMap" and "console.toml" in r.get("data", {})):
            text = cm["data"]["console.toml"]
            config = tomllib.loads(text)
            with tempfile.TemporaryDirectory() as tmp:
                secrets = pathlib.Path(tmp, "secrets")
                secrets.mkdir()
                for line in text.splitlines():
                    if "/etc/console/secrets/" in line:
                        file = line.split("/etc/console/secrets/")[1].split('"')[0]
                        (secrets / file).write_text("a-stand-in-secret-value\n")
                local = text.replace("/etc/console/secrets/", f"{secrets}/").replace("/var/lib/console/", f"{tmp}/")
                path = pathlib.Path(tmp, "console.toml")
                path.write_text(local)
                env = {k: v for k, v in os.environ.items() if not k.startswith("CONSOLE_")}
                out = subprocess.run([binary, "check-config", "--config", str(path)], capture_output=True, text=True, env=env)
                print(f"{name}: ConfigMap {cm['metadata']['name']} console.toml: {out.stderr.strip()}")
                if out.returncode != 0:
                    failures.append(f"{name}: console.toml refused by check-config: {out.stderr.strip()}")
            grace = config.get("shutdown_grace_secs", 25)
            for d in (r for r in resources if r["kind"] == "Deployment"):
                period = d["spec"]["template"]["spec"].get("terminationGracePeriodSeconds", 30)
                if period <= grace + 3:
                    failures.append(f"{name}: terminationGracePeriodSeconds {period} is not above shutdown_grace_secs {grace} + 3 s")
    if failures:
        print("\n".join(["manifest problems:"] + [f"  - {f}" for f in failures]))
        sys.exit(1)
    print(f"every manifest of {len(builds)} kustomization(s) is valid for Kubernetes {version}")


if __name__ == "__main__":
    main()
