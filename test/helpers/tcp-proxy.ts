/**
 * A TCP proxy on 127.0.0.1 in front of a real server, to lose one answer on purpose: armed with
 * `loseAnswerTo('COMMIT')`, the next client message containing that text reaches the server, and
 * the connection is then cut before the server's answer comes back (the statement ran; the
 * client cannot know). Everything else passes through untouched.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  loseAnswerTo(text: string): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let armed: { text: string; done: () => void } | undefined;
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    let cut = false;
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      if (armed && chunk.includes(armed.text)) {
        const { done } = armed;
        armed = undefined;
        cut = true;
        // The server gets the whole message, then the end of the connection; the client gets nothing more.
        upstream.end();
        client.destroy();
        done();
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!cut) client.write(chunk);
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', () => (cut ? sockets.delete(client) : close()));
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('proxy has no port');
  return {
    port: address.port,
    loseAnswerTo(text) {
      return new Promise((resolve) => (armed = { text, done: resolve }));
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
