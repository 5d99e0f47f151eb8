import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../src/config/config-loader';
import { parseConnectionUrl } from '../../src/db/connection-url';
import { configMapHash, K8s, podSpecOf, renderKustomization } from './support/kustomize';
import { parseManifests } from './support/strict-yaml';

const ROOT = path.resolve(__dirname, '../..');
const DIR = path.join(ROOT, 'deploy/kubernetes');
const NAMESPACE = 'esi-leap';

/** The Secrets the operator creates (docs/operations.md), with the keys the pods read. */
const OPERATOR_SECRETS: Record<string, string[]> = {
  'esi-leap-secrets': ['secrets.conf'],
  'esi-leap-api-tls': ['tls.crt', 'tls.key'],
};

const objects = renderKustomization(DIR);
const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
const named = (kind: string, name: string) => byKind(kind).find((o) => o.metadata.name === name);
const workloads = objects.filter((o) => podSpecOf(o) !== undefined);
const pods = workloads.map((o) => ({
  name: o.metadata.name as string,
  spec: podSpecOf(o),
  labels: o.spec.template.metadata.labels as Record<string, string>,
}));
const containers = pods.flatMap(({ name, spec }) => (spec.containers as K8s[]).map((c) => ({ owner: name, spec, c })));
const generatedConfig = byKind('ConfigMap').find((o) => o.metadata.name.startsWith('esi-leap-config-'));

