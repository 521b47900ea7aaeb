// The output filter: whatever the CLI writes passes through it, so a secret some message carries
// (an engine error naming an image, a status row) is still printed masked; JSON stays valid.
import { expect, test } from 'vitest';
import { rememberSecret } from '../../src/model/secrets.js';
import { redactOutput } from '../../src/ui/redact.js';

test('strings and buffers written to a redacted stream are masked; short and number-like values are left to structured masking', () => {
  const written: unknown[] = [];
  const stream = { write: (chunk: unknown) => (written.push(chunk), true) } as unknown as NodeJS.WriteStream;
  redactOutput(stream);
  redactOutput(stream); // once only, however often main runs
  rememberSecret('pa"ss-9981');
  rememberSecret('123456');
  rememberSecret('ab');
  stream.write('error: pull access denied for app:pa"ss-9981\n');
  stream.write(Buffer.from(JSON.stringify({ tag: 'app:pa"ss-9981', memory: 1234567, note: 'ab' })));
  expect(written[0]).toBe('error: pull access denied for app:(sensitive)\n');
  expect(JSON.parse(String(written[1]))).toEqual({ tag: 'app:(sensitive)', memory: 1234567, note: 'ab' });
});
