import { AddressInfo, createServer, Server, Socket } from 'node:net';

export interface ReceivedMail {
  readonly from: string;
  readonly to: string[];
  /** The raw message: headers, blank line, encoded body. */
  readonly data: string;
  /** The body, quoted-printable decoded when so encoded. */
  readonly text: string;
}

function bodyOf(data: string): string {
  const split = data.indexOf('\r\n\r\n');
  const headers = data.slice(0, split);
  const body = data.slice(split + 4);
  if (!/^Content-Transfer-Encoding: quoted-printable$/im.test(headers)) return body;
  return body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * A minimal SMTP server for tests: accepts every message on loopback (no TLS, no auth) and
 * keeps it. Enough of RFC 5321 for nodemailer: EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
 */
export class SmtpSink {
  readonly mails: ReceivedMail[] = [];
  private server: Server | null = null;

  async start(port = 0): Promise<number> {
    this.server = createServer((socket) => this.session(socket));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private session(socket: Socket): void {
    let buffer = '';
    let from = '';
    let to: string[] = [];
    let data: string[] | null = null;
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply('220 sink ESMTP');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let end: number;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (data) {
          if (line === '.') {
            this.mails.push({ from, to, data: data.join('\r\n'), text: bodyOf(data.join('\r\n')) });
            data = null;
            from = '';
            to = [];
            reply('250 queued');
          } else {
            data.push(line.startsWith('..') ? line.slice(1) : line);
          }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        const address = /<(.*)>/.exec(line)?.[1] ?? '';
        if (verb === 'MAIL') from = address;
        if (verb === 'RCPT') to.push(address);
        if (verb === 'DATA') data = [];
        reply(verb === 'DATA' ? '354 go ahead' : verb === 'QUIT' ? '221 bye' : '250 ok');
        if (verb === 'QUIT') socket.end();
      }
    });
    socket.on('error', () => socket.destroy());
  }
}
