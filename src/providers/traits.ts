// What the rest of the program may know about a driver without loading it: plain data, so the pure
// core (manifest, scheduler, plan) asks a driver's traits instead of testing its name.
export interface DriverTraits {
  /** Machines exist only in a state file: every output says "simulated"; builds are pretended. */
  simulated: boolean;
  /**
   * Engines that ran before cluster adopted them: their labels are their daemon.json's, read and
   * never written; destroy leaves the host (only what cluster put on it goes).
   */
  adopted: boolean;
  /** Writes its machines' daemon.json: a machine's `engine:` options are set at create and changed later. */
  engineOptions: boolean;
  /** Manifest keys only this driver takes. */
  options: readonly string[];
  /** Of those, the ones a machine of this driver must have, with what to write. */
  required: readonly { key: string; hint: string }[];
  /** The size of a machine whose manifest gives none; undefined: whatever its engine has. */
  defaultSize?: { cpus: number; memory: number };
  /** How `cluster ssh`/`scp` reach a machine: `docker exec`/`docker cp` on the host engine, ssh to the engine's host, or not at all. */
  shell: 'docker-exec' | 'ssh-url' | 'none';
  /**
   * Reads this driver's keys of a machine into its options, reporting each bad value at its place;
   * absent: the keys are copied as written (engine URLs checked). Pure: the manifest calls it.
   */
  readOptions?: (machine: Record<string, unknown>, ctx: OptionContext) => Record<string, unknown>;
  /** A path under .cluster/ whose presence says this driver may still hold machines of the cluster. */
  stateMarker?: (cluster: string) => string;
}

export interface OptionContext {
  /** The machine's key in the manifest. */
  group: string;
  /** The manifest's folder: relative paths are resolved against it. */
  dir: string;
  /** The manifest path of one of the machine's keys. */
  at: (...rest: string[]) => readonly (string | number)[];
  report: (path: readonly (string | number)[], message: string, hint?: string, part?: 'key' | 'value') => void;
}
