// One JSON contract for every `--json` output (docs/PLAN_FORMAT.md): a document whose first key is
// `format_version`. Within a major version fields are only added, never renamed or removed.
export const JSON_FORMAT = '1.0' as const;

/** A `--json` document: format_version first, then the body, pretty-printed, one trailing newline. */
export function jsonDocument(body: Record<string, unknown>): string {
  return JSON.stringify({ format_version: JSON_FORMAT, ...body }, null, 2) + '\n';
}
