import { BaseRepository, createMigrator, type Database, runSeeders } from '@org/data-layer';
import { z } from 'zod';

import { openDatabase } from '../shared/database.js';
import { created, ok, parse, type Route, serve } from '../shared/http.js';
import { ExternalSystems } from './external.js';
import { migrations } from './migrations.js';
import { placeOrder } from './place-order.js';
import type { OrdersDB } from './schema.js';
import { catalogue } from './seeders.js';

export interface OrdersServiceOptions {
  /** A database to use (and leave open); by default `DATABASE_URL` or the embedded server. */
  db?: Database<OrdersDB>;
  /** Schema the migrations create the tables in. @default 'public' */
  schema?: string;
  /** @default 0 (a free port) */
  port?: number;
  /** Receives one line per saga step, for the scripted session. */
  log?: (line: string) => void;
}

export interface RunningOrdersService {
  readonly url: string;
  readonly db: Database<OrdersDB>;
  /** The fake payment provider, courier and mailer, with what was asked of them. */
  readonly external: ExternalSystems;
  close(): Promise<void>;
}

const id = z.coerce.number().int().positive();
const newOrder = z.object({
  customer_email: z.email(),
  card: z.string().min(1),
  address: z.string().min(1),
  items: z.array(z.object({ sku: z.string(), quantity: z.number().int().positive() })).min(1),
});

/** Migrates, seeds the catalogue, and serves the orders API. */
export async function startOrdersService(options: OrdersServiceOptions = {}): Promise<RunningOrdersService> {
  const db = options.db ?? openDatabase<OrdersDB>({ logger: 'warn' });
  const schema = options.schema ?? 'public';
  const migrator = createMigrator(db, { migrations, schema });
  await migrator.latest();
  await runSeeders(db, [catalogue], { environment: process.env.NODE_ENV ?? 'development', schema });

  const external = new ExternalSystems();
  const products = new BaseRepository(db, { table: 'products', defaultOrderBy: 'sku' });
  const orders = new BaseRepository(db, { table: 'orders' });

  const routes: Route[] = [
    ['GET', '/products', async () => ok(await products.findMany())],
    [
      'POST',
      '/orders',
      async (req) => created(await placeOrder(db, external, parse(newOrder, await req.json(), 'order'), options.log)),
    ],
    [
      'GET',
      '/orders/:id',
      async (req) => {
        const order = await orders.getById(parse(id, req.params.id, 'order id'));
        const items = await db.kysely.selectFrom('order_items').selectAll().where('order_id', '=', order.id).execute();
        return ok({ ...order, items });
      },
    ],
    ['GET', '/events', async () => ok({ events: external.events, confirmations: external.sentConfirmations })],
    [
      'GET',
      '/health',
      async () =>
        ok({ ...(await db.health()), transactions: db.metrics().transactions, migrations: await migrator.summary() }),
    ],
  ];

  const server = await serve(routes, options.port);
  return {
    url: server.url,
    db,
    external,
    close: async () => {
      await server.close();
      if (!options.db) await db.close();
    },
  };
}
