// The last line of defence: whatever this process writes to its terminal or pipes (plan text, JSON,
// apply events, status, explain, error messages, ink frames) passes through maskText, so a secret
// that some renderer or some engine error message carries is still printed as (sensitive).
// Structured masking (src/plan/sensitive.ts) does the real work and covers every value; this filter
// skips values that could occur by accident inside other text and break JSON: shorter than 4
// characters, or a bare number / true / false / null.
import { maskText } from '../model/secrets.js';

const MIN_LENGTH = 4;
const JSON_LITERAL = /^(?:[-+.\deE]+|true|false|null)$/;

const redacted = new WeakSet<NodeJS.WriteStream>();

export function redactOutput(stream: NodeJS.WriteStream): void {
  if (redacted.has(stream)) return;
  redacted.add(stream);
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (typeof chunk === 'string') return write(redact(chunk), ...rest);
    if (chunk instanceof Uint8Array) {
      const text = Buffer.from(chunk).toString('utf8');
      const masked = redact(text);
      return masked === text ? write(chunk, ...rest) : write(masked, ...(typeof rest[0] === 'string' ? rest.slice(1) : rest));
    }
    return write(chunk, ...rest);
  }) as typeof stream.write;
}

function redact(text: string): string {
  return maskText(text, MIN_LENGTH, (v) => !JSON_LITERAL.test(v));
}
