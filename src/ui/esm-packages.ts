// ink and ink-spinner are ES modules (ink's graph has top-level await), and the built CLI is one
// CommonJS script (scripts/bundle.mjs: Node 20 gives a V8 code cache to scripts only), whose require()
// cannot load them. They are imported here, before the module that uses them (./progress-ink.tsx); in
// the bundle its imports of them read this registry. From the sources (tests, tsx) that module imports
// them itself, and the registry is not read.
const REGISTRY = Symbol.for('cluster-cli.esm-packages');
/**
 * The launcher's import() (bin/cluster.js): a script compiled from V8's code cache has lost the
 * host-defined options its own import() needs ("A dynamic import callback was not specified").
 */
const LAUNCHER_IMPORT = Symbol.for('cluster-cli.import');

export async function importEsmPackages(): Promise<void> {
  const launcher = (globalThis as Record<symbol, unknown>)[LAUNCHER_IMPORT] as ((specifier: string) => Promise<never>) | undefined;
  const [ink, spinner] = launcher ? await Promise.all([launcher('ink'), launcher('ink-spinner')]) : await Promise.all([import('ink'), import('ink-spinner')]);
  (globalThis as Record<symbol, unknown>)[REGISTRY] = { ink, 'ink-spinner': spinner };
}
