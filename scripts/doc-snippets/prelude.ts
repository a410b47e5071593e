// Names the documentation's snippets use without declaring them: one imaginary service
// with users, orders and products, a cache store, an HTTP app, and a few helpers. A
// snippet that needs something else declares it itself.
import type { Server } from 'node:http';

import type {
  BaseRepository,
  CacheStore,
  Database,
  DatabaseOptions,
  Migrator,
  RepositoryMiddleware,
} from '@org/data-layer';
import type { Generated } from 'kysely';

interface HttpRequest {
  headers: Record<string, string | undefined>;
  hostname: string;
  params: Record<string, string>;
  body: unknown;
  user: { id: number; tenantId: string };
  query: Record<string, string | undefined>;
}
interface HttpResponse {
  status(code: number): HttpResponse;
  setHeader(name: string, value: string): void;
  json(body: unknown): void;
  send(body?: unknown): void;
}
type Handler = (req: HttpRequest, res: HttpResponse, next: () => void) => unknown;

declare global {
  interface DB {
    users: {
      id: Generated<number>;
      email: string;
      name: string | null;
      team: Generated<string | null>;
      tenant_id: Generated<string>;
      created_at: Generated<Date>;
      updated_at: Generated<Date>;
      deleted_at: Date | null;
    };
    orders: {
      id: Generated<number>;
      user_id: number;
      tenant_id: Generated<string>;
      status: Generated<string>;
      total: string;
      version: Generated<number>;
      created_at: Generated<Date>;
      updated_at: Generated<Date>;
      deleted_at: Date | null;
    };
    products: {
      id: Generated<number>;
      sku: string;
      name: string;
      price: string;
      stock: number;
      tenant_id: Generated<string>;
    };
    categories: { id: Generated<number>; name: string };
    countries: { code: string; name: string };
    coupons_used: { id: Generated<number>; order_id: number; code: string };
    import_runs: { id: Generated<number>; started_at: Generated<Date>; rows: number };
    seats: { id: Generated<number>; flight_id: number; passenger_id: number | null };
    plans: { id: Generated<number>; name: string };
    accounts: { id: Generated<number>; balance: number };
  }
  type NewOrder = { user_id: number; total: string };
  type Order = {
    id: number;
    user_id: number;
    tenant_id: string;
    status: string;
    total: string;
    created_at: Date;
    updated_at: Date;
    deleted_at: Date | null;
  };

  const db: Database<DB>;
  const users: BaseRepository<DB, 'users', 'deleted_at'>;
  const orders: BaseRepository<DB, 'orders', 'deleted_at'>;
  const store: CacheStore;
  const productCache: RepositoryMiddleware;
  const audit: RepositoryMiddleware;
  const timing: RepositoryMiddleware;
  const ordersOnly: RepositoryMiddleware;
  const app: {
    use(handler: Handler): void;
    get(path: string, handler: Handler): void;
    post(path: string, handler: Handler): void;
  };
  const events: { publish(topic: string, payload: unknown): Promise<void> };
  const logger: { info(object: object, message?: string): void; warn(object: object, message?: string): void };
  const input: NewOrder;
  const email: string;
  const migrator: Migrator;
  const server: Server;
  const req: HttpRequest;
  const res: HttpResponse;
  const newKey: string;
  const oldKey: string;
  const from: number;
  const to: number;
  const accounts: BaseRepository<DB, 'accounts'>;
  const histogram: { observe(labels: Record<string, string>, value: number): void };
  const service: {
    placeOrder(input: NewOrder): Promise<Order>;
    transfer(from: number, to: number, amount: number): Promise<void>;
  };
  class SignupService {
    constructor(users: unknown);
    signup(email: string): Promise<void>;
  }
  function send(items: readonly unknown[]): Promise<void>;
  function listTenantSchemas(): Promise<string[]>;
  const order: NewOrder;
  const coupon: { order_id: number; code: string };
  const options: DatabaseOptions;
  const a: ImportBatch;
  const b: ImportBatch;
  const run: { rows: number };
  const flight: { id: number };
  const passenger: { id: number };
  type ImportBatch = { rows: ReadonlyArray<{ email: string }> };
  function importBatch(batch: ImportBatch): Promise<void>;
  function countFreeSeats(flight: { id: number }): Promise<number>;
  function book(flight: { id: number }, passenger: { id: number }): Promise<void>;
  function reserveStock(order: Order): Promise<void>;
  function chargeCoupon(coupon: { code: string }): Promise<void>;
  function currentRegion(): string;
  function currentUser(): { id: number };
}
export {};
