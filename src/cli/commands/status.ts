import writeFileAtomic from 'write-file-atomic';
import { UserError } from '../../model/diagnostic.js';
import { renderClusterHtml } from '../../ui/picture/html.js';
import type { PictureInput } from '../../ui/picture/model.js';
import { renderClusterSvg } from '../../ui/picture/svg.js';
import { renderStatusText, statusReport } from '../../ui/status.js';
import { computePlan, loadDesired, openSession } from '../pipeline.js';

export interface StatusOptions {
  file: string;
  json?: boolean;
  /** Write the picture of the cluster as a web page / an SVG file there. */
  html?: string;
  svg?: string;
}

export async function statusCommand(opts: StatusOptions): Promise<number> {
  const desired = loadDesired(opts.file);
  const session = await openSession(desired);
  try {
    const report = statusReport(desired, session.observation.observed);
    if (!opts.html && !opts.svg) {
      process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : renderStatusText(report));
      return 0;
    }
    // What `cluster plan` would place: the replicas no machine can take, and those it would create.
    const { placement } = computePlan(desired, session.observation);
    const input: PictureInput = {
      report,
      unschedulable: placement.unschedulable,
      pending: placement.replicas.filter((r) => r.fate === 'new').map((r) => ({ service: r.service, replica: r.replica, machine: r.machine })),
    };
    if (opts.html) writePicture(opts.html, renderClusterHtml(input));
    if (opts.svg) writePicture(opts.svg, renderClusterSvg(input) + '\n');
    if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    const unplaced = input.unschedulable.reduce((n, u) => n + u.replicas.length, 0);
    const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
    const what = `${plural(report.machines.length, 'machine')}, ${plural(report.containers.length, 'replica')}${unplaced ? `, ${unplaced} unschedulable` : ''}`;
    for (const file of [opts.html, opts.svg]) if (file) process.stderr.write(`Wrote the picture of cluster "${report.cluster}" (${what}) to ${file}\n`);
    return 0;
  } finally {
    await session.close();
  }
}

/** Atomic (a temporary file renamed): kill -9 half-way leaves the previous picture, never half of one; of two runs at once the last rename wins. */
function writePicture(file: string, text: string): void {
  try {
    writeFileAtomic.sync(file, text);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'its folder does not exist' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message;
    throw UserError.plain(`cannot write the picture to ${file}: ${why}`, 'name a file in a folder you can write to');
  }
}
