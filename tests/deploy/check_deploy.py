#!/usr/bin/env python3
"""Renders deploy/ (the kustomize base) and checks it offline.

kubectl is not a Debian package, so this script resolves the kustomizations
itself (resources, components, strategic-merge patches, configMapGenerator with
kustomize's name hash, namespace, images) and checks what comes out:

  - every object has apiVersion, kind and metadata.name, and namespaced ones
    are in the argo namespace; no two objects share kind/namespace/name;
  - every patch finds its target (resolution fails otherwise);
  - the sluice sidecar has probes, resources and a locked-down securityContext,
    shares the socket directory with the controller, and mounts a ConfigMap,
    Secret and ServiceAccount that exist;
  - RBAC grants exactly pods create/delete/get/list/watch, resourcequotas
    get/list/watch and leases get/create/update, to the sluice ServiceAccount;
  - the ConfigMap's config.yaml passes `sluiced --check-config`;
  - the Service, ServiceMonitor and container agree on the metrics port;
  - alerts and the Grafana dashboard use only metrics sluiced exports
    (scheduler/server/metrics.cc), except sluice_ledger_write_errors_total,
    which the rule file must say is not exported yet.

When kubectl is on PATH, `kubectl kustomize` renders the same directories and
its output must equal this script's. `kubectl apply --dry-run=client` needs an
APIServer for discovery; it runs only when SLUICE_KUBECTL_DRY_RUN=1.

--self-test breaks a copy of deploy/ in several ways and checks that each
mistake is caught.

Exit status 0 when every check passes; otherwise each failure is printed.
"""

import argparse
import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

NAMESPACE = "argo"
CLUSTER_SCOPED = {
    "ClusterRole", "ClusterRoleBinding", "Namespace", "CustomResourceDefinition",
    "PriorityClass", "StorageClass", "PersistentVolume", "FlowSchema",
    "PriorityLevelConfiguration", "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration", "APIService",
}
# Strategic-merge keys of the lists a pod template patch touches.
MERGE_KEYS = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name",
    "volumes": "name", "volumeMounts": "mountPath", "env": "name",
    "ports": "containerPort", "imagePullSecrets": "name", "volumeDevices": "devicePath",
}
EXPECTED_RULES = {
    "ClusterRole": {
        ("", "pods"): {"create", "delete", "get", "list", "watch"},
        ("", "resourcequotas"): {"get", "list", "watch"},
    },
    "Role": {
        ("coordination.k8s.io", "leases"): {"get", "create", "update"},
    },
}
REQUIRED_ALERTS = {
    "SluiceAPIServerThrottling", "SluiceQueueGrowing", "SluicePoolUnavailable",
    "SluiceLedgerWriteErrors",
}
NOT_YET_EXPORTED = {"sluice_ledger_write_errors_total"}
SOCKET_DIR = "/var/run/sluice"
TOKEN_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


class RenderError(Exception):
    pass


# --------------------------------------------------------------------------
# The resolver: a small subset of kustomize, enough for deploy/.

