import type { Action } from './types.js';

type NewAction = Action extends infer A ? (A extends Action ? Omit<A, 'id' | 'after'> & { after?: (string | undefined)[] } : never) : never;

/** Collects actions with deterministic ids; `after` may name undefined (no such prerequisite). */
export class ActionList {
  readonly actions: Action[] = [];
  private readonly ids = new Set<string>();

  add(key: string, action: NewAction): string {
    const id = `${action.kind}:${key}`;
    if (this.ids.has(id)) return id;
    this.ids.add(id);
    const after = [...new Set((action.after ?? []).filter((x): x is string => x !== undefined))];
    this.actions.push({ ...action, id, after } as Action);
    return id;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }
}