function portOf(c: K8s, port: string | number): number | undefined {
  const ports: K8s[] = c.ports ?? [];
  return typeof port === 'number'
    ? ports.find((p) => p.containerPort === port)?.containerPort
    : ports.find((p) => p.name === port)?.containerPort;
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** `USER` of the Containerfile's last stage, which must be numeric for runAsNonRoot to be checkable. */
function imageUser(): { uid: number; gid?: number } {
  const stages = readFileSync(path.join(ROOT, 'Containerfile'), 'utf8').split(/^FROM /m);
  const user = /^USER\s+(\S+)\s*$/m.exec(stages[stages.length - 1])?.[1];
  const match = /^(\d+)(?::(\d+))?$/.exec(user ?? '');
  if (!match)
    throw new Error(`the image's USER is "${user}": kubelet can only check runAsNonRoot against a numeric UID`);
  return { uid: Number(match[1]), gid: match[2] === undefined ? undefined : Number(match[2]) };
}

/** The esi-leap.conf the pods read: the generated ConfigMap's file, then the Secret's (from its example). */
function deployedConfig() {
  const dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-k8s-'));
  try {
    const main = path.join(dir, 'esi-leap.conf');
    writeFileSync(main, generatedConfig.data['esi-leap.conf']);
    return loadConfig({ configFiles: [main, path.join(DIR, 'secrets.conf.example')], env: {} }).config;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('YAML as kubectl reads it', () => {
  it('rejects what go-yaml rejects and YAML 1.2 would accept: an unquoted ? in a flow mapping', () => {
    expect(() => parseManifests('probe: { path: /healthcheck?check=manager }\n', 'x.yaml')).toThrow(
      /unquoted "\/healthcheck\?check=manager"/,
    );
    expect(parseManifests('probe: { path: "/healthcheck?check=manager" }\n', 'x.yaml')).toEqual([
      { probe: { path: '/healthcheck?check=manager' } },
    ]);
    expect(() => parseManifests('a: 1\na: 2\n', 'x.yaml')).toThrow(/unique/i);
  });

  it('hashes generated ConfigMap names as kustomize does', () => {
    // kustomize's own test vectors (api/hasher, unnamed ConfigMaps): no data, and {one: ""}.
    expect(configMapHash('', {})).toBe('6ct58987ht');
    expect(configMapHash('', { one: '' })).toBe('9g67k2htb6');
  });
});

describe('deploy/kubernetes rendered as kubectl kustomize does', () => {
  it('renders: every file parses strictly and every field the kustomization uses is applied', () => {
    expect(objects.length).toBeGreaterThan(8);
    for (const o of objects)
      expect([o.kind, o.metadata.name, o.metadata.namespace]).toEqual([o.kind, o.metadata.name, NAMESPACE]);
    expect(generatedConfig.metadata.name).toBe(
      `esi-leap-config-${configMapHash('esi-leap-config', generatedConfig.data)}`,
    );
  });

  it('validates every object against the Kubernetes OpenAPI schema of its kind', () => {
    for (const o of objects) {
      // kubernetes-models has one class per apiVersion and kind, e.g. kubernetes-models/apps/v1/Deployment.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const Model = require(`kubernetes-models/${o.apiVersion}/${o.kind}`)[o.kind];
      expect(() => new Model(o).validate()).not.toThrow();
    }
  });

  it('has every kind of process: API (with a Service), managers, console proxy, dbsync Job', () => {
    expect(pods.map((p) => p.name).sort()).toEqual([
      'esi-leap-api',
      'esi-leap-console-proxy',
      'esi-leap-dbsync',
      'esi-leap-manager',
    ]);
    expect(named('Deployment', 'esi-leap-api').spec.replicas).toBeGreaterThan(1);
    expect(named('Deployment', 'esi-leap-manager').spec.replicas).toBeGreaterThan(1);
    expect(named('Job', 'esi-leap-dbsync').spec.template.spec.containers[0].args).toEqual([
      'dbsync',
      '--config-file',
      '/etc/esi-leap/esi-leap.conf',
      '--config-file',
      '/etc/esi-leap/secrets/secrets.conf',
      'upgrade',
    ]);
  });

  it('runs the image kustomize rewrites, as the roles the CLI knows', () => {
    for (const { c } of containers) {
      expect(c.image).toBe('registry.example.org/esi-leap:0.1.0');
      const role = (c.args as string[]).find((a) => a.startsWith('--role='));
      if (role) expect(['--role=api', '--role=manager', '--role=console-proxy']).toContain(role);
    }
  });

  it("runs every pod as the image's numeric user, non-root, under the restricted Pod Security Standard", () => {
    const { uid, gid } = imageUser();
    expect(uid).toBeGreaterThan(0);
    for (const { owner, spec, c } of containers) {
      const effective = { ...spec.securityContext, ...c.securityContext };
      expect([owner, effective.runAsNonRoot, effective.runAsUser]).toEqual([owner, true, uid]);
      if (gid !== undefined) expect([owner, effective.runAsGroup]).toEqual([owner, gid]);
      expect([owner, effective.seccompProfile?.type]).toEqual([owner, 'RuntimeDefault']);
      expect([owner, c.securityContext?.allowPrivilegeEscalation, c.securityContext?.capabilities?.drop]).toEqual([
        owner,
        false,
        ['ALL'],
      ]);
    }
  });

  it('points every probe at a declared container port, HTTP probes at /healthcheck on the plain status port', () => {
    for (const { owner, c } of containers) {
      for (const probe of [c.readinessProbe, c.livenessProbe].filter(Boolean)) {
        const action = probe.httpGet ?? probe.tcpSocket;
        expect([owner, c.name, portOf(c, action.port)]).toEqual([owner, c.name, expect.any(Number)]);
        if (!probe.httpGet) continue;
        expect(probe.httpGet.path).toMatch(/^\/healthcheck(\?check=(database|manager|notifications)(,\w+)*)?$/);
        expect([owner, probe.httpGet.port, probe.httpGet.scheme ?? 'HTTP']).toEqual([owner, 'status', 'HTTP']);
      }
    }
  });

  it('routes each Service to pods that exist and to a port they declare, never to the status port', () => {
    for (const service of byKind('Service')) {
      const selected = pods.filter((p) => selects(service.spec.selector, p.labels));
      expect([service.metadata.name, selected.length]).toEqual([service.metadata.name, 1]);
      for (const port of service.spec.ports) {
        expect([service.metadata.name, port.targetPort]).not.toEqual([service.metadata.name, 'status']);
        const target = selected[0].spec.containers.map((c: K8s) => portOf(c, port.targetPort)).find(Boolean);
        expect([service.metadata.name, target]).toEqual([service.metadata.name, port.port]);
      }
    }
  });

  it('mounts the generated ConfigMap and the operator-made Secrets at the paths the configuration names', () => {
    for (const { owner, spec, c } of containers) {
      const volumes = new Map((spec.volumes as K8s[]).map((v) => [v.name, v]));
      for (const mount of c.volumeMounts) {
        const volume = volumes.get(mount.name);
        expect([owner, mount.name, Boolean(volume)]).toEqual([owner, mount.name, true]);
        if (volume.emptyDir) continue;
        const keys = volume.configMap
          ? Object.keys(named('ConfigMap', volume.configMap.name)?.data ?? {})
          : OPERATOR_SECRETS[volume.secret.secretName];
        expect([owner, mount.name, keys]).toEqual([owner, mount.name, expect.any(Array)]);
        for (const item of (volume.configMap ?? volume.secret).items) expect(keys).toContain(item.key);
      }
      const args = c.args as string[];
      const files = args.filter((_, i) => args[i - 1] === '--config-file');
      expect(files).toEqual(['/etc/esi-leap/esi-leap.conf', '/etc/esi-leap/secrets/secrets.conf']);
      for (const file of files) {
        const covered = (c.volumeMounts as K8s[]).some((m) =>
          m.subPath ? m.mountPath === file : path.dirname(file) === m.mountPath,
        );
        expect([owner, file, covered]).toEqual([owner, file, true]);
      }
    }
    const api = named('Deployment', 'esi-leap-api').spec.template.spec.containers[0];
    const config = deployedConfig();
    const tlsMount = (api.volumeMounts as K8s[]).find((m) => m.name === 'tls');
    expect([path.dirname(config.ssl.cert_file as string), path.dirname(config.ssl.key_file as string)]).toEqual([
      tlsMount.mountPath,
      tlsMount.mountPath,
    ]);
  });

  it('has docs/operations.md create the Secrets the pods mount', () => {
    const walkthrough = readFileSync(path.join(ROOT, 'docs/operations.md'), 'utf8');
    expect(walkthrough).toContain(
      'kubectl -n esi-leap create secret generic esi-leap-secrets --from-file=secrets.conf',
    );
    expect(walkthrough).toMatch(/kubectl -n esi-leap create secret tls esi-leap-api-tls --cert=\S+ --key=\S+/);
  });

  it('configures the ports the containers declare, HTTPS on the API, metrics on the status port only', () => {
    const config = deployedConfig();
    expect(config.database.connection).toMatch(/^mysql/);
    expect(config.api.enable_ssl_api).toBe(true);
    expect(config.metrics.enabled).toBe(true);
    const api = named('Deployment', 'esi-leap-api');
    expect(portOf(api.spec.template.spec.containers[0], 'https')).toBe(config.api.port);
    for (const { owner, c } of containers.filter(({ owner }) => owner !== 'esi-leap-dbsync')) {
      expect([owner, portOf(c, 'status')]).toEqual([owner, config.DEFAULT.status_port]);
    }
    for (const workload of workloads.filter((w) => w.spec.template.metadata.annotations?.['prometheus.io/scrape'])) {
      expect([workload.metadata.name, workload.spec.template.metadata.annotations['prometheus.io/port']]).toEqual([
        workload.metadata.name,
        String(config.DEFAULT.status_port),
      ]);
    }
    const proxy = named('Deployment', 'esi-leap-console-proxy').spec.template.spec.containers[0];
    expect(portOf(proxy, 'console')).toBe(config.serialconsoleproxy.port);
  });

  it('ships NetworkPolicies: ingress denied but for the API and console ports, the status port only from monitoring', () => {
    const policies = byKind('NetworkPolicy');
    const selected = (policy: K8s) => pods.filter((p) => selects(policy.spec.podSelector.matchLabels ?? {}, p.labels));
    const denyAll = policies.find((p) => p.spec.policyTypes.includes('Ingress') && !p.spec.ingress);
    expect(denyAll).toBeDefined();
    expect(
      selected(denyAll)
        .map((p) => p.name)
        .sort(),
    ).toEqual(pods.map((p) => p.name).sort());
    const opened: string[] = [];
    for (const policy of policies.filter((p) => p.spec.ingress)) {
      for (const rule of policy.spec.ingress as K8s[]) {
        for (const port of rule.ports as K8s[]) {
          for (const pod of selected(policy)) {
            const declared = pod.spec.containers.some((c: K8s) => portOf(c, port.port) !== undefined);
            // Every pod selected but the Job declares the port the rule opens.
            if (pod.name !== 'esi-leap-dbsync')
              expect([policy.metadata.name, pod.name, port.port, declared]).toEqual([
                policy.metadata.name,
                pod.name,
                port.port,
                true,
              ]);
          }
          if (port.port === 'status') {
            expect(rule.from).toEqual([
              { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
            ]);
          }
          opened.push(`${port.port}${rule.from ? ' from monitoring' : ''}`);
        }
      }
    }
    expect(opened.sort()).toEqual(['console', 'https', 'status from monitoring']);
  });
});

describe('deploy/kubernetes/overlays/galera: the base on a MariaDB Operator Galera cluster', () => {
  const OVERLAY = path.join(DIR, 'overlays/galera');
  const MARIADB_API = 'k8s.mariadb.com/v1alpha1';
  const rendered = renderKustomization(OVERLAY);
  const operatorObjects = rendered.filter((o) => o.apiVersion === MARIADB_API);
  const one = (kind: string) => {
    const found = operatorObjects.filter((o) => o.kind === kind);
    expect([kind, found.length]).toEqual([kind, 1]);
    return found[0];
  };
  const overlayWorkloads = rendered.filter((o) => podSpecOf(o) !== undefined);
  const CONNECTION_VARIABLE = 'ESI_LEAP__DATABASE__CONNECTION';

  it('renders the base unchanged but for the database connection, plus the operator objects, all in the namespace', () => {
    const withoutEnv = structuredClone(rendered.filter((o) => o.apiVersion !== MARIADB_API));
    for (const workload of withoutEnv.filter((o: K8s) => podSpecOf(o) !== undefined)) {
      for (const c of podSpecOf(workload).containers as K8s[]) {
        expect([workload.metadata.name, c.env?.map((e: K8s) => e.name)]).toEqual([
          workload.metadata.name,
          [CONNECTION_VARIABLE],
        ]);
        delete c.env;
      }
    }
    expect(withoutEnv).toEqual(objects);
    expect(operatorObjects.map((o) => o.kind).sort()).toEqual(['Connection', 'Database', 'Grant', 'MariaDB', 'User']);
    for (const o of rendered) expect([o.kind, o.metadata.namespace]).toEqual([o.kind, NAMESPACE]);
    for (const o of rendered.filter((x) => x.apiVersion !== MARIADB_API)) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const Model = require(`kubernetes-models/${o.apiVersion}/${o.kind}`)[o.kind];
      expect(() => new Model(o).validate()).not.toThrow();
    }
  });

  it('runs three Galera nodes with the settings docs/operations.md asks for', () => {
    const mariadb = one('MariaDB');
    expect(mariadb.spec.galera).toEqual({ enabled: true });
    expect(mariadb.spec.replicas).toBe(3);
    const myCnf = String(mariadb.spec.myCnf)
      .split('\n')
      .map((line) => line.trim());
    expect(myCnf[0]).toBe('[mariadb]');
    for (const setting of ['binlog_format=row', 'innodb_autoinc_lock_mode=2', 'default_storage_engine=InnoDB']) {
      expect(myCnf).toContain(setting);
    }
    expect(mariadb.spec.rootPasswordSecretKeyRef).toEqual({ name: 'esi-leap-galera-root', key: 'password' });
  });

  it('creates the esi_leap database and user, granted on it, and a Connection to the primary Service with their names', () => {
    const [mariadb, database, user, grant, connection] = ['MariaDB', 'Database', 'User', 'Grant', 'Connection'].map(
      one,
    );
    for (const o of [database, user, grant, connection])
      expect([o.kind, o.spec.mariaDbRef]).toEqual([o.kind, { name: mariadb.metadata.name }]);
    expect(grant.spec).toMatchObject({
      database: database.spec.name,
      table: '*',
      username: user.spec.name,
      host: user.spec.host,
      privileges: ['ALL PRIVILEGES'],
    });
    expect(database.spec.characterSet).toBe('utf8mb4');
    // The operator's default of 10 is too few for the pools of every replica.
    expect(user.spec.maxUserConnections).toBeGreaterThanOrEqual(50);
    expect(connection.spec).toMatchObject({
      serviceName: `${mariadb.metadata.name}-primary`,
      username: user.spec.name,
      database: database.spec.name,
      passwordSecretKeyRef: user.spec.passwordSecretKeyRef,
    });
  });

  it("gives every esi-leap container [database] connection from the Connection's Secret: a MySQL URL to the primary, over secrets.conf's", () => {
    const connection = one('Connection');
    for (const workload of overlayWorkloads) {
      for (const c of podSpecOf(workload).containers as K8s[]) {
        expect([workload.metadata.name, c.env]).toEqual([
          workload.metadata.name,
          [
            {
              name: CONNECTION_VARIABLE,
              valueFrom: {
                secretKeyRef: { name: connection.spec.secretName, key: connection.spec.secretTemplate.key },
              },
            },
          ],
        ]);
      }
    }
    // The Secret's value as the operator writes it (a Go template over the Connection's fields).
    const host = `${connection.spec.serviceName}.${NAMESPACE}.svc.cluster.local`;
    const fields: Record<string, string> = {
      Username: connection.spec.username,
      Password: '3f9c0ad1b2e4',
      Host: host,
      Port: '3306',
      Database: connection.spec.database,
    };
    const value = String(connection.spec.secretTemplate.format).replace(/\{\{ \.(\w+) \}\}/g, (_, field: string) => {
      expect(Object.keys(fields)).toContain(field);
      return fields[field];
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-k8s-'));
    try {
      const main = path.join(dir, 'esi-leap.conf');
      writeFileSync(main, generatedConfig.data['esi-leap.conf']);
      const { config } = loadConfig({
        configFiles: [main, path.join(DIR, 'secrets.conf.example')],
        env: { [CONNECTION_VARIABLE]: value },
      });
      expect(config.database.connection).toBe(value);
      expect(parseConnectionUrl(config.database.connection as string).options).toMatchObject({
        type: 'mysql',
        host,
        port: 3306,
        username: 'esi_leap',
        password: fields.Password,
        database: 'esi_leap',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has docs/operations.md apply the overlay and create the Secrets it reads', () => {
    const walkthrough = readFileSync(path.join(ROOT, 'docs/operations.md'), 'utf8');
    expect(walkthrough).toContain('kubectl apply -k deploy/kubernetes/overlays/galera');
    for (const secret of new Set(
      operatorObjects.flatMap((o) => [o.spec.rootPasswordSecretKeyRef?.name, o.spec.passwordSecretKeyRef?.name]),
    )) {
      if (secret)
        expect(walkthrough).toMatch(
          new RegExp(`kubectl -n esi-leap create secret generic ${secret} --from-literal=password=`),
        );
    }
  });
});
