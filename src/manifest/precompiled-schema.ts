// The manifest's schema compiled ahead of time: ajv's standalone code (scripts/build-validator.mjs), which
// the build puts in the bundle in place of this module (scripts/bundle.mjs). It is then compiled with the
// rest of the CLI and kept in its V8 code cache: required from a file of its own at run time, compiling it
// and the validation's first call cost 20-60 ms of every command that reads a manifest. Run from the
// sources there is none, and validate.ts compiles the schema itself (same options: the same errors).
import type { ValidateFunction } from 'ajv';

export function precompiledValidator(): ValidateFunction | undefined {
  return undefined;
}
