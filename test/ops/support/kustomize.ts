import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parseManifests } from './strict-yaml';

/** A Kubernetes object as the manifests write it. */
export type K8s = any;

/** The kustomization fields this renderer implements; any other one fails the render. */
const SUPPORTED = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'configMapGenerator', 'images', 'patches']);
const POD_TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

/**
 * What `kubectl kustomize DIR` prints for the fields used in deploy/kubernetes and its overlays:
 * the resources files parsed strictly (a directory among them rendered as a kustomization of its
 * own, as a base), ConfigMaps generated from files with kustomize's name-hash suffix and every
 * reference to them renamed, JSON 6902 patches applied to their targets, the namespace set on
 * every object, images rewritten.
 */
export function renderKustomization(dir: string): K8s[] {
  const [kustomization] = parseManifests(
    readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'),
    'kustomization.yaml',
  ) as K8s[];
  const unsupported = Object.keys(kustomization).filter((field) => !SUPPORTED.has(field));
  if (unsupported.length > 0)
    throw new Error(`kustomization fields this renderer does not implement: ${unsupported.join(', ')}`);
  const objects: K8s[] = (kustomization.resources as string[]).flatMap((entry) =>
    statSync(path.join(dir, entry)).isDirectory()
      ? renderKustomization(path.join(dir, entry))
      : parseManifests(readFileSync(path.join(dir, entry), 'utf8'), entry),
  );
  const renamed = new Map<string, string>();
  for (const generator of (kustomization.configMapGenerator ?? []) as K8s[]) {
    const configMap = generateConfigMap(dir, generator);
    renamed.set(generator.name, configMap.metadata.name);
    objects.push(configMap);
  }
  for (const patch of (kustomization.patches ?? []) as K8s[]) applyPatch(objects, patch);
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

/**
 * One entry of `patches`: a JSON 6902 patch (a YAML list of `add`, `replace` and `remove`
 * operations) applied to every object its target selects by kind and name (a regular
 * expression, as in kustomize). A target that selects nothing, or a path that does not resolve,
 * fails the render, as kustomize fails.
 */
function applyPatch(objects: K8s[], entry: K8s): void {
  const unsupported = Object.keys(entry).filter((field) => !['target', 'patch'].includes(field));
  if (unsupported.length > 0 || typeof entry.patch !== 'string')
    throw new Error(`patches: only a target and an inline JSON 6902 patch are implemented (${JSON.stringify(entry)})`);
  const { kind, name, ...rest } = entry.target as { kind?: string; name?: string };
  if (Object.keys(rest).length > 0)
    throw new Error(`patch targets by ${Object.keys(rest).join(', ')} are not implemented`);
  const selected = objects.filter(
    (o) =>
      (kind === undefined || o.kind === kind) &&
      (name === undefined || new RegExp(`^(?:${name})$`).test(o.metadata.name)),
  );
  if (selected.length === 0) throw new Error(`patch target ${JSON.stringify(entry.target)} selects no object`);
  const [operations] = parseManifests(entry.patch, 'inline patch') as K8s[][];
  for (const object of selected) for (const operation of operations) applyOperation(object, operation);
}

function applyOperation(object: K8s, operation: K8s): void {
  const { op, path: pointer, value } = operation as { op: string; path: string; value?: unknown };
  if (!['add', 'replace', 'remove'].includes(op)) throw new Error(`JSON patch op ${op} is not implemented`);
  const tokens = pointer
    .split('/')
    .slice(1)
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = tokens.pop()!;
  let parent = object;
  for (const token of tokens) {
    parent = Array.isArray(parent) ? parent[Number(token)] : parent?.[token];
    if (parent === undefined || parent === null || typeof parent !== 'object')
      throw new Error(`${object.kind} ${object.metadata.name}: ${pointer} does not resolve`);
  }
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!(index >= 0 && index <= parent.length) || (op !== 'add' && index >= parent.length))
      throw new Error(`${object.kind} ${object.metadata.name}: ${pointer} is out of range`);
    if (op === 'add') parent.splice(index, 0, value);
    else if (op === 'replace') parent[index] = value;
    else parent.splice(index, 1);
  } else {
    if (op !== 'add' && !(last in parent))
      throw new Error(`${object.kind} ${object.metadata.name}: ${pointer} does not exist`);
    if (op === 'remove') delete parent[last];
    else parent[last] = value;
  }
}
