// The content of an `environment:` secret or config, read from the variables the manifest was
// loaded with. It stays in this process: held beside its FileMount (by identity), never in the
// desired state itself, so no plan, saved plan, label or log can carry it.
import type { FileMount } from '../model/desired.js';
import { rememberSecret } from '../model/secrets.js';

const values = new WeakMap<FileMount, string>();

export function rememberContent(mount: FileMount, value: string): void {
  values.set(mount, value);
  if (mount.kind === 'secret') rememberSecret(value);
}

export function contentOf(mount: FileMount): string | undefined {
  return values.get(mount);
}