def load_yaml_docs(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def load_kustomization(directory):
    for name in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                return yaml.safe_load(f) or {}
    raise RenderError(f"{directory}: no kustomization.yaml")


KNOWN_FIELDS = {
    "apiVersion", "kind", "namespace", "resources", "components", "patches",
    "configMapGenerator", "generatorOptions", "images",
}


def go_json(value):
    """json.Marshal's output: sorted keys, no spaces, HTML characters escaped."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def kustomize_hash(config_map):
    # kustomize v5's api/hasher hashes {kind, name, data} as Go's json.Marshal
    # writes it; its lookup of the name ("metadata/name" as a single key) finds
    # nothing, so the name hashed is "". When kubectl is present, its output
    # is compared with this script's, hashed names included.
    encoded = go_json({"kind": "ConfigMap", "name": "", "data": config_map.get("data", {})})
    digest = hashlib.sha256(encoded.encode("utf-8")).hexdigest()[:10]
    return digest.translate(str.maketrans("013ae", "ghkmt"))


def generate_config_map(directory, generator, options):
    name = generator["name"]
    unknown = set(generator) - {"name", "files", "literals", "options"}
    if unknown:
        raise RenderError(f"{directory}: configMapGenerator {name}: fields this checker does not resolve: {sorted(unknown)}")
    data = {}
    for entry in generator.get("files", []):
        if "=" in entry:
            key, _, path = entry.partition("=")
        else:
            key, path = os.path.basename(entry), entry
        full = os.path.normpath(os.path.join(directory, path))
        if not full.startswith(os.path.normpath(directory) + os.sep):
            raise RenderError(f"{directory}: configMapGenerator {name}: {path} is outside the directory")
        with open(full, encoding="utf-8") as f:
            data[key] = f.read()
    for literal in generator.get("literals", []):
        key, _, value = literal.partition("=")
        data[key] = value
    merged = dict(options or {})
    merged.update(generator.get("options", {}))
    doc = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}
    if merged.get("labels"):
        doc["metadata"]["labels"] = dict(merged["labels"])
    if merged.get("annotations"):
        doc["metadata"]["annotations"] = dict(merged["annotations"])
    renamed = None
    if not merged.get("disableNameSuffixHash", False):
        renamed = f"{name}-{kustomize_hash(doc)}"
        doc["metadata"]["name"] = renamed
    return doc, (name, renamed)


def smp_merge(base, patch):
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for key, value in patch.items():
            if value is None:
                out.pop(key, None)
            elif key in out and key in MERGE_KEYS and isinstance(value, list):
                out[key] = smp_merge_list(out[key], value, MERGE_KEYS[key])
            elif key in out:
                out[key] = smp_merge(out[key], value)
            else:
                out[key] = copy.deepcopy(value)
        return out
    return copy.deepcopy(patch)


def smp_merge_list(base, patch, key):
    by_key = {item.get(key): item for item in base}
    merged, seen = [], set()
    for item in patch:
        k = item.get(key)
        seen.add(k)
        merged.append(smp_merge(by_key[k], item) if k in by_key else copy.deepcopy(item))
    return merged + [copy.deepcopy(item) for item in base if item.get(key) not in seen]


def apply_patches(directory, patches, docs):
    for entry in patches:
        if "path" not in entry or "target" in entry:
            raise RenderError(f"{directory}: only `patches: - path:` strategic merges are supported")
        for patch in load_yaml_docs(os.path.join(directory, entry["path"])):
            kind, name = patch.get("kind"), patch.get("metadata", {}).get("name")
            matches = [d for d in docs if d.get("kind") == kind and d["metadata"].get("name") == name]
            if len(matches) != 1:
                raise RenderError(
                    f"{directory}: patch {entry['path']} targets {kind} {name}, "
                    f"found {len(matches)} such objects")
            merged = smp_merge(matches[0], patch)
            matches[0].clear()
            matches[0].update(merged)


def pod_specs(doc):
    spec = doc.get("spec", {})
    if doc.get("kind") == "Pod":
        return [spec]
    template = spec.get("template", {}).get("spec")
    return [template] if template else []


def split_image(image):
    digest = ""
    if "@" in image:
        image, digest = image.split("@", 1)
    tag = ""
    if ":" in image.rsplit("/", 1)[-1]:
        image, tag = image.rsplit(":", 1)
    return image, tag, digest


def apply_images(images, docs):
    for doc in docs:
        for spec in pod_specs(doc):
            for container in spec.get("containers", []) + spec.get("initContainers", []):
                name, tag, digest = split_image(container.get("image", ""))
                for rule in images:
                    if rule["name"] != name:
                        continue
                    name = rule.get("newName", name)
                    tag = rule.get("newTag", tag)
                    digest = rule.get("digest", digest)
                    container["image"] = name + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")


def apply_namespace(namespace, docs):
    # Like kustomize: a binding's ServiceAccount subject that names an account
    # among the objects follows it when it had no namespace or the account's.
    accounts = {d["metadata"]["name"]: d["metadata"].get("namespace")
                for d in docs if d.get("kind") == "ServiceAccount"}
    for doc in docs:
        if doc.get("kind") in ("RoleBinding", "ClusterRoleBinding"):
            for subject in doc.get("subjects", []):
                if subject.get("kind") == "ServiceAccount" and subject.get("name") in accounts and \
                        subject.get("namespace") in (None, accounts[subject["name"]]):
                    subject["namespace"] = namespace
        if doc.get("kind") not in CLUSTER_SCOPED:
            doc["metadata"]["namespace"] = namespace


def fix_config_map_refs(renames, docs):
    def rename(name):
        return renames.get(name, name)
    for doc in docs:
        for spec in pod_specs(doc):
            for volume in spec.get("volumes", []):
                if "configMap" in volume:
                    volume["configMap"]["name"] = rename(volume["configMap"]["name"])
                for source in volume.get("projected", {}).get("sources", []):
                    if "configMap" in source:
                        source["configMap"]["name"] = rename(source["configMap"]["name"])
            for container in spec.get("containers", []) + spec.get("initContainers", []):
                for env in container.get("env", []):
                    ref = env.get("valueFrom", {}).get("configMapKeyRef")
                    if ref:
                        ref["name"] = rename(ref["name"])
                for env_from in container.get("envFrom", []):
                    if "configMapRef" in env_from:
                        env_from["configMapRef"]["name"] = rename(env_from["configMapRef"]["name"])


def build(directory):
    """Renders a Kustomization: (objects, {generated name: hashed name})."""
    docs, renames = [], {}
    accumulate(directory, "Kustomization", docs, renames)
    fix_config_map_refs(renames, docs)
    return docs, renames


def accumulate(directory, kind, docs, renames):
    """Adds a Kustomization's or Component's objects to `docs`, then applies
    its patches and transformers to everything in `docs` (for a Component,
    that includes what the including kustomization accumulated before it)."""
    k = load_kustomization(directory)
    if k.get("kind", "Kustomization") != kind:
        raise RenderError(f"{directory}: is a {k.get('kind', 'Kustomization')}, expected a {kind}")
    unknown = set(k) - KNOWN_FIELDS
    if unknown:
        raise RenderError(f"{directory}: fields this checker does not resolve: {sorted(unknown)}")
    for resource in k.get("resources", []):
        path = os.path.normpath(os.path.join(directory, resource))
        if os.path.isdir(path):
            if os.path.commonpath([path, directory]) == path:
                raise RenderError(f"{directory}: resource {resource} contains this directory (a cycle)")
            sub_docs, sub_renames = build(path)
            docs += sub_docs
            renames.update(sub_renames)
        else:
            docs += load_yaml_docs(path)
    for generator in k.get("configMapGenerator", []):
        doc, (name, renamed) = generate_config_map(directory, generator, k.get("generatorOptions"))
        docs.append(doc)
        if renamed:
            renames[name] = renamed
    for component in k.get("components", []):
        accumulate(os.path.normpath(os.path.join(directory, component)), "Component", docs, renames)
    apply_patches(directory, k.get("patches", []), docs)
    if k.get("namespace"):
        apply_namespace(k["namespace"], docs)
    apply_images(k.get("images", []), docs)


# --------------------------------------------------------------------------
# The checks. Each appends sentences to `failures`.

def key_of(doc):
    meta = doc.get("metadata", {})
    return (doc.get("kind"), meta.get("namespace", ""), meta.get("name"))


def check_objects(docs, failures, where):
    seen = set()
    for doc in docs:
        for field in ("apiVersion", "kind"):
            if not doc.get(field):
                failures.append(f"{where}: an object has no {field}: {json.dumps(doc)[:120]}")
        if not doc.get("metadata", {}).get("name"):
            failures.append(f"{where}: a {doc.get('kind')} has no metadata.name")
        if doc.get("kind") not in CLUSTER_SCOPED and doc.get("metadata", {}).get("namespace") != NAMESPACE:
            failures.append(f"{where}: {doc.get('kind')} {doc['metadata'].get('name')} is not in namespace {NAMESPACE}")
        if key_of(doc) in seen:
            failures.append(f"{where}: {key_of(doc)} appears twice")
        seen.add(key_of(doc))


def find(docs, kind, name=None):
    return [d for d in docs if d.get("kind") == kind and (name is None or d["metadata"]["name"] == name)]


def check_rbac(docs, failures, where):
    for kind, expected in EXPECTED_RULES.items():
        roles = find(docs, kind)
        if len(roles) != 1:
            failures.append(f"{where}: expected one {kind}, found {len(roles)}")
            continue
        granted = {}
        for rule in roles[0].get("rules", []):
            if rule.get("resourceNames") or rule.get("nonResourceURLs"):
                failures.append(f"{where}: {kind} {roles[0]['metadata']['name']}: unexpected rule {rule}")
            for group in rule.get("apiGroups", []):
                for resource in rule.get("resources", []):
                    granted.setdefault((group, resource), set()).update(rule.get("verbs", []))
        if granted != expected:
            failures.append(f"{where}: {kind} {roles[0]['metadata']['name']} grants "
                            f"{sorted((k, sorted(v)) for k, v in granted.items())}, expected "
                            f"{sorted((k, sorted(v)) for k, v in expected.items())}")
    accounts = {(d["metadata"]["namespace"], d["metadata"]["name"]) for d in find(docs, "ServiceAccount")}
    for kind, role_kind in (("ClusterRoleBinding", "ClusterRole"), ("RoleBinding", "Role")):
        for binding in find(docs, kind):
            ref = binding.get("roleRef", {})
            if ref.get("kind") != role_kind or not find(docs, role_kind, ref.get("name")):
                failures.append(f"{where}: {kind} {binding['metadata']['name']} refers to a missing {ref}")
            for subject in binding.get("subjects", []):
                if subject.get("kind") != "ServiceAccount" or \
                        (subject.get("namespace"), subject.get("name")) not in accounts:
                    failures.append(f"{where}: {kind} {binding['metadata']['name']} binds {subject}, "
                                    "not the sluice ServiceAccount")
    if not find(docs, "ServiceAccount", "sluice"):
        failures.append(f"{where}: no sluice ServiceAccount")


def check_config(docs, failures, where, sluiced):
    maps = [d for d in find(docs, "ConfigMap") if d["metadata"]["name"].startswith("sluice-config")]
    if len(maps) != 1 or "config.yaml" not in maps[0].get("data", {}):
        failures.append(f"{where}: expected one sluice-config ConfigMap with config.yaml")
        return None
    text = maps[0]["data"]["config.yaml"]
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(text)
        path = f.name
    try:
        run = subprocess.run([sluiced, "--check-config", path], capture_output=True, text=True)
        if run.returncode != 0:
            failures.append(f"{where}: sluiced --check-config refuses the ConfigMap's config.yaml:\n"
                            f"{run.stderr.strip()}")
    finally:
        os.unlink(path)
    return yaml.safe_load(text) or {}


def check_sidecar(docs, failures, where, config):
    deployments = find(docs, "Deployment", "workflow-controller")
    if len(deployments) != 1:
        failures.append(f"{where}: no workflow-controller Deployment")
        return
    spec = deployments[0]["spec"]["template"]["spec"]
    containers = {c["name"]: c for c in spec.get("containers", [])}
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    sluice = containers.get("sluice")
    if sluice is None:
        failures.append(f"{where}: the workflow-controller pod has no sluice container")
        return
    if not sluice.get("image"):
        failures.append(f"{where}: the sluice container has no image")
    args = sluice.get("args", [])
    if "--config" not in args or args[args.index("--config") + 1:][:1] != ["/etc/sluice/config.yaml"]:
        failures.append(f"{where}: the sluice container's args lack --config /etc/sluice/config.yaml: {args}")
    port_names = {p.get("name"): p.get("containerPort") for p in sluice.get("ports", [])}
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        p = sluice.get(probe)
        if not p:
            failures.append(f"{where}: the sluice container has no {probe}")
            continue
        action = p.get("httpGet") or p.get("grpc") or p.get("tcpSocket")
        if action is None:
            failures.append(f"{where}: sluice {probe} is not httpGet/grpc/tcpSocket (no exec: the image has no shell)")
        elif isinstance(action.get("port"), str) and action["port"] not in port_names:
            failures.append(f"{where}: sluice {probe} names port {action['port']}, which the container does not declare")
    resources = sluice.get("resources", {})
    for path in (("requests", "cpu"), ("requests", "memory"), ("limits", "memory")):
        if not resources.get(path[0], {}).get(path[1]):
            failures.append(f"{where}: the sluice container has no resources.{path[0]}.{path[1]}")
    sc = sluice.get("securityContext", {})
    for field, value in (("runAsNonRoot", True), ("readOnlyRootFilesystem", True),
                         ("allowPrivilegeEscalation", False)):
        if sc.get(field) is not value:
            failures.append(f"{where}: sluice securityContext.{field} must be {value}")
    if "ALL" not in sc.get("capabilities", {}).get("drop", []):
        failures.append(f"{where}: sluice securityContext must drop ALL capabilities")
    if not sc.get("runAsUser"):
        failures.append(f"{where}: sluice securityContext.runAsUser must be set (the socket is 0600)")

    def mount(container, path):
        return next((m for m in container.get("volumeMounts", []) if m["mountPath"] == path), None)

    controller = containers.get("workflow-controller")
    socket_mounts = [mount(c, SOCKET_DIR) for c in (sluice, controller) if c is not None]
    if controller is None or None in socket_mounts:
        failures.append(f"{where}: sluice and workflow-controller must both mount {SOCKET_DIR}")
    elif len({m["name"] for m in socket_mounts}) != 1 or \
            "emptyDir" not in volumes.get(socket_mounts[0]["name"], {}):
        failures.append(f"{where}: {SOCKET_DIR} must be one emptyDir shared by both containers")
    listen = (config or {}).get("listen", "unix:///var/run/sluice/sluice.sock")
    if not listen.startswith(f"unix://{SOCKET_DIR}/"):
        failures.append(f"{where}: the config listens on {listen}, not in the shared {SOCKET_DIR}")
    if controller is not None:
        env = {e["name"]: e.get("value") for e in controller.get("env", [])}
        if env.get("SLUICE_ADDRESS") != listen:
            failures.append(f"{where}: the controller's SLUICE_ADDRESS is {env.get('SLUICE_ADDRESS')}, "
                            f"the config listens on {listen}")

    config_mount = mount(sluice, "/etc/sluice")
    config_volume = volumes.get(config_mount["name"]) if config_mount else None
    if not config_volume or "configMap" not in config_volume or \
            not find(docs, "ConfigMap", config_volume["configMap"]["name"]):
        failures.append(f"{where}: /etc/sluice must mount a ConfigMap that exists (after name hashing)")
    token_mount = mount(sluice, TOKEN_DIR)
    token_volume = volumes.get(token_mount["name"]) if token_mount else None
    secret_name = (token_volume or {}).get("secret", {}).get("secretName")
    secrets = find(docs, "Secret", secret_name) if secret_name else []
    if not secrets or secrets[0].get("type") != "kubernetes.io/service-account-token" or \
            secrets[0]["metadata"].get("annotations", {}).get("kubernetes.io/service-account.name") != "sluice":
        failures.append(f"{where}: the sluice container must mount the sluice ServiceAccount's token Secret at {TOKEN_DIR}")
    if controller is not None and mount(controller, TOKEN_DIR) is not None:
        failures.append(f"{where}: the controller container must keep its own token")

    metrics_port = None
    match = re.search(r":(\d+)$", (config or {}).get("metrics_listen", ""))
    if match:
        metrics_port = int(match.group(1))
    if (config or {}).get("metrics_listen", "").startswith("127."):
        failures.append(f"{where}: metrics_listen is loopback: kubelet probes and Prometheus cannot reach it")
    if metrics_port not in port_names.values():
        failures.append(f"{where}: metrics_listen port {metrics_port} is not a port of the sluice container")
    taken = {p.get("containerPort") for c in containers.values() if c is not sluice for p in c.get("ports", [])}
    if metrics_port in taken:
        failures.append(f"{where}: metrics port {metrics_port} collides with another container's port")
    services = find(docs, "Service", "sluice-metrics")
    if len(services) != 1:
        failures.append(f"{where}: no sluice-metrics Service")
        return
    service = services[0]
    pod_labels = deployments[0]["spec"]["template"]["metadata"].get("labels", {})
    if not service["spec"].get("selector") or \
            any(pod_labels.get(k) != v for k, v in service["spec"]["selector"].items()):
        failures.append(f"{where}: the sluice-metrics Service does not select the workflow-controller pod")
    for port in service["spec"].get("ports", []):
        target = port.get("targetPort")
        if target not in port_names and target != metrics_port:
            failures.append(f"{where}: Service port {port.get('name')} targets {target}, not the sluice container's metrics port")


def check_monitoring(docs, failures, where, exported, rule_source):
    services = find(docs, "Service", "sluice-metrics")
    for monitor in find(docs, "ServiceMonitor"):
        selector = monitor["spec"].get("selector", {}).get("matchLabels", {})
        matching = [s for s in services
                    if all(s["metadata"].get("labels", {}).get(k) == v for k, v in selector.items())]
        if len(matching) != 1:
            failures.append(f"{where}: ServiceMonitor {monitor['metadata']['name']} selects {len(matching)} Services")
            continue
        names = {p.get("name") for p in matching[0]["spec"].get("ports", [])}
        for endpoint in monitor["spec"].get("endpoints", []):
            if endpoint.get("port") not in names:
                failures.append(f"{where}: ServiceMonitor endpoint port {endpoint.get('port')} is not a Service port")
    rules = find(docs, "PrometheusRule")
    alerts = {}
    for rule_doc in rules:
        for group in rule_doc["spec"].get("groups", []):
            for rule in group.get("rules", []):
                if "alert" in rule:
                    alerts[rule["alert"]] = rule
    missing = REQUIRED_ALERTS - set(alerts)
    if missing:
        failures.append(f"{where}: alerts missing: {sorted(missing)}")
    for name, rule in alerts.items():
        check_expression(rule.get("expr", ""), f"{where}: alert {name}", exported, failures)
        if rule.get("expr", "").count("(") != rule.get("expr", "").count(")"):
            failures.append(f"{where}: alert {name}: unbalanced parentheses")
    for metric in NOT_YET_EXPORTED:
        if any(metric in r.get("expr", "") for r in alerts.values()) and \
                not re.search(re.escape(metric) + r" is not exported yet", rule_source):
            failures.append(f"{where}: {metric} is used but the rule file does not say it is not exported yet")
    dashboards = [d for d in find(docs, "ConfigMap")
                  if d["metadata"].get("labels", {}).get("grafana_dashboard")]
    if len(dashboards) != 1:
        failures.append(f"{where}: expected one ConfigMap labelled grafana_dashboard, found {len(dashboards)}")
        return
    for key, text in dashboards[0].get("data", {}).items():
        try:
            dashboard = json.loads(text)
        except ValueError as e:
            failures.append(f"{where}: dashboard {key} is not JSON: {e}")
            continue
        panels = [p for p in dashboard.get("panels", []) if p.get("type") != "row"]
        if not panels:
            failures.append(f"{where}: dashboard {key} has no panels")
        for panel in panels:
            for target in panel.get("targets", []):
                check_expression(target.get("expr", ""), f"{where}: panel {panel.get('title')}", exported, failures)


def check_expression(expr, where, exported, failures):
    for metric in set(re.findall(r"\bsluice_[a-z0-9_]+", expr)):
        base = re.sub(r"_(bucket|sum|count)$", "", metric)
        if metric not in exported and base not in exported and metric not in NOT_YET_EXPORTED:
            failures.append(f"{where}: {metric} is not a metric sluiced exports")


def exported_metrics(source_dir):
    with open(os.path.join(source_dir, "scheduler/server/metrics.cc"), encoding="utf-8") as f:
        return set(re.findall(r'"(sluice_[a-z0-9_]+)"', f.read()))


# --------------------------------------------------------------------------

def normalise(docs):
    return sorted((json.dumps(d, sort_keys=True) for d in docs))


def kubectl_render(kubectl, directory):
    run = subprocess.run([kubectl, "kustomize", directory], capture_output=True, text=True)
    if run.returncode != 0:
        raise RenderError(f"kubectl kustomize {directory}: {run.stderr.strip()}")
    return [d for d in yaml.safe_load_all(run.stdout) if d is not None], run.stdout


def check_tree(deploy_dir, source_dir, sluiced, kubectl):
    """Every check over one copy of deploy/. Returns the failures."""
    failures = []
    exported = exported_metrics(source_dir)
    with open(os.path.join(deploy_dir, "monitoring/prometheusrule.yaml"), encoding="utf-8") as f:
        rule_source = f.read()
    for relative, has_sidecar in (("", False), ("argo-stub", True)):
        directory = os.path.normpath(os.path.join(deploy_dir, relative))
        where = os.path.join("deploy", relative)
        try:
            docs, _ = build(directory)
        except (RenderError, OSError, yaml.YAMLError) as e:
            failures.append(f"{where}: cannot render: {e}")
            continue
        renderings = [("", docs)]
        if kubectl:
            try:
                kdocs, text = kubectl_render(kubectl, directory)
            except RenderError as e:
                failures.append(f"{where}: {e}")
                kdocs = None
            if kdocs is not None:
                if normalise(kdocs) != normalise(docs):
                    only_k = set(normalise(kdocs)) - set(normalise(docs))
                    only_p = set(normalise(docs)) - set(normalise(kdocs))
                    failures.append(f"{where}: kubectl kustomize and this checker disagree:\n"
                                    f"  only kubectl: {[s[:200] for s in only_k]}\n"
                                    f"  only here:    {[s[:200] for s in only_p]}")
                renderings.append((" (kubectl)", kdocs))
                if os.environ.get("SLUICE_KUBECTL_DRY_RUN") == "1":
                    run = subprocess.run([kubectl, "apply", "--dry-run=client", "--validate=false", "-f", "-"],
                                         input=text, capture_output=True, text=True)
                    if run.returncode != 0:
                        failures.append(f"{where}: kubectl apply --dry-run=client: {run.stderr.strip()}")
        for suffix, rendered in renderings:
            label = where + suffix
            check_objects(rendered, failures, label)
            check_rbac(rendered, failures, label)
            config = check_config(rendered, failures, label, sluiced)
            check_monitoring(rendered, failures, label, exported, rule_source)
            if has_sidecar:
                check_sidecar(rendered, failures, label, config)
        print(f"{where}: {len(docs)} objects" + (", kubectl kustomize agrees" if kubectl and len(renderings) == 2 else ""))
    return failures


# Each mistake: (what, file under deploy/, old text, new text, expected failure fragment).
MISTAKES = [
    ("an extra RBAC verb", "core/rbac.yaml", "verbs: [create, delete, get, list, watch]",
     "verbs: [create, delete, get, list, watch, patch]", "ClusterRole sluice grants"),
    ("a sidecar without readinessProbe", "sidecar/workflow-controller-patch.yaml",
     "          readinessProbe:", "          notAProbe:", "no readinessProbe"),
    ("a config key sluiced does not know", "core/config.yaml", "log_level: info",
     "log_levle: info", "sluiced --check-config refuses"),
    ("an alert on a metric that does not exist", "monitoring/prometheusrule.yaml",
     "deriv(sluice_queue_depth[15m])", "deriv(sluice_queue_length[15m])",
     "sluice_queue_length is not a metric sluiced exports"),
    ("a patch whose target is missing", "argo-stub/workflow-controller.yaml",
     "  name: workflow-controller\n", "  name: argo-workflow-controller\n",
     "found 0 such objects"),
    ("a TCP listener without TLS", "core/config.yaml",
     "listen: unix:///var/run/sluice/sluice.sock", "listen: 0.0.0.0:7070",
     "--insecure-tcp-without-tls"),
    ("a writable root filesystem", "sidecar/workflow-controller-patch.yaml",
     "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false",
     "readOnlyRootFilesystem must be True"),
]


def self_test(deploy_dir, source_dir, sluiced):
    failures = []
    for what, relative, old, new, expected in MISTAKES:
        with tempfile.TemporaryDirectory() as tmp:
            copy_dir = os.path.join(tmp, "deploy")
            shutil.copytree(deploy_dir, copy_dir)
            path = os.path.join(copy_dir, relative)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            if old not in text:
                failures.append(f"self-test {what}: {relative} no longer contains {old!r}")
                continue
            with open(path, "w", encoding="utf-8") as f:
                f.write(text.replace(old, new, 1))
            # The offline resolver only: the checks are what is tested here.
            found = check_tree(copy_dir, source_dir, sluiced, None)
            if not any(expected in failure for failure in found):
                failures.append(f"self-test {what}: not caught (expected {expected!r}); got {found}")
            else:
                print(f"self-test: {what}: caught")
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source-dir", required=True, help="the repository root")
    parser.add_argument("--sluiced", required=True, help="the sluiced binary (for --check-config)")
    parser.add_argument("--kubectl", default="auto",
                        help="kubectl binary, 'auto' (from PATH if there) or 'none'")
    parser.add_argument("--self-test", action="store_true",
                        help="check that mistakes planted in a copy of deploy/ are caught")
    args = parser.parse_args()
    kubectl = None
    if args.kubectl == "auto":
        kubectl = shutil.which("kubectl")
    elif args.kubectl != "none":
        kubectl = args.kubectl
    print(f"kubectl: {kubectl or 'not used (offline resolver only)'}")
    deploy_dir = os.path.join(args.source_dir, "deploy")
    if args.self_test:
        failures = self_test(deploy_dir, args.source_dir, args.sluiced)
    else:
        failures = check_tree(deploy_dir, args.source_dir, args.sluiced, kubectl)
    for failure in failures:
        print(f"FAIL {failure}", file=sys.stderr)
    if failures:
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
