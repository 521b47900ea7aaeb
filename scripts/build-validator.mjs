// Compiles schema/cluster.schema.json into ajv's standalone code, which scripts/bundle.mjs puts in the
// bundle (src/manifest/precompiled-schema.ts), so the CLI does not compile the schema on every run
// (~150 ms of its start). The options must match src/manifest/validate.ts: the errors come out the same either way.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';

/** The validator's source: a CommonJS module (`module.exports = validate`) that requires nothing. */
export function validatorSource(root) {
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, code: { source: true } });
  const validate = ajv.compile(JSON.parse(readFileSync(join(root, 'schema', 'cluster.schema.json'), 'utf8')));
  return (standalone.default ?? standalone)(ajv, validate);
}
