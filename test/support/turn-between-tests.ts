// vitest's worker sends task updates to the main process without waiting for the answer, and reads
// the answer only when its event loop turns. Synchronous tests in a row (spawnSync of the CLI) never
// turn it: on a busy machine the call then times out after 60 s and fails the run with
// `Timeout calling "onTaskUpdate"` although every test passed. One turn after each test reads it.
import { afterEach } from 'vitest';
import { turn } from './turn.js';

afterEach(turn);
