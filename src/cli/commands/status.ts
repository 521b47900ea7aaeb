import { renderStatusText, statusReport } from '../../ui/status.js';
import { loadDesired, openSession } from '../pipeline.js';

export async function statusCommand(opts: { file: string; json?: boolean }): Promise<number> {
  const desired = loadDesired(opts.file);
  const session = await openSession(desired);
  try {
    const report = statusReport(desired, session.observation.observed);
    process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : renderStatusText(report));
    return 0;
  } finally {
    await session.close();
  }
}
