import { renderStatusText, statusReport } from '../../ui/status.js';
import { loadDesired, openSession } from '../pipeline.js';
import { maskDeep } from '../../model/secrets.js';

export async function statusCommand(opts: { file: string; json?: boolean }): Promise<number> {
  const desired = loadDesired(opts.file);
  const session = await openSession(desired);
  try {
    // Observed images and labels are as the engine has them: masked before shown.
    const report = maskDeep(statusReport(desired, session.observation.observed));
    process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : renderStatusText(report));
    return 0;
  } finally {
    await session.close();
  }
}
