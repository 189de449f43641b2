// Turns the rendered dev overlay into what `podman kube play` (4.3) can run on one machine:
// the eight Deployments with their ConfigMaps, unchanged except for what podman lacks or
// this machine forbids. Used by tests/deploy/containers.sh.
//   node kube_play_prepare.mjs RENDERED.yaml IMAGE_TAG HOSTS_JSON PREFIX > workloads.yaml
// HOSTS_JSON maps host names (iam-service, ...) to the static addresses the pods get.
// Changes, each because podman cannot do otherwise:
//   - images: ghcr.io/healthtech/<svc>:<tag> → localhost/healthtech/<svc>:IMAGE_TAG (no registry);
//   - hostAliases for the Services' names (no cluster DNS; podman's DNS is unreliable here);
//   - Deployments and the Secrets they name get PREFIX- (podman's pods and secrets are
//     machine-wide; two test runs on one machine must not collide);
//   - the migrate init containers dropped (the migrations already ran from the same images
//     against the same database): podman 4.3 fails removing a "once" init container that has
//     just exited ("container state improper"), and an "always" one is restarted in a loop by
//     the pod's restart policy;
//   - container ports dropped (podman 4.3 would bind them on the host) and probes dropped
//     (podman runs HTTP probes with curl inside the image, and has no gRPC probes).
// Everything else — env from ConfigMaps and secretKeyRefs, the security contexts (uid 1000,
// read-only root, no capabilities), resources, emptyDir volumes — is what the cluster gets.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
const here = dirname(fileURLToPath(import.meta.url));
const { default: YAML } = await import(join(here, "../../deploy/validate/node_modules/yaml/dist/index.js"));
const [rendered, tag, hostsJson, prefix] = process.argv.slice(2);
const hosts = JSON.parse(hostsJson);
const docs = YAML.parseAllDocuments(readFileSync(rendered, "utf8")).map((d) => d.toJS());
const services = ["iam", "org", "appointment", "payment", "notification", "forum", "uhi", "bff"].map((s) => `${s}-service`);
const out = [];
const hostAliases = Object.entries(hosts).map(([h, ip]) => ({ ip, hostnames: [h] }));
for (const name of services) {
  const d = docs.find((x) => x.kind === "Deployment" && x.metadata.name === name);
  if (!d) throw new Error(`no Deployment ${name} in the dev overlay`);
  const spec = d.spec.template.spec;
  spec.hostAliases = hostAliases;
  d.metadata.name = `${prefix}-${d.metadata.name}`;
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) e.valueFrom.secretKeyRef.name = `${prefix}-${e.valueFrom.secretKeyRef.name}`;
    c.image = c.image.replace(/^ghcr\.io\/healthtech\/([a-z-]+):.*$/, `localhost/healthtech/$1:${tag}`);
    delete c.ports;
    delete c.livenessProbe;
    delete c.readinessProbe;
    delete c.startupProbe;
  }
  d.spec.replicas = 1;
  delete spec.initContainers;
  for (const c of spec.containers) for (const e of c.envFrom ?? []) {
    const cm = docs.find((x) => x.kind === "ConfigMap" && x.metadata.name === e.configMapRef.name);
    if (!cm) throw new Error(`ConfigMap ${e.configMapRef.name} missing`);
    if (!out.includes(cm)) out.push(cm);
  }
  out.push(d);
}
process.stdout.write(out.map((d) => YAML.stringify(d)).join("---\n"));
