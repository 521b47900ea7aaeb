// Engine errors are typed once, from what dockerode really throws: fixtures/dockerode-errors.json
// holds the shapes captured from dockerode 4 / docker-modem 5 against dockerd 20.10 (the test engine).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { EngineError, errorMessage, isEngineError, isTransient, progressError, toEngineError, tolerate } from '../../src/engine/errors.js';
import { SimEngineError } from '../../src/providers/sim/errors.js';

type Shape = { message: string; json?: unknown } & Record<string, unknown>;
const shapes = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/dockerode-errors.json'), 'utf8')) as Record<string, Shape>;

/** The captured shape as dockerode throws it: an Error with its properties (an empty body is a Buffer). */
function thrown(name: string): Error {
  const { message, json, ...rest } = shapes[name]!;
  const body = json && typeof json === 'object' && 'buffer' in json ? Buffer.from(String((json as { buffer: string }).buffer)) : json;
  return Object.assign(new Error(message), rest, json === undefined ? {} : { json: body });
}

describe('toEngineError on real dockerode errors', () => {
  test.each([
    ['startRunning', 'notModified', 304, false, 'container already started'],
    ['nameConflict', 'conflict', 409, false, /^Conflict\. The container name "\/wterr-shape" is already in use by container "[0-9a-f]{64}"\. You have to remove/],
    ['noSuchContainer', 'notFound', 404, false, 'No such container: wterr-missing'],
    ['noSuchImage', 'notFound', 404, false, 'No such image: wterr-missing:1'],
    ['badContainerName', 'refused', 400, false, /^Invalid container name \(bad name!\)/],
    ['removePredefinedNetwork', 'refused', 403, false, 'bridge is a pre-defined network and cannot be removed'],
    ['notSwarmManager', 'unavailable', 503, true, /^This node is not a swarm manager\./],
    ['pullUnreachableRegistry', 'refused', 500, false, /^Get "https:\/\/registry-1\.docker\.io\/v2\/": dial tcp: lookup registry-1\.docker\.io/],
    ['socketMissing', 'unavailable', undefined, true, 'connect ENOENT /run/cluster-test/wterr-nothing.sock'],
    ['tcpRefused', 'unavailable', undefined, true, 'connect ECONNREFUSED 127.0.0.1:1'],
    ['requestTimeout', 'unavailable', undefined, true, 'socket hang up'],
  ] as const)('%s → %s', (name, kind, status, transient, message) => {
    const e = toEngineError(thrown(name));
    expect(e).toBeInstanceOf(EngineError);
    expect(e.kind).toBe(kind);
    expect(e.status).toBe(status);
    expect(e.transient).toBe(transient);
    expect(isTransient(thrown(name))).toBe(transient);
    // The engine's own sentence, not dockerode's "(HTTP code 409) unexpected - " wrapper.
    if (typeof message === 'string') expect(e.message).toBe(message);
    else expect(e.message).toMatch(message);
    expect(e.cause).toBeInstanceOf(Error);
  });

  test('an EngineError passes through unchanged; timeouts and unknown failures get a kind too', () => {
    const e = new EngineError('conflict', 'taken', { status: 409 });
    expect(toEngineError(e)).toBe(e);
    expect(toEngineError(Object.assign(new Error('connect ETIMEDOUT 10.0.0.5:2376'), { code: 'ETIMEDOUT' }))).toMatchObject({ kind: 'timeout', transient: true });
    expect(toEngineError(Object.assign(new Error('(HTTP code 504) unexpected - gateway'), { statusCode: 504 }))).toMatchObject({ kind: 'timeout', transient: true });
    // A missing TLS file is not a missing socket: no retry cures it.
    expect(toEngineError(Object.assign(new Error("ENOENT: no such file or directory, open 'ca.pem'"), { code: 'ENOENT', syscall: 'open' }))).toMatchObject({ kind: 'refused', transient: false });
    expect(toEngineError('a string')).toMatchObject({ kind: 'refused', message: 'a string' });
  });

  test('a failed build or pull ends its stream without an error: the reason is in the last event', () => {
    const { err, lastEvent } = shapes.buildFailsInStream as unknown as { err: null; lastEvent: { error: string } };
    expect(err).toBeNull();
    expect(progressError([{ status: 'Step 1/2' } as object, lastEvent])).toBe("The command '/bin/sh -c false' returned a non-zero code: 1");
    expect(progressError([{ status: 'done' } as object])).toBeUndefined();
  });

  test('tolerate: the named kinds mean success, anything else is rethrown typed', () => {
    expect(tolerate('notModified')(thrown('startRunning'))).toBeUndefined();
    expect(() => tolerate('notFound')(thrown('nameConflict'))).toThrow(expect.objectContaining({ kind: 'conflict' }));
    expect(isEngineError(toEngineError(thrown('noSuchImage')), 'notFound', 'conflict')).toBe(true);
    expect(isEngineError(thrown('noSuchImage'), 'notFound')).toBe(false); // untyped: convert at the boundary first
    expect(errorMessage(thrown('startRunning'))).toBe('container already started');
  });

  test('the sim makes the same kinds from the same statuses', () => {
    expect(new SimEngineError('Conflict. The container name "/x" is already in use', 409)).toMatchObject({ kind: 'conflict', status: 409, transient: false });
    expect(new SimEngineError('No such image: nginx', 404)).toMatchObject({ kind: 'notFound', transient: false });
    expect(new SimEngineError('port is already allocated', 500)).toMatchObject({ kind: 'refused', transient: false });
    expect(new SimEngineError('This node is already part of a swarm')).toMatchObject({ kind: 'refused', transient: false });
  });
});
