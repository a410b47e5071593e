import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * One frame of replica routing in the current async context, for one database (`owner`):
 * `db.primary(fn)` (every read goes to the primary) or `db.withConsistencyToken(token, fn)`
 * (reads must see `lsn`, raised by every commit made inside). Frames of other databases
 * may sit in between, as with transaction scopes.
 */
interface RoutingFrame {
  readonly owner: object;
  readonly enclosing: RoutingFrame | undefined;
  readonly primary: boolean;
  /** The WAL position reads in this frame must see; undefined: none yet. */
  lsn: bigint | undefined;
}

const routingStorage = new AsyncLocalStorage<RoutingFrame>();

function* frames(owner: object): Generator<RoutingFrame> {
  for (let frame = routingStorage.getStore(); frame; frame = frame.enclosing) if (frame.owner === owner) yield frame;
}

/** Runs `fn` with every statement of `owner` on the primary. */
export function runOnPrimary<T>(owner: object, fn: () => T): T {
  return routingStorage.run({ owner, enclosing: routingStorage.getStore(), primary: true, lsn: undefined }, fn);
}

/** Runs `fn` in a consistency context of `owner` that starts at `lsn`. */
export function runWithLsn<T>(owner: object, lsn: bigint | undefined, fn: () => T): T {
  return routingStorage.run({ owner, enclosing: routingStorage.getStore(), primary: false, lsn }, fn);
}

export function primaryForced(owner: object): boolean {
  for (const frame of frames(owner)) if (frame.primary) return true;
  return false;
}

/** Whether a commit of `owner` now would be recorded (there is a consistency context). */
export function tracksCommits(owner: object): boolean {
  for (const frame of frames(owner)) if (!frame.primary) return true;
  return false;
}

/** The WAL position reads of `owner` must see here: the highest of the enclosing contexts. */
export function requiredLsn(owner: object): bigint | undefined {
  let required: bigint | undefined;
  for (const frame of frames(owner)) {
    if (frame.lsn !== undefined && (required === undefined || frame.lsn > required)) required = frame.lsn;
  }
  return required;
}

/** Raises every enclosing consistency context of `owner` to `lsn` (a commit just made). */
export function recordCommit(owner: object, lsn: bigint): void {
  for (const frame of frames(owner)) {
    if (!frame.primary && (frame.lsn === undefined || lsn > frame.lsn)) frame.lsn = lsn;
  }
}
