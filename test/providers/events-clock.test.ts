// Watch mode's drift events are asked `since` the moment of subscribing, on the ENGINE's clock. Every engine
// this machine can run shares its kernel's clock, so a remote engine whose clock is an hour behind is played
// here by a small HTTP server on a unix socket that answers /info and /events as dockerd does (the Engine
// API's SystemTime and its `since` query). With our clock as `since`, that engine would hold back every
// event for an hour.
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { afterEach, expect, test, vi } from 'vitest';
import { subscribeEvents } from '../../src/providers/docker/engine.js';

const HOUR = 3600;
let server: Server | undefined;
afterEach(() => server?.close());

/** An engine whose clock is `skew` seconds off ours; `systemTime: false` leaves SystemTime out of /info. */
async function engine(skew: number, systemTime = true) {
  const asked: { since?: number } = {};
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://engine');
    if (url.pathname.endsWith('/info')) {
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify(systemTime ? { SystemTime: new Date(Date.now() + skew * 1000).toISOString() } : {}));
    }
    if (url.pathname.endsWith('/events')) {
      asked.since = Number(url.searchParams.get('since'));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`${JSON.stringify({ Type: 'container', Action: 'die', Actor: { Attributes: { name: 'web-1' } } })}\n`);
      return; // a stream: left open, as dockerd's
    }
    res.statusCode = 404;
    res.end('{}');
  });
  const socketPath = join(mkdtempSync(join(tmpdir(), 'events-clock-')), 'engine.sock');
  server.listen(socketPath);
  await once(server, 'listening');
  return { docker: new Dockerode({ socketPath }), asked };
}

test('an engine whose clock is an hour behind ours is asked for events since its own now, not ours', async () => {
  const { docker, asked } = await engine(-HOUR);
  const seen: string[] = [];
  const stop = subscribeEvents(docker, ['io.cluster.name=t'], (what) => seen.push(what));
  await vi.waitFor(() => expect(seen).toEqual(['web-1 die']), { timeout: 10_000 });
  stop();
  const engineNow = Date.now() / 1000 - HOUR;
  expect(asked.since).toBeGreaterThan(engineNow - 60);
  expect(asked.since).toBeLessThanOrEqual(engineNow + 1);
});

test('an engine that does not give its time: ours', async () => {
  const { docker, asked } = await engine(-HOUR, false);
  const before = Date.now() / 1000;
  const stop = subscribeEvents(docker, ['io.cluster.name=t'], () => undefined);
  await vi.waitFor(() => expect(asked.since).toBeDefined(), { timeout: 10_000 });
  stop();
  expect(asked.since).toBeGreaterThanOrEqual(Math.floor(before));
  expect(asked.since).toBeLessThanOrEqual(Date.now() / 1000 + 1);
});
