import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { OrdersDB } from '../../examples/orders/schema.js';
import { type RunningOrdersService, startOrdersService } from '../../examples/orders/service.js';
import { ordersSession } from '../../examples/orders/session.js';
import { createClient } from '../../examples/shared/client.js';
import { isRealServer, useTestDatabase } from '../support/test-database.js';

const t = useTestDatabase<OrdersDB>('example_orders');
let service: RunningOrdersService;
const sagaLog: string[] = [];
const api = () => createClient(service.url, () => {}).request;
const order = (items: Array<{ sku: string; quantity: number }>, card = 'tok_visa') => ({
  customer_email: 'kim@example.com',
  card,
  address: '2 Side St',
  items,
});
const stock = async (sku: string) =>
  (await t.db.kysely.selectFrom('products').select('stock').where('sku', '=', sku).executeTakeFirstOrThrow()).stock;

beforeAll(async () => {
  service = await startOrdersService({ db: t.db, schema: t.schema, log: (line) => sagaLog.push(line) });
});
afterAll(async () => service?.close());

describe('examples/orders over HTTP', () => {
  it('places an order: stock reserved, order recorded, confirmation sent once after the commit', async () => {
    const before = await stock('MS-01');
    const placed = await api()<{ id: number; total_cents: number }>(
      'POST',
      '/orders',
      order([{ sku: 'MS-01', quantity: 3 }]),
    );
    expect(placed).toMatchObject({ status: 201, body: { total_cents: 5_700 } });
    expect(await stock('MS-01')).toBe(before - 3);
    expect(service.external.sentConfirmations.filter((each) => each.orderId === placed.body.id)).toEqual([
      { orderId: placed.body.id, to: 'kim@example.com' },
    ]);
    const fetched = await api()('GET', `/orders/${placed.body.id}`);
    expect(fetched).toMatchObject({ status: 200, body: { items: [{ quantity: 3, price_cents: 1_900 }] } });
    expect(await api()('GET', '/orders/999999')).toMatchObject({
      status: 404,
      body: { error: { name: 'NotFoundError' } },
    });
  });

  it.runIf(isRealServer())(
    'sells the last unit once when three orders race: the losers are retried and get 409',
    async () => {
      await t.db.kysely.updateTable('products').set({ stock: 1 }).where('sku', '=', 'MN-27').execute();
      const retriesBefore = t.db.metrics().transactions.retries;
      const mails = service.external.sentConfirmations.length;
      const results = await Promise.all(
        [1, 2, 3].map(() => api()('POST', '/orders', order([{ sku: 'MN-27', quantity: 1 }]))),
      );
      expect(results.map((each) => each.status).sort()).toEqual([201, 409, 409]);
      expect(
        results
          .filter((each) => each.status === 409)
          .map((each) => (each.body as { error: { code: string } }).error.code),
      ).toEqual(['OUT_OF_STOCK', 'OUT_OF_STOCK']);
      expect(await stock('MN-27')).toBe(0);
      // The losers blocked on the winner's row lock and failed with 40001 once it committed.
      expect(t.db.metrics().transactions.retries).toBeGreaterThan(retriesBefore);
      expect(service.external.sentConfirmations.length).toBe(mails + 1);
    },
  );

  it('a later step failing compensates the external calls in reverse order, and sends no mail', async () => {
    const before = await stock('KB-01');
    const mails = service.external.sentConfirmations.length;
    const events = service.external.events.length;
    sagaLog.length = 0;
    const refused = await api()('POST', '/orders', order([{ sku: 'KB-01', quantity: 21 }])); // 102 900 cents > the 100 000 limit
    expect(refused).toMatchObject({
      status: 400,
      body: { error: { name: 'CheckViolationError', constraint: 'orders_total_cents_check' } },
    });
    expect(sagaLog).toEqual([
      'execute reserve-stock',
      'execute charge-payment',
      'execute book-shipment',
      'execute record-order',
      'compensate book-shipment',
      'compensate charge-payment',
    ]);
    expect(service.external.events.slice(events).map((event) => event.split(' ')[0])).toEqual([
      'payment.charged',
      'shipment.booked',
      'shipment.cancelled',
      'payment.refunded',
    ]);
    expect(await stock('KB-01')).toBe(before); // the rollback put the stock back
    expect(service.external.sentConfirmations.length).toBe(mails);
  });

  it('maps its own typed errors and validation to statuses, with nothing written', async () => {
    const orders = async () =>
      (
        await t.db.kysely
          .selectFrom('orders')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n;
    const count = await orders();
    const before = await stock('MS-01');
    expect(await api()('POST', '/orders', order([{ sku: 'MS-01', quantity: 1 }], 'tok_declined'))).toMatchObject({
      status: 402,
      body: { error: { code: 'PAYMENT_DECLINED' } },
    });
    expect(await api()('POST', '/orders', order([{ sku: 'NOPE', quantity: 1 }]))).toMatchObject({
      status: 422,
      body: { error: { code: 'UNKNOWN_PRODUCT', sku: 'NOPE' } },
    });
    expect(await api()('POST', '/orders', order([]))).toMatchObject({
      status: 400,
      body: { error: { name: 'ValidationError' } },
    });
    expect(await stock('MS-01')).toBe(before);
    expect(await orders()).toBe(count);
  });

  it('runs the scripted session of `npm run example -- orders` to the end', async () => {
    const lines: string[] = [];
    await ordersSession(service.url, (line) => lines.push(line));
    expect(lines.join('\n')).toContain('payment.refunded');
    expect(lines.some((line) => / -> 5\d\d /.test(line))).toBe(false);
  });
});
