import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { AddressInfo, createServer, Server } from 'node:net';
import { acceptQueueLength } from './accept-queue';

describe('acceptQueueLength', () => {
  let server: Server;
  let port: number;
  beforeEach(async () => {
    server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterEach(() => new Promise((resolve) => server.close(resolve)));

  it('counts the connections the kernel completed that the process has not accepted yet', async () => {
    expect(existsSync('/proc/net/tcp')).toBe(true);
    expect(acceptQueueLength(port)).toBe(0);
    // While execFileSync blocks this event loop, another process connects three times: the
    // connections wait in the listening socket's queue until the loop runs again.
    const connectThree = `const net = require('node:net'); let open = 0;
      for (let i = 0; i < 3; i++) net.connect(${port}, '127.0.0.1', () => { if (++open === 3) process.exit(0); });`;
    execFileSync(process.execPath, ['-e', connectThree]);
    expect(acceptQueueLength(port)).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(acceptQueueLength(port)).toBe(0);
  });

  it('is 0 for a port nothing listens on', () => {
    expect(acceptQueueLength(1)).toBe(0);
  });
});
