import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseManifests } from './strict-yaml';

/** A Kubernetes object as the manifests write it. */
export type K8s = any;

/** The kustomization fields this renderer implements; any other one fails the render. */
const SUPPORTED = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'configMapGenerator', 'images']);
const POD_TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

/**
 * What `kubectl kustomize DIR` prints for the fields used in deploy/kubernetes: the resources
 * files parsed strictly, ConfigMaps generated from files with kustomize's name-hash suffix and
 * every reference to them renamed, the namespace set on every object, images rewritten.
 */
export function renderKustomization(dir: string): K8s[] {
  const [kustomization] = parseManifests(
    readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'),
    'kustomization.yaml',
  ) as K8s[];
  const unsupported = Object.keys(kustomization).filter((field) => !SUPPORTED.has(field));
  if (unsupported.length > 0)
    throw new Error(`kustomization fields this renderer does not implement: ${unsupported.join(', ')}`);
  const objects: K8s[] = (kustomization.resources as string[]).flatMap((file) =>
    parseManifests(readFileSync(path.join(dir, file), 'utf8'), file),
  );
  const renamed = new Map<string, string>();
  for (const generator of (kustomization.configMapGenerator ?? []) as K8s[]) {
    const configMap = generateConfigMap(dir, generator);
    renamed.set(generator.name, configMap.metadata.name);
    objects.push(configMap);
  }
  for (const object of objects) {
    if (kustomization.namespace) object.metadata.namespace = kustomization.namespace;
    const pod = podSpecOf(object);
    if (!pod) continue;
    renameConfigMapReferences(pod, renamed);
    for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
      container.image = rewriteImage(container.image, (kustomization.images ?? []) as K8s[]);
    }
  }
  return objects;
}

export function podSpecOf(object: K8s): K8s | undefined {
  if (object.kind === 'Pod') return object.spec;
  if (object.kind === 'CronJob') return object.spec.jobTemplate.spec.template.spec;
  return POD_TEMPLATE_KINDS.has(object.kind) ? object.spec.template.spec : undefined;
}

function generateConfigMap(dir: string, generator: K8s): K8s {
  const unsupported = Object.keys(generator).filter((field) => !['name', 'files'].includes(field));
  if (unsupported.length > 0)
    throw new Error(`configMapGenerator fields this renderer does not implement: ${unsupported.join(', ')}`);
  const data: Record<string, string> = {};
  for (const entry of generator.files as string[]) {
    const [key, file] = entry.includes('=') ? entry.split('=', 2) : [path.basename(entry), entry];
    data[key] = readFileSync(path.join(dir, file), 'utf8');
  }
  const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: generator.name }, data };
  configMap.metadata.name = `${generator.name}-${configMapHash(generator.name, data)}`;
  return configMap;
}

/**
 * kustomize's name suffix (api/hasher): sha256 of the JSON of {data, kind, name} with sorted keys
 * as Go's encoding/json writes it, first 10 hex digits, with 0 1 3 a e mapped to g h k m t.
 */
export function configMapHash(name: string, data: Record<string, string>): string {
  const sorted = Object.fromEntries(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const json = goJson({ data: Object.keys(sorted).length ? sorted : '', kind: 'ConfigMap', name });
  const hex = createHash('sha256').update(json).digest('hex').slice(0, 10);
  return hex.replace(/[013ae]/g, (c) => ({ '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' })[c] as string);
}

/** Go's json.Marshal escapes <, > and & (and U+2028/2029) where JSON.stringify does not. */
function goJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function renameConfigMapReferences(pod: K8s, renamed: Map<string, string>): void {
  const rename = (ref: K8s) => {
    if (ref?.name && renamed.has(ref.name)) ref.name = renamed.get(ref.name);
  };
  for (const volume of pod.volumes ?? []) {
    rename(volume.configMap);
    for (const source of volume.projected?.sources ?? []) rename(source.configMap);
  }
  for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
    for (const from of container.envFrom ?? []) rename(from.configMapRef);
    for (const env of container.env ?? []) rename(env.valueFrom?.configMapKeyRef);
  }
}

/** kustomize's `images`: an image whose name (without tag or digest) matches gets the new name, tag or digest. */
function rewriteImage(image: string, rules: K8s[]): string {
  const name = image.replace(/@.*$/, '').replace(/:[^/:]+$/, '');
  const rule = rules.find((r) => r.name === name);
  if (!rule) return image;
  const suffix = rule.digest ? `@${rule.digest}` : rule.newTag ? `:${rule.newTag}` : image.slice(name.length);
  return `${rule.newName ?? name}${suffix}`;
}
