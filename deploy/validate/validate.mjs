// Offline checks of the Kubernetes manifests in deploy/k8s (and the Helm chart, when given).
//
//   node validate.mjs --kubectl PATH [--helm PATH] --repo ROOT
//
// For every overlay: render with `kubectl kustomize` (the kubectl that npm installed, so
// every machine renders with the same Kustomize), validate every object against its
// schema (kubernetes-models; Argo Rollouts, cert-manager and External Secrets models from
// npm; JSON schemas in ./schemas for Linkerd policy and the VPA), then enforce the
// platform's rules. Prints one "ok - ..." / "not ok - ..." line per check and ends with
// "N passed, M failed". Nothing is skipped: a kind without a schema is a failure.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import Ajv from "ajv";

const here = dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith("--") ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const repo = args.repo ?? join(here, "..", "..");
const kubectl = args.kubectl;
if (!kubectl || !existsSync(kubectl)) {
  console.log(`not ok - kubectl: not found at '${kubectl}' (run tests/deploy/run.sh, which installs it with npm ci)`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}

let passed = 0;
let failed = 0;
function check(name, problems) {
  if (problems.length === 0) {
    passed++;
    console.log(`ok - ${name}`);
  } else {
    failed++;
    console.log(`not ok - ${name}`);
    for (const p of problems.slice(0, 25)) console.log(`    ${p}`);
    if (problems.length > 25) console.log(`    ... ${problems.length - 25} more`);
  }
}

// ------------------------------------------------------------------ schemas
const ajv = new Ajv({ allErrors: true, strict: false });
const jsonSchemas = {};
for (const f of readdirSync(join(here, "schemas"))) {
  const m = f.match(/^(.+)-(v[0-9a-z]+)-([A-Za-z]+)\.json$/);
  if (m) jsonSchemas[`${m[1]}/${m[2]}/${m[3]}`] = ajv.compile(JSON.parse(readFileSync(join(here, "schemas", f), "utf8")));
}
const crdModules = {
  "argoproj.io": "@kubernetes-models/argo-rollouts/argoproj.io",
  "cert-manager.io": "@kubernetes-models/cert-manager/cert-manager.io",
  "external-secrets.io": "@kubernetes-models/external-secrets/external-secrets.io",
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator/monitoring.coreos.com",
};
async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  let path;
  if (crdModules[group]) path = `${crdModules[group]}/${version}`;
  else if (group === "") path = `kubernetes-models/${version}`;
  else path = `kubernetes-models/${group}/${version}`;
  try {
    const mod = await import(path);
    return mod[kind];
  } catch {
    return undefined;
  }
}
async function validateSchema(obj) {
  const key = `${obj.apiVersion}/${obj.kind}`;
  const js = jsonSchemas[key.replace(/^([^/]+)\/([^/]+)\/([^/]+)$/, "$1/$2/$3")];
  if (js) {
    return js(obj) ? [] : js.errors.map((e) => `${e.instancePath || "/"} ${e.message}`);
  }
  const Model = await modelFor(obj.apiVersion, obj.kind);
  if (!Model) return [`no schema for ${key} (add a model or a JSON schema in deploy/validate/schemas)`];
  try {
    new Model(obj).validate();
    return [];
  } catch (e) {
    return [String(e.message ?? e)];
  }
}

// ------------------------------------------------------------------ helpers
const id = (o) => `${o.kind}/${o.metadata?.namespace ? o.metadata.namespace + "/" : ""}${o.metadata?.name}`;
function podTemplate(o) {
  if (["Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"].includes(o.kind)) return o.spec?.template;
  if (o.kind === "CronJob") return o.spec?.jobTemplate?.spec?.template;
  if (o.kind === "Rollout") return o.spec?.template; // workloadRef rollouts use their Deployment's
  return undefined;
}
const matches = (selector, labels) =>
  selector && Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels?.[k] === v) &&
  (selector.matchExpressions ?? []).length === 0;

