import { ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');
/**
 * Under node_modules so that the transpiled files resolve the project's packages; one per
 * checkout, since git worktrees share one node_modules and a bench started in another one
 * would otherwise overwrite this one's build while its fleet is generated.
 */
const BUILD_DIR = path.join(
  ROOT,
  'node_modules',
  '.cache',
  `esi-leap-bench-${createHash('sha256').update(ROOT).digest('hex').slice(0, 8)}`,
);

/**
 * Transpiles src/ and migrations/ (no type check: other work in the tree may be mid-edit) so
 * the service runs on plain node, without ts-node's compiler in its memory figure.
 */
export function buildService(): string {
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    esModuleInterop: true,
    isolatedModules: true,
  };
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (name.endsWith('.ts') && !name.endsWith('.spec.ts')) {
        const out = path.join(BUILD_DIR, path.relative(ROOT, file)).replace(/\.ts$/, '.js');
        mkdirSync(path.dirname(out), { recursive: true });
        writeFileSync(
          out,
          ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: options, fileName: file }).outputText,
        );
      }
    }
  };
  walk(path.join(ROOT, 'src'));
  walk(path.join(ROOT, 'migrations'));
  const entry = path.join(BUILD_DIR, 'serve.js');
  writeFileSync(entry, "require('./src/main').runMain('esi-leap');\n");
  return entry;
}

/** What `npm start` and the image run node with (docs/operations.md, "Memory"). */
const NODE_FLAGS = ['--max-semi-space-size=4', '--expose-gc'];

export interface ServiceProcess {
  readonly url: string;
  readonly pid: number;
  rssMb(): number;
  /** The highest RSS seen since start, sampled every 100 ms. */
  peakRssMb(): number;
  stop(): Promise<void>;
}

/** Starts `esi-leap --role=<role> --config-file <conf>` with the port as an env override and waits until it answers. */
export async function startService(
  entry: string,
  confFile: string,
  port: number,
  role = 'api',
): Promise<ServiceProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...NODE_FLAGS,
      ...(process.env.BENCH_NODE_FLAGS?.split(' ') ?? []),
      entry,
      `--role=${role}`,
      '--config-file',
      confFile,
    ],
    {
      env: { ...process.env, ESI_LEAP__API__PORT: String(port), ESI_LEAP__API__HOST_IP: '127.0.0.1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}: ${stderr}`);
    try {
      const res = await fetch(`${url}/v1/offers/00000000-0000-0000-0000-000000000000`);
      // 404 in noauth mode; 401 when the service checks Keystone tokens.
      if (res.status === 404 || res.status === 401) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`service did not come up in 60 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const rssMb = () => {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
  };
  let peak = rssMb();
  const sampler = setInterval(() => {
    if (child.exitCode === null) peak = Math.max(peak, rssMb());
  }, 100);
  sampler.unref();
  return {
    url,
    pid: child.pid!,
    rssMb,
    peakRssMb: () => peak,
    async stop() {
      clearInterval(sampler);
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
