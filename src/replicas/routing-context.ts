import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * One frame of replica routing in the current async context, for one database (`owner`):
 * `primary` (`db.primary(fn)`, repository writes: everything on the primary), `token`
 * (`db.withConsistencyToken(token, fn)`: reads must see `lsn`, raised by every commit
 * made inside) or `read` (a repository read operation: its statements, raw SQL
 * included, are reads). Frames of other databases may sit in between.
 */
interface RoutingFrame {
  readonly owner: object;
  readonly enclosing: RoutingFrame | undefined;
  readonly kind: 'primary' | 'token' | 'read';
  /** The WAL position reads in this frame must see; undefined: none yet. */
  lsn: bigint | undefined;
}

const routingStorage = new AsyncLocalStorage<RoutingFrame>();
/** Databases with replicas: for the others routing frames would cost without effect. */
const routedOwners = new WeakSet<object>();

export function registerRoutedOwner(owner: object): void {
  routedOwners.add(owner);
}

function* frames(owner: object): Generator<RoutingFrame> {
  for (let frame = routingStorage.getStore(); frame; frame = frame.enclosing) if (frame.owner === owner) yield frame;
}

/** Runs `fn` with every statement of `owner` on the primary. */
export function runOnPrimary<T>(owner: object, fn: () => T): T {
  if (!routedOwners.has(owner)) return fn();
  return routingStorage.run({ owner, enclosing: routingStorage.getStore(), kind: 'primary', lsn: undefined }, fn);
}

/** Runs a repository read operation of `owner`: each of its statements may use a replica. */
export function runAsRead<T>(owner: object, fn: () => T): T {
  if (!routedOwners.has(owner)) return fn();
  return routingStorage.run({ owner, enclosing: routingStorage.getStore(), kind: 'read', lsn: undefined }, fn);
}

/** Whether a repository read operation of `owner` is running here. */
export function inReadOperation(owner: object): boolean {
  for (const frame of frames(owner)) if (frame.kind === 'read') return true;
  return false;
}

/** Runs `fn` in a consistency context of `owner` that starts at `lsn`. */
export function runWithLsn<T>(owner: object, lsn: bigint | undefined, fn: () => T): T {
  return routingStorage.run({ owner, enclosing: routingStorage.getStore(), kind: 'token', lsn }, fn);
}

/**
 * Whether a statement made here may be shared with other calls' (same-tick coalescing):
 * not when where it runs, or what its commit records, depends on this call's own context
 * (a consistency token, or a read forced to the primary). Writes always run on the primary.
 */
export function routingShareable(owner: object, access: 'read' | 'write'): boolean {
  if (!routedOwners.has(owner)) return true;
  for (const frame of frames(owner)) {
    if (frame.kind === 'token') return false;
    if (frame.kind === 'primary' && access === 'read') return false;
  }
  return true;
}

export function primaryForced(owner: object): boolean {
  for (const frame of frames(owner)) if (frame.kind === 'primary') return true;
  return false;
}

/** Whether a commit of `owner` now would be recorded (there is a consistency context). */
export function tracksCommits(owner: object): boolean {
  for (const frame of frames(owner)) if (frame.kind === 'token') return true;
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
    if (frame.kind === 'token' && (frame.lsn === undefined || lsn > frame.lsn)) frame.lsn = lsn;
  }
}

/**
 * What the repository read running here must see, for the cache middleware (which is not
 * told its database): the database of the innermost read or primary frame, whether its
 * statements are forced to the primary, and its required WAL position. Undefined without
 * replica routing.
 */
export function readRequirement(): { readonly primary: boolean; readonly lsn: bigint | undefined } | undefined {
  for (let frame = routingStorage.getStore(); frame; frame = frame.enclosing) {
    if (frame.kind === 'token') continue;
    return { primary: primaryForced(frame.owner), lsn: requiredLsn(frame.owner) };
  }
  return undefined;
}
