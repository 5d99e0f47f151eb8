import { ChildProcess } from 'node:child_process';
import { AddressInfo, createServer } from 'node:net';

/** A loopback port nothing listens on right now, for a server started by a test. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Polls `url` until a child process answers it (any HTTP status), failing early with the
 * child's output if it exits, and after `timeoutMs` if it never answers.
 */
export async function waitForHttp(
  url: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs = 30_000,
): Promise<Response> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`process exited early:\n${output()}`);
    try {
      return await fetch(url);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`no answer from ${url}:\n${output()}`);
}
