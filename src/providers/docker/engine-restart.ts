// After dockerd reloads or restarts (the docker driver's machines, the ssh driver's hosts): the
// engine's own `reload` event as proof a SIGHUP was taken, and the containers that ran before a
// restart brought back.
import { setTimeout as sleep } from 'node:timers/promises';
import type Dockerode from 'dockerode';
import type { Engine } from '../../engine/types.js';
import type { Role } from '../../model/desired.js';

export const RELOAD_TIMEOUT_MS = 10_000;
const SWARM_BACK_TIMEOUT_MS = 60_000;

/**
 * True once the engine reported a `reload` daemon event since `since` (seconds), within
 * RELOAD_TIMEOUT_MS: dockerd emits it only once a reload succeeded (daemon/reload.go).
 */
export async function untilReloaded(docker: Dockerode, since: number): Promise<boolean> {
  for (const deadline = Date.now() + RELOAD_TIMEOUT_MS; Date.now() < deadline; await sleep(100)) {
    const events = docker.getEvents as unknown as (opts: object) => Promise<NodeJS.ReadableStream | Buffer>;
    const body = await events.call(docker, { since: since.toFixed(3), until: (Date.now() / 1000 + 0.5).toFixed(3), filters: { type: ['daemon'], event: ['reload'] } }).catch(() => undefined);
    const text = body === undefined ? '' : Buffer.isBuffer(body) ? body.toString('utf8') : await streamText(body as NodeJS.ReadableStream);
    if (text.includes('"reload"')) return true;
  }
  return false;
}

async function streamText(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text;
}

/**
 * After an engine restart: the containers that ran before and are not running again (no restart
 * policy brought them back) are started; swarm tasks are the swarm's to restart. A swarm member is
 * waited for until its engine is active in the swarm again with the role it had.
 */
export async function bringBack(engine: Engine, containers: string[], role: Role | undefined): Promise<void> {
  const now = await engine.facts();
  const stopped = now.containers.filter((x) => containers.includes(x.id) && x.state !== 'running');
  for (const x of stopped) await engine.startContainer(x.id);
  if (!role) return;
  for (const deadline = Date.now() + SWARM_BACK_TIMEOUT_MS; Date.now() < deadline; await sleep(250)) {
    const swarm = (await engine.facts()).swarm;
    if (swarm.state === 'active' && swarm.role === role) return;
  }
  throw new Error(`the engine restarted but is not back in its swarm as ${role} within ${SWARM_BACK_TIMEOUT_MS / 1000} s`);
}
