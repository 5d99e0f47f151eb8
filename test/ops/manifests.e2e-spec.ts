import { loadAll } from 'js-yaml';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../src/config/config-loader';

const DIR = path.resolve(__dirname, '../../deploy/kubernetes');

/** Kubernetes objects, checked field by field below. */
type K8s = any;

const kustomization = loadAll(readFileSync(path.join(DIR, 'kustomization.yaml'), 'utf8'))[0] as K8s;
const objects: K8s[] = (kustomization.resources as string[]).flatMap(
  (file) => loadAll(readFileSync(path.join(DIR, file), 'utf8')) as K8s[],
);
const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
const named = (kind: string, name: string) => byKind(kind).find((o) => o.metadata.name === name);
const podSpecs = [...byKind('Deployment'), ...byKind('Job')].map((o) => ({ name: o.metadata.name, spec: o.spec.template.spec, labels: o.spec.template.metadata.labels }));
const containers = podSpecs.flatMap(({ name, spec }) => spec.containers.map((c: K8s) => ({ owner: name, spec, c })));

function portOf(c: K8s, port: string | number): number | undefined {
  const ports: K8s[] = c.ports ?? [];
  return typeof port === 'number' ? ports.find((p) => p.containerPort === port)?.containerPort : ports.find((p) => p.name === port)?.containerPort;
}

/** The esi-leap.conf the pods read: the ConfigMap's file, then the Secret's. */
function deployedConfig() {
  const dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-k8s-'));
  const main = path.join(dir, 'esi-leap.conf');
  const secrets = path.join(dir, 'secrets.conf');
  writeFileSync(main, named('ConfigMap', 'esi-leap-config').data['esi-leap.conf']);
  writeFileSync(secrets, named('Secret', 'esi-leap-secrets').stringData['secrets.conf']);
  return loadConfig({ configFiles: [main, secrets], env: {} }).config;
}

describe('deploy/kubernetes', () => {
  it('has every kind of process: API (with a Service), managers, console proxy, dbsync Job', () => {
    expect(podSpecs.map((p) => p.name).sort()).toEqual(['esi-leap-api', 'esi-leap-console-proxy', 'esi-leap-dbsync', 'esi-leap-manager']);
    expect(named('Deployment', 'esi-leap-api').spec.replicas).toBeGreaterThan(1);
    expect(named('Deployment', 'esi-leap-manager').spec.replicas).toBeGreaterThan(1);
    expect(named('Job', 'esi-leap-dbsync').spec.template.spec.containers[0].args).toContain('upgrade');
  });

  it('runs the one image kustomize rewrites, as the roles the CLI knows', () => {
    const images = (kustomization.images as K8s[]).map((i) => i.name);
    for (const { c } of containers) {
      expect(images).toContain(c.image);
      const role = (c.args as string[]).find((a) => a.startsWith('--role='));
      if (role) expect(['--role=api', '--role=manager', '--role=console-proxy']).toContain(role);
    }
  });

  it('points every probe at a declared container port, HTTP probes at /healthcheck', () => {
    for (const { owner, c } of containers) {
      for (const probe of [c.readinessProbe, c.livenessProbe].filter(Boolean)) {
        const action = probe.httpGet ?? probe.tcpSocket;
        expect([owner, c.name, portOf(c, action.port)]).toEqual([owner, c.name, expect.any(Number)]);
        if (probe.httpGet) expect(probe.httpGet.path).toMatch(/^\/healthcheck(\?check=(database|manager|notifications)(,\w+)*)?$/);
      }
    }
  });

  it('routes each Service to pods that exist and to a port they declare', () => {
    for (const service of byKind('Service')) {
      const pods = podSpecs.filter((p) => Object.entries(service.spec.selector).every(([k, v]) => p.labels[k] === v));
      expect([service.metadata.name, pods.length]).toEqual([service.metadata.name, 1]);
      for (const port of service.spec.ports) {
        const target = pods[0].spec.containers.map((c: K8s) => portOf(c, port.targetPort)).find(Boolean);
        expect([service.metadata.name, target]).toEqual([service.metadata.name, port.port]);
      }
    }
  });

  it('mounts the ConfigMap and Secret keys at the paths passed as --config-file', () => {
    for (const { owner, spec, c } of containers) {
      const volumes = new Map((spec.volumes as K8s[]).map((v) => [v.name, v]));
      for (const mount of c.volumeMounts) {
        const volume = volumes.get(mount.name);
        expect([owner, mount.name, Boolean(volume)]).toEqual([owner, mount.name, true]);
        const source = volume.configMap
          ? { keys: Object.keys(named('ConfigMap', volume.configMap.name)?.data ?? {}), items: volume.configMap.items }
          : { keys: Object.keys(named('Secret', volume.secret.secretName)?.stringData ?? {}), items: volume.secret.items };
        for (const item of source.items) expect(source.keys).toContain(item.key);
        if (mount.subPath) expect(source.items.map((i: K8s) => i.path)).toContain(mount.subPath);
      }
      const args = c.args as string[];
      const files = args.filter((_, i) => args[i - 1] === '--config-file');
      expect(files.length).toBe(2);
      for (const file of files) {
        const covered = (c.volumeMounts as K8s[]).some((m) =>
          m.subPath ? m.mountPath === file : path.dirname(file) === m.mountPath,
        );
        expect([owner, file, covered]).toEqual([owner, file, true]);
      }
    }
  });

  it('configures ports the containers declare, and parses as a valid esi-leap.conf', () => {
    const config = deployedConfig();
    expect(config.database.connection).toMatch(/^mysql/);
    const api = named('Deployment', 'esi-leap-api').spec.template.spec.containers[0];
    expect(portOf(api, 'http')).toBe(config.api.port);
    const manager = named('Deployment', 'esi-leap-manager').spec.template.spec.containers[0];
    expect(portOf(manager, 'status')).toBe(config.DEFAULT.status_port);
    const proxy = named('Deployment', 'esi-leap-console-proxy').spec.template.spec.containers[0];
    expect(portOf(proxy, 'console')).toBe(config.serialconsoleproxy.port);
    expect(portOf(proxy, 'status')).toBe(config.DEFAULT.status_port);
  });
});
