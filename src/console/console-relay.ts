import { Socket } from 'node:net';
import { WebSocket } from 'ws';

/** setTimeout's ceiling (about 24.8 days); a longer delay would fire at once. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;
/** Above this many bytes queued towards the browser, reading from the console pauses. */
const HIGH_WATER_BYTES = 256 * 1024;

const CLOSE_NORMAL = 1000;
export const CLOSE_GOING_AWAY = 1001;

/** One open console session: websocket on one side, the node's console TCP stream on the other. */
export interface ConsoleSession {
  /** Resolves once both sides are closed. */
  readonly closed: Promise<void>;
  end(code: number, reason: string): void;
}

/**
 * Pipes raw bytes both ways (binary frames towards the client; either frame type accepted
 * from it) until either side closes, with back-pressure each way so a slow reader never makes
 * the proxy buffer without bound. `limitMs` > 0 caps the session (`[serialconsoleproxy] timeout`).
 */
export function relayConsole(ws: WebSocket, tcp: Socket, limitMs: number): ConsoleSession {
  let timer: NodeJS.Timeout | undefined;
  const end = (code: number, reason: string) => {
    clearTimeout(timer);
    tcp.destroy();
    if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(code, reason);
  };
  const closed = Promise.all([
    new Promise<void>((resolve) => ws.once('close', () => resolve())),
    new Promise<void>((resolve) => (tcp.destroyed ? resolve() : tcp.once('close', () => resolve()))),
  ]).then(() => clearTimeout(timer));

  tcp.on('data', (chunk: Buffer) => {
    ws.send(chunk, { binary: true }, () => {
      if (tcp.isPaused() && ws.bufferedAmount < HIGH_WATER_BYTES) tcp.resume();
    });
    if (ws.bufferedAmount >= HIGH_WATER_BYTES) tcp.pause();
  });
  ws.on('message', (data: Buffer) => {
    if (!tcp.write(data)) {
      ws.pause();
      tcp.once('drain', () => ws.resume());
    }
  });
  // An 'error' is always followed by 'close'; listening keeps it from being thrown.
  tcp.on('error', () => undefined);
  ws.on('error', () => undefined);
  tcp.on('close', () => end(CLOSE_NORMAL, 'Console closed'));
  ws.on('close', () => end(CLOSE_NORMAL, 'Client closed'));
  if (limitMs > 0) {
    timer = setTimeout(
      () => end(CLOSE_NORMAL, 'Console session time limit reached'),
      Math.min(limitMs, LONGEST_TIMER_MS),
    );
  }
  return { closed, end };
}
