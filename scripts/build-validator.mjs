// Compiles schema/cluster.schema.json into dist/bundle/cluster-schema.validator.cjs (ajv's
// standalone code), so the CLI does not compile the schema on every run (~150 ms of its start).
// The options must match src/manifest/validate.ts: the errors come out the same either way.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';

const root = join(import.meta.dirname, '..');
const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, code: { source: true } });
const validate = ajv.compile(JSON.parse(readFileSync(join(root, 'schema', 'cluster.schema.json'), 'utf8')));
writeFileSync(join(root, 'dist', 'bundle', 'cluster-schema.validator.cjs'), (standalone.default ?? standalone)(ajv, validate));