// Environment variables each service reads, from its sources: env.X("NAME", ...) calls in
// services/<svc>/src, the shared server bootstrap and tracing (libs/trace: the OTEL_*
// variables every service and the BFF read). Required ones must be provided.
function envContract(svc) {
  const files = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(cc|h)$/.test(e.name)) files.push(p);
    }
  };
  walk(join(repo, "services", svc, "src"));
  if (svc !== "bff") files.push(join(repo, "libs", "grpc_server", "src", "server.cc"));
  files.push(join(repo, "libs", "trace", "src", "trace.cc"));
  const read = new Set();
  const required = new Set();
  for (const f of files) {
    const text = readFileSync(f, "utf8");
    for (const m of text.matchAll(/env\.(\w+)\(\s*"([A-Z][A-Z0-9_]*)"/g)) {
      if (m[1] === "Fail") continue;
      read.add(m[2]);
      if (m[1] === "Required") required.add(m[2]);
    }
    // Names built at run time: std::string(name) + "_SERVICE_URL" over a list.
    if (/"_SERVICE_URL"/.test(text)) {
      for (const m of text.matchAll(/\{\s*((?:"[a-z]+",?\s*)+)\}\)\s*\{\s*std::string var = std::string\(name\) \+ "_SERVICE_URL"/g)) {
        for (const n of m[1].matchAll(/"([a-z]+)"/g)) read.add(`${n[1].toUpperCase()}_SERVICE_URL`);
      }
    }
  }
  return { read, required };
}

function renderOverlay(dir) {
  return execFileSync(kubectl, ["kustomize", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

// ------------------------------------------------------------------ one rendered set
async function checkRendered(label, text, opts) {
  const docs = YAML.parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean);
  check(`${label}: renders (${docs.length} objects)`, docs.length > 0 ? [] : ["nothing rendered"]);

  // 1. Schemas
  const schemaProblems = [];
  for (const o of docs) for (const p of await validateSchema(o)) schemaProblems.push(`${id(o)}: ${p}`);
  check(`${label}: every object validates against its Kubernetes/CRD schema`, schemaProblems);

  const byKind = (k) => docs.filter((o) => o.kind === k);
  const find = (k, ns, name) => docs.find((o) => o.kind === k && o.metadata?.name === name && (ns === undefined || o.metadata?.namespace === ns));
  const deployments = byKind("Deployment");
  const workloads = docs.filter((o) => podTemplate(o));

  // 2. Namespaces: restricted Pod Security Standard
  const namespaces = opts.namespaces ?? ["microservices", "supabase", "monitoring"];
  const nsProblems = [];
  for (const ns of namespaces) {
    const n = find("Namespace", undefined, ns);
    if (!n) nsProblems.push(`namespace ${ns} missing`);
    else for (const mode of ["enforce", "audit", "warn"])
      if (n.metadata.labels?.[`pod-security.kubernetes.io/${mode}`] !== "restricted") nsProblems.push(`${ns}: pod-security ${mode} is not restricted`);
  }
  check(`${label}: namespaces enforce the restricted Pod Security Standard`, nsProblems);

  // 3. Pod security, resources and probes of every workload
  const secProblems = [];
  const resProblems = [];
  const probeProblems = [];
  for (const w of workloads) {
    const t = podTemplate(w);
    const ps = t.spec?.securityContext ?? {};
    const containers = [...(t.spec?.initContainers ?? []), ...(t.spec?.containers ?? [])];
    if (t.spec?.hostNetwork || t.spec?.hostPID || t.spec?.hostIPC) secProblems.push(`${id(w)}: host namespaces`);
    for (const c of containers) {
      const cs = c.securityContext ?? {};
      const where = `${id(w)} container ${c.name}`;
      if (!(cs.runAsNonRoot ?? ps.runAsNonRoot)) secProblems.push(`${where}: runAsNonRoot is not true`);
      if ((cs.runAsUser ?? ps.runAsUser) === 0) secProblems.push(`${where}: runs as uid 0`);
      if (cs.readOnlyRootFilesystem !== true) secProblems.push(`${where}: readOnlyRootFilesystem is not true`);
      if (cs.allowPrivilegeEscalation !== false) secProblems.push(`${where}: allowPrivilegeEscalation is not false`);
      if (cs.privileged) secProblems.push(`${where}: privileged`);
      if (!(cs.capabilities?.drop ?? []).includes("ALL")) secProblems.push(`${where}: capabilities.drop lacks ALL`);
      if ((cs.capabilities?.add ?? []).length) secProblems.push(`${where}: adds capabilities`);
      if ((cs.seccompProfile?.type ?? ps.seccompProfile?.type) !== "RuntimeDefault") secProblems.push(`${where}: seccompProfile is not RuntimeDefault`);
      for (const kind of ["requests", "limits"])
        for (const r of ["cpu", "memory"])
          if (!c.resources?.[kind]?.[r]) resProblems.push(`${where}: no ${kind}.${r}`);
    }
    // Long-running workloads: liveness + readiness on every main container, on a declared port.
    if (!["CronJob", "Job"].includes(w.kind)) {
      for (const c of t.spec?.containers ?? []) {
        const ports = new Set((c.ports ?? []).flatMap((p) => [p.containerPort, p.name]));
        for (const probe of ["livenessProbe", "readinessProbe"]) {
          const p = c[probe];
          if (!p) { probeProblems.push(`${id(w)} container ${c.name}: no ${probe}`); continue; }
          const port = p.grpc?.port ?? p.httpGet?.port ?? p.tcpSocket?.port;
          if (port !== undefined && !ports.has(port)) probeProblems.push(`${id(w)} container ${c.name}: ${probe} port ${port} is not a container port`);
        }
      }
    }
  }
  check(`${label}: every workload runs as non-root, read-only root FS, drops ALL capabilities, RuntimeDefault seccomp`, secProblems);
  check(`${label}: every container has CPU and memory requests and limits`, resProblems);
  check(`${label}: every long-running container has liveness and readiness probes on a declared port`, probeProblems);

  // 4. NetworkPolicies: default deny in each namespace, and each Deployment/StatefulSet
  //    selected by a policy of its own (not just the namespace-wide ones).
  const nps = byKind("NetworkPolicy");
  const npProblems = [];
  for (const ns of namespaces) {
    const deny = nps.find((p) => p.metadata.namespace === ns && Object.keys(p.spec.podSelector ?? {}).length === 0 &&
      (p.spec.policyTypes ?? []).includes("Ingress") && (p.spec.policyTypes ?? []).includes("Egress") && !p.spec.ingress && !p.spec.egress);
    if (!deny) npProblems.push(`${ns}: no default-deny NetworkPolicy (Ingress+Egress)`);
  }
  for (const w of workloads) {
    const labels = podTemplate(w)?.metadata?.labels;
    const ns = w.metadata.namespace;
    const own = nps.filter((p) => p.metadata.namespace === ns && Object.keys(p.spec.podSelector?.matchLabels ?? {}).length > 0 && matches(p.spec.podSelector, labels));
    if (own.length === 0) npProblems.push(`${id(w)}: no NetworkPolicy selects its pods`);
  }
  check(`${label}: default-deny in every namespace and every workload covered by its own NetworkPolicy`, npProblems);

  // 5. References: ServiceAccounts, ConfigMaps, Secrets (in staging/production every Secret
  //    key must come from an ExternalSecret; in dev from deploy/scripts/dev-secrets.sh).
  const refProblems = [];
  const secretKeys = opts.secretKeys(docs);
  for (const w of workloads) {
    const t = podTemplate(w);
    const ns = w.metadata.namespace;
    const sa = t.spec?.serviceAccountName;
    if (sa && !find("ServiceAccount", ns, sa)) refProblems.push(`${id(w)}: ServiceAccount ${sa} not defined`);
    for (const c of [...(t.spec?.initContainers ?? []), ...(t.spec?.containers ?? [])]) {
      for (const e of c.envFrom ?? []) {
        if (e.configMapRef && !find("ConfigMap", ns, e.configMapRef.name)) refProblems.push(`${id(w)}: ConfigMap ${e.configMapRef.name} not defined`);
        if (e.secretRef) refProblems.push(`${id(w)}: envFrom secretRef (${e.secretRef.name}) hides which keys are used; use secretKeyRef`);
      }
      for (const e of c.env ?? []) {
        const s = e.valueFrom?.secretKeyRef;
        if (s && !secretKeys.has(`${ns}/${s.name}/${s.key}`)) refProblems.push(`${id(w)}: secret ${ns}/${s.name} key ${s.key} is provided by nothing`);
        const cm = e.valueFrom?.configMapKeyRef;
        if (cm && !find("ConfigMap", ns, cm.name)?.data?.[cm.key]) refProblems.push(`${id(w)}: ConfigMap key ${cm.name}/${cm.key} missing`);
      }
    }
    for (const v of t.spec?.volumes ?? []) {
      if (v.configMap && !find("ConfigMap", ns, v.configMap.name)) refProblems.push(`${id(w)}: volume ConfigMap ${v.configMap.name} not defined`);
      if (v.persistentVolumeClaim && !find("PersistentVolumeClaim", ns, v.persistentVolumeClaim.claimName)) refProblems.push(`${id(w)}: PVC ${v.persistentVolumeClaim.claimName} not defined`);
    }
  }
  for (const s of byKind("Service")) {
    const pods = workloads.filter((w) => w.metadata.namespace === s.metadata.namespace && matches({ matchLabels: s.spec.selector }, podTemplate(w)?.metadata?.labels));
    if (pods.length === 0) { refProblems.push(`${id(s)}: selects no workload`); continue; }
    for (const p of s.spec.ports ?? []) {
      const target = p.targetPort ?? p.port;
      const ok = pods.some((w) => (podTemplate(w).spec.containers ?? []).some((c) => (c.ports ?? []).some((cp) => cp.name === target || cp.containerPort === target)));
      if (!ok) refProblems.push(`${id(s)}: targetPort ${target} is not a port of the pods it selects`);
    }
  }
  for (const h of byKind("HorizontalPodAutoscaler")) {
    const r = h.spec.scaleTargetRef;
    if (!find(r.kind, h.metadata.namespace, r.name)) refProblems.push(`${id(h)}: scale target ${r.kind}/${r.name} not defined`);
  }
  for (const r of byKind("Rollout")) {
    const w = r.spec.workloadRef;
    if (w) {
      const d = find(w.kind, r.metadata.namespace, w.name);
      if (!d) refProblems.push(`${id(r)}: workloadRef ${w.kind}/${w.name} not defined`);
      else if (!matches(r.spec.selector, d.spec.template.metadata.labels)) refProblems.push(`${id(r)}: selector does not match ${w.name}'s pods`);
      if (d && d.spec.replicas !== 0) refProblems.push(`${id(r)}: Deployment ${w.name} must be scaled to 0 when a Rollout owns its pods`);
    } else if (!r.spec.template) refProblems.push(`${id(r)}: neither template nor workloadRef`);
    const strat = r.spec.strategy ?? {};
    const svcNames = [strat.canary?.canaryService, strat.canary?.stableService, strat.blueGreen?.activeService, strat.blueGreen?.previewService].filter(Boolean);
    for (const n of svcNames) if (!find("Service", r.metadata.namespace, n)) refProblems.push(`${id(r)}: Service ${n} not defined`);
    const templates = [
      ...(strat.canary?.analysis?.templates ?? []),
      ...(strat.blueGreen?.prePromotionAnalysis?.templates ?? []),
      ...(strat.blueGreen?.postPromotionAnalysis?.templates ?? []),
    ];
    if (templates.length === 0) refProblems.push(`${id(r)}: no analysis`);
    for (const t of templates) if (!find("AnalysisTemplate", r.metadata.namespace, t.templateName)) refProblems.push(`${id(r)}: AnalysisTemplate ${t.templateName} not defined`);
    const ing = strat.canary?.trafficRouting?.nginx?.stableIngress;
    if (ing) {
      const i = find("Ingress", r.metadata.namespace, ing);
      if (!i) refProblems.push(`${id(r)}: stable Ingress ${ing} not defined`);
      else if (i.spec.rules[0].http.paths[0].backend.service.name !== strat.canary.stableService) refProblems.push(`${id(r)}: Ingress ${ing} does not send to ${strat.canary.stableService}`);
    }
  }
  for (const a of byKind("ServerAuthorization")) {
    if (!find("Server", a.metadata.namespace, a.spec.server.name)) refProblems.push(`${id(a)}: Server ${a.spec.server.name} not defined`);
    for (const sa of a.spec.client.meshTLS?.serviceAccounts ?? [])
      if (!sa.namespace && !find("ServiceAccount", a.metadata.namespace, sa.name)) refProblems.push(`${id(a)}: ServiceAccount ${sa.name} not defined`);
  }
  for (const i of byKind("Ingress")) {
    for (const rule of i.spec.rules ?? []) for (const p of rule.http?.paths ?? []) {
      const s = find("Service", i.metadata.namespace, p.backend.service.name);
      if (!s) refProblems.push(`${id(i)}: backend Service ${p.backend.service.name} not defined`);
      else if (!(s.spec.ports ?? []).some((sp) => sp.port === p.backend.service.port.number)) refProblems.push(`${id(i)}: ${s.metadata.name} has no port ${p.backend.service.port.number}`);
    }
    if (!i.metadata.annotations?.["cert-manager.io/cluster-issuer"]) refProblems.push(`${id(i)}: no cert-manager issuer`);
    else if (!find("ClusterIssuer", undefined, i.metadata.annotations["cert-manager.io/cluster-issuer"])) refProblems.push(`${id(i)}: ClusterIssuer ${i.metadata.annotations["cert-manager.io/cluster-issuer"]} not defined`);
  }
  check(`${label}: every reference resolves (ServiceAccounts, ConfigMaps, Secret keys, Services, HPA/Rollout targets, Linkerd servers, Ingress backends)`, refProblems);

  // 6. Each HealthTech service: env vars it requires are set, nothing it doesn't read is
  //    set, ports agree with GRPC_PORT/HTTP_PORT/ADMIN_PORT, it has a PDB and an HPA.
  const svcProblems = [];
  for (const d of deployments.filter((x) => /-service$/.test(x.metadata.name))) {
    const svc = d.metadata.name.replace(/-service$/, "");
    if (!existsSync(join(repo, "services", svc, "src"))) { svcProblems.push(`${id(d)}: no services/${svc}/src`); continue; }
    const { read, required } = envContract(svc);
    const c = d.spec.template.spec.containers[0];
    const values = {};
    for (const e of c.envFrom ?? []) Object.assign(values, find("ConfigMap", d.metadata.namespace, e.configMapRef?.name)?.data ?? {});
    for (const e of c.env ?? []) values[e.name] = e.value ?? "(from reference)";
    for (const r of required) if (!(r in values)) svcProblems.push(`${id(d)}: required ${r} is not set`);
    for (const k of Object.keys(values)) if (!read.has(k)) svcProblems.push(`${id(d)}: sets ${k}, which ${svc}-service never reads`);
    const port = (name) => (c.ports ?? []).find((p) => p.name === name)?.containerPort;
    if (svc === "bff") {
      if (String(port("http")) !== String(values.HTTP_PORT)) svcProblems.push(`${id(d)}: http port ${port("http")} != HTTP_PORT ${values.HTTP_PORT}`);
    } else {
      if (port("grpc") !== 50051 || String(values.GRPC_PORT ?? 50051) !== "50051") svcProblems.push(`${id(d)}: gRPC must listen on 50051 (port ${port("grpc")}, GRPC_PORT ${values.GRPC_PORT})`);
    }
    if (String(port("metrics")) !== String(values.ADMIN_PORT ?? 9090)) svcProblems.push(`${id(d)}: metrics port ${port("metrics")} != ADMIN_PORT ${values.ADMIN_PORT}`);
    for (const [k, v] of Object.entries(values))
      if (/_SERVICE_URL$/.test(k)) {
        const [host, p] = v.split(":");
        const target = find("Service", d.metadata.namespace, host);
        if (!target || !(target.spec.ports ?? []).some((sp) => String(sp.port) === p)) svcProblems.push(`${id(d)}: ${k}=${v} names no Service port`);
      }
    const grace = Number(values.SHUTDOWN_GRACE_SECONDS ?? 10);
    if (!(d.spec.template.spec.terminationGracePeriodSeconds > grace)) svcProblems.push(`${id(d)}: terminationGracePeriodSeconds must exceed SHUTDOWN_GRACE_SECONDS (${grace})`);
    const labels = d.spec.template.metadata.labels;
    if (!byKind("PodDisruptionBudget").some((p) => p.metadata.namespace === d.metadata.namespace && matches(p.spec.selector, labels))) svcProblems.push(`${id(d)}: no PodDisruptionBudget`);
    const owners = [d, ...byKind("Rollout").filter((r) => r.spec.workloadRef?.name === d.metadata.name)];
    if (!byKind("HorizontalPodAutoscaler").some((h) => owners.some((o) => o.kind === h.spec.scaleTargetRef.kind && o.metadata.name === h.spec.scaleTargetRef.name))) svcProblems.push(`${id(d)}: no HorizontalPodAutoscaler`);
  }
  check(`${label}: services get the env vars their code requires (and only those), ports 50051/admin/HTTP match, PDB and HPA present`, svcProblems);

  // 7. Images pinned
  const imgProblems = [];
  for (const w of workloads)
    for (const c of [...(podTemplate(w).spec.initContainers ?? []), ...(podTemplate(w).spec.containers ?? [])]) {
      const tag = c.image.includes("@") ? "digest" : c.image.split("/").pop().split(":")[1];
      if (!tag || tag === "latest") imgProblems.push(`${id(w)} container ${c.name}: image ${c.image} is not pinned`);
    }
  check(`${label}: every image has a tag other than latest`, imgProblems);

  if (opts.extra) opts.extra(docs, check);
  return docs;
}

// ------------------------------------------------------------------ main
const k8s = join(repo, "deploy", "k8s");
const externalSecretKeys = (docs) => new Set(docs.filter((o) => o.kind === "ExternalSecret")
  .flatMap((o) => (o.spec.data ?? []).map((d) => `${o.metadata.namespace}/${o.spec.target?.name ?? o.metadata.name}/${d.secretKey}`)));
// Dev secrets: the ones deploy/scripts/dev-secrets.sh creates ("secret NS NAME key=... key=...").
const devSecretKeys = () => {
  const text = readFileSync(join(repo, "deploy", "scripts", "dev-secrets.sh"), "utf8");
  const keys = new Set();
  for (const m of text.matchAll(/^\s*secret\s+(\S+)\s+(\S+)\s+(.*)$/gm))
    for (const kv of m[3].matchAll(/([a-z0-9_-]+)=/gi)) keys.add(`${m[1]}/${m[2]}/${kv[1]}`);
  return keys;
};

const overlays = readdirSync(join(k8s, "overlays")).sort();
check("overlays dev, staging and production exist", ["dev", "staging", "production"].filter((o) => !overlays.includes(o)).map((o) => `missing ${o}`));
for (const o of overlays) {
  let text;
  try {
    text = renderOverlay(join(k8s, "overlays", o));
  } catch (e) {
    check(`overlay ${o}: kubectl kustomize renders`, [String(e.stderr || e.message).trim()]);
    continue;
  }
  await checkRendered(`overlay ${o}`, text, {
    secretKeys: o === "dev" ? devSecretKeys : externalSecretKeys,
    extra: (docs, chk) => {
      if (o === "dev") return;
      const kinds = new Set(docs.map((d) => d.kind));
      chk(`overlay ${o}: canary (BFF) and blue-green (payments) Rollouts, ExternalSecrets`,
        ["Rollout", "AnalysisTemplate", "ExternalSecret", "SecretStore"].filter((k) => !kinds.has(k)).map((k) => `no ${k}`));
    },
  });
}

// The Helm chart renders the same platform; the same rules apply.
if (args.helm) {
  const chart = join(repo, "deploy", "helm", "healthtech-backend");
  try {
    execFileSync(args.helm, ["lint", "--strict", chart], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    check("helm chart: helm lint --strict", []);
  } catch (e) {
    check("helm chart: helm lint --strict", [String(e.stdout || "") + String(e.stderr || e.message)]);
  }
  for (const env of ["development", "staging", "production"]) {
    let text;
    try {
      text = execFileSync(args.helm, ["template", "healthtech-backend", chart, "--namespace", "microservices", "-f", join(chart, `values-${env}.yaml`)],
        { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      check(`helm chart (${env}): helm template renders`, [String(e.stderr || e.message).trim()]);
      continue;
    }
    // The chart is the seed's healthtech-backend: the microservices namespace only.
    await checkRendered(`helm chart (${env})`, text, {
      namespaces: ["microservices"],
      secretKeys: env === "development" ? () => new Set([...devSecretKeys()].filter((k) => k.startsWith("microservices/"))) : externalSecretKeys,
    });
  }
}

// compose.yaml: each service container gets the env vars its code requires, and only those;
// migration containers get MIGRATION_DATABASE_URL; every build target exists in the Dockerfile.
{
  const problems = [];
  const compose = YAML.parse(readFileSync(join(repo, "compose.yaml"), "utf8"), { merge: true });
  const dockerfile = readFileSync(join(repo, "deploy", "docker", "Dockerfile"), "utf8");
  const targets = new Set([...dockerfile.matchAll(/^FROM \S+ AS (\S+)$/gm)].map((m) => m[1]));
  let checked = 0;
  for (const [name, svc] of Object.entries(compose.services ?? {})) {
    if (svc.build?.target && !targets.has(svc.build.target)) problems.push(`${name}: build target ${svc.build.target} is not in the Dockerfile`);
    const m = /^healthtech\/([a-z]+)-service:/.exec(svc.image ?? "");
    if (!m) continue;
    const env = svc.environment ?? {};
    if ((svc.command ?? [])[0] === "migrate") {
      if (!env.MIGRATION_DATABASE_URL) problems.push(`${name}: no MIGRATION_DATABASE_URL`);
      continue;
    }
    const { read, required } = envContract(m[1]);
    for (const r of required) if (!(r in env)) problems.push(`${name}: required ${r} is not set`);
    for (const k of Object.keys(env)) if (!read.has(k)) problems.push(`${name}: sets ${k}, which ${m[1]}-service never reads`);
    if (svc.read_only !== true || svc.user !== "1000:1000" || !(svc.cap_drop ?? []).includes("ALL")) problems.push(`${name}: not read-only / uid 1000 / cap_drop ALL`);
    checked++;
  }
  if (checked !== 8) problems.push(`expected the 8 services in compose.yaml, found ${checked}`);
  check(`compose.yaml: the 8 services get the env vars their code requires (and only those), read-only, uid 1000, no capabilities`, problems);
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
