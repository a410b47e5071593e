import type { CompiledQuery, ConnectionProvider, DatabaseConnection, QueryResult } from 'kysely';

import type { PgConnection } from '../driver/pg-connection.js';
import type { PgDriver } from '../driver/pg-driver.js';
import { ConnectionError, PoolTimeoutError } from '../errors/connection-errors.js';
import { transactionStorage } from '../transaction/transaction-storage.js';
import type { ReplicaNode } from './replica-node.js';
import type { ReplicaSet } from './replica-set.js';
import { inReadOperation, primaryForced } from './routing-context.js';
import { readOperationRunsOnReplica, runsOnReplica } from './statement-routing.js';

interface RoutingOptions {
  replicas: ReplicaSet;
  primary: PgDriver;
  owner: object;
}

/**
 * How `db.kysely` finds its connection when replicas are configured: inside any
 * transaction as before (`inner`); outside, a connection that picks its server at the
 * first statement (see `RoutingConnection`).
 */
export class RoutingConnectionProvider implements ConnectionProvider {
  readonly #inner: ConnectionProvider;
  readonly #options: RoutingOptions;

  constructor(inner: ConnectionProvider, options: RoutingOptions) {
    this.#inner = inner;
    this.#options = options;
  }

  async provideConnection<T>(consumer: (connection: DatabaseConnection) => Promise<T>): Promise<T> {
    if (transactionStorage.getStore() !== undefined) return this.#inner.provideConnection(consumer);
    const connection = new RoutingConnection(this.#options);
    try {
      return await consumer(connection);
    } finally {
      await connection.release();
    }
  }
}

/**
 * A connection that decides at its first statement: a plain SELECT goes to a replica
 * (`ReplicaSet.pick`), anything else to the primary. A later statement a replica cannot
 * run moves the rest to the primary. A replica that fails before answering is taken out
 * and the read goes to the next replica or the primary (a read is safe to repeat). After
 * a write on the primary, the commit's WAL position is recorded before release.
 */
class RoutingConnection implements DatabaseConnection {
  readonly #options: RoutingOptions;
  #connection: PgConnection | undefined;
  /** The replica `#connection` belongs to; undefined while it is the primary's. */
  #node: ReplicaNode | undefined;
  #wrote = false;
  #answered = false;

  constructor(options: RoutingOptions) {
    this.#options = options;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    for (;;) {
      const connection = await this.#connectionFor(query);
      const node = this.#node;
      try {
        const result = await connection.executeQuery<R>(query);
        this.#answered = true;
        if (node) node.reads += 1;
        return result;
      } catch (error) {
        if (node === undefined || this.#answered || !(error instanceof ConnectionError)) throw error;
        node.markDown(error);
        await this.#releaseHeld();
        if (this.#options.replicas.fallback === 'error' && !this.#anyUp()) throw error;
      }
    }
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    const connection = await this.#connectionFor(query);
    const node = this.#node;
    this.#answered = true;
    if (node) node.reads += 1;
    yield* connection.streamQuery<R>(query, chunkSize);
  }

  async release(): Promise<void> {
    const connection = this.#connection;
    if (connection === undefined) return;
    if (this.#wrote && this.#node === undefined && !connection.broken && this.#options.replicas.tracksCommits()) {
      await this.#options.replicas.recordCommit(connection);
    }
    await this.#releaseHeld();
  }

  async #connectionFor(query: CompiledQuery): Promise<PgConnection> {
    const replicaSafe = inReadOperation(this.#options.owner) ? readOperationRunsOnReplica(query) : runsOnReplica(query);
    if (!replicaSafe) this.#wrote = true;
    if (this.#connection !== undefined) {
      if (this.#node === undefined || replicaSafe) return this.#connection;
      await this.#releaseHeld(); // a replica cannot run it: the rest goes to the primary
      return this.#acquirePrimary();
    }
    if (!replicaSafe || primaryForced(this.#options.owner)) return this.#acquirePrimary();
    for (;;) {
      const node = await this.#options.replicas.pick();
      if (node === undefined) return this.#acquirePrimary();
      try {
        this.#connection = await node.driver.acquireConnection();
        this.#node = node;
        return this.#connection;
      } catch (error) {
        if (!(error instanceof ConnectionError || error instanceof PoolTimeoutError)) throw error;
        node.markDown(error);
      }
    }
  }

  async #acquirePrimary(): Promise<PgConnection> {
    this.#connection = await this.#options.primary.acquireConnection();
    this.#node = undefined;
    return this.#connection;
  }

  #anyUp(): boolean {
    return this.#options.replicas.nodes.some((node) => node.state === 'up');
  }

  async #releaseHeld(): Promise<void> {
    const connection = this.#connection;
    if (connection === undefined) return;
    const driver = this.#node?.driver ?? this.#options.primary;
    this.#connection = undefined;
    this.#node = undefined;
    await driver.releaseConnection(connection);
  }
}
