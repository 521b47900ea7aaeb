// In CI, property tests replay one fixed seed (the cases checked before landing); elsewhere each run
// explores new ones. FC_SEED overrides both, to replay a counterexample.
import fc from 'fast-check';

const seed = process.env.FC_SEED ?? (process.env.CI ? '20261124' : undefined);
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });
