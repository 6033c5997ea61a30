#!/usr/bin/env bash
# Validates deploy/kubernetes against the Kubernetes schemas (kubernetes-validate from PyPI,
# strict) and checks each ConfigMap's console.toml with the console's own `check-config`
# (scripts/check-manifests.py says what exactly).
#
#   scripts/check-manifests.sh [path to the console binary]   (default: target/debug/camunda-backup-console)
set -euo pipefail
cd "$(dirname "$0")/.."
binary="$(realpath "${1:-target/debug/camunda-backup-console}")"
venv=target/k8s-venv
version=1.37.0
if ! "$venv/bin/kubernetes-validate" --version 2>/dev/null | grep -qx "$version"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==$version"
fi
# The Kubernetes version the manifests target (the schemas kubernetes-validate ships).
"$venv/bin/python" scripts/check-manifests.py "$binary" "${K8S_VERSION:-1.32.0}"
