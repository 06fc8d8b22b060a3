/**
 * The Host check end to end: a real server, and raw HTTP over a socket so each test chooses the
 * exact Host header bytes (fetch would always send the URL's own host).
 */
import { connect } from 'node:net';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { openStore, type RunStore } from '../store/index.js';
import { type RunningDashboard, startDashboard } from './serve-dashboard.js';

let db: RunStore;

beforeAll(async () => {
  db = await openStore({ db: ':memory:' });
});

afterAll(async () => {
  await db.close();
});

/** Sends `head` (request line and header lines, without the blank line) and returns the status and body. */
function rawRequest(port: number, head: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let response = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      response += chunk;
    });
    socket.on('error', reject);
    socket.on('end', () => {
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(response)?.[1]);
      resolve({ status, body: response.slice(response.indexOf('\r\n\r\n') + 4) });
    });
    socket.end(`${[...head, 'Connection: close'].join('\r\n')}\r\n\r\n`);
  });
}

const get = (port: number, host: string) => rawRequest(port, ['GET / HTTP/1.1', `Host: ${host}`]);

describe('startDashboard bound to 127.0.0.1', () => {
  let server: RunningDashboard;

  beforeAll(async () => {
    server = await startDashboard({ db, port: 0, host: '127.0.0.1', allowedHosts: ['dash.test'] });
  });

  afterAll(async () => {
    await server.close();
  });

  it('answers every loopback spelling and each allowed host on its port', async () => {
    const { port } = server;
    for (const host of [
      '127.0.0.1',
      '127.8.9.10',
      'localhost',
      'LocalHost.',
      '[::1]',
      '[0:0:0:0:0:0:0:1]',
      '[::0001]',
      '[::ffff:127.0.0.1]',
      '[::ffff:7f00:1]',
      'dash.test',
      'DASH.TEST',
    ]) {
      expect((await get(port, `${host}:${port}`)).status, host).toBe(200);
    }
  });

  it('refuses any other Host with a short 403', async () => {
    const { port } = server;
    for (const host of [
      'evil.example',
      `evil.example:${port}`,
      `127.0.0.1.evil.example:${port}`,
      `localhost.evil.example:${port}`,
      `dash.test.evil.example:${port}`,
      `[::2]:${port}`,
      `0x7f.0.0.1:${port}`,
      `127.1:${port}`,
      `127.0.0.1:${port + 1}`,
      '127.0.0.1',
      `127.0.0.1:${port}:${port}`,
    ]) {
      const res = await get(port, host);
      expect(res.status, host).toBe(403);
      expect(res.body, host).toContain('403 Forbidden: this dashboard does not answer to that Host header');
      expect(res.body, host).not.toContain(host); // the attacker's text is not echoed back
    }
  });

  it('refuses malformed Host headers, several Host headers and a missing one with 403', async () => {
    const { port } = server;
    for (const host of [
      `user@127.0.0.1:${port}`,
      `127.0.0.1:${port}/x`,
      `127.0.0.1:${port}, evil.example`,
      `127.0.0.1:${port}\\x`,
      'local host',
      '',
    ]) {
      expect((await get(port, host)).status, host).toBe(403);
    }
    for (const second of [`evil.example:${port}`, `127.0.0.1:${port}`]) {
      const twoHosts = await rawRequest(port, ['GET / HTTP/1.1', `Host: 127.0.0.1:${port}`, `Host: ${second}`]);
      expect(twoHosts.status, second).toBe(403);
    }
    expect((await rawRequest(port, ['GET / HTTP/1.0'])).status).toBe(403);
    expect((await rawRequest(port, ['GET / HTTP/1.1'])).status).toBe(400); // Node itself requires Host on HTTP/1.1
  });

  it('refuses an absolute request URL, which would name a host the check never sees', async () => {
    const { port } = server;
    for (const host of [`evil.example:${port}`, `127.0.0.1:${port}`]) {
      const res = await rawRequest(port, [`GET http://evil.example:${port}/ HTTP/1.1`, `Host: ${host}`]);
      expect(res.status, host).toBe(400);
      expect(res.body).toContain('not an absolute URL');
    }
    expect((await rawRequest(port, ['OPTIONS * HTTP/1.1', `Host: 127.0.0.1:${port}`])).status).toBe(400);
  });

  it('refuses an invalid allowed host before listening', async () => {
    await expect(startDashboard({ db, port: 0, host: '127.0.0.1', allowedHosts: ['dash.test:80'] })).rejects.toThrow(
      UsageError,
    );
  });
});

describe('startDashboard bound to 0.0.0.0', () => {
  it("still checks Host: the machine's name and loopback pass, others get 403", async () => {
    const server = await startDashboard({ db, port: 0, host: '0.0.0.0' });
    try {
      const { port } = server;
      expect((await get(port, `127.0.0.1:${port}`)).status).toBe(200);
      expect((await get(port, `0.0.0.0:${port}`)).status).toBe(200);
      expect((await get(port, `${hostname().toUpperCase()}:${port}`)).status).toBe(200);
      expect((await get(port, `evil.example:${port}`)).status).toBe(403);
      expect((await get(port, `${hostname()}.evil.example:${port}`)).status).toBe(403);
    } finally {
      await server.close();
    }
  });
});
