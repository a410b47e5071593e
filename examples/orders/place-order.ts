import type { Database } from '@org/data-layer';
import { sql } from 'kysely';

import { OutOfStockError, UnknownProductError } from './errors.js';
import type { ExternalSystems } from './external.js';
import { runSaga, type SagaStep } from './saga.js';
import type { Order, OrdersDB } from './schema.js';

export interface PlaceOrder {
  customer_email: string;
  card: string;
  address: string;
  items: ReadonlyArray<{ sku: string; quantity: number }>;
}

/** What the steps share while one attempt runs. */
interface OrderContext {
  input: PlaceOrder;
  lines: Array<{ product_id: number; quantity: number; price_cents: number }>;
  totalCents: number;
  paymentId?: string;
  shipmentId?: string;
  order?: Order;
}

/**
 * Places an order: reserve stock, charge the card, book the shipment, record the order,
 * all in one serializable transaction that is re-run up to 3 times when PostgreSQL reports
 * a serialization failure (two customers buying the last unit). The confirmation e-mail
 * goes out in `afterCommit`, so it is never sent for an order that rolled back.
 */
export function placeOrder(
  db: Database<OrdersDB>,
  external: ExternalSystems,
  input: PlaceOrder,
  log?: (line: string) => void,
): Promise<Order> {
  const steps: SagaStep<OrderContext>[] = [
    {
      name: 'reserve-stock',
      async execute(context) {
        for (const item of input.items) {
          const product = await db.kysely
            .updateTable('products')
            .set({ stock: sql<number>`stock - ${item.quantity}` })
            .where('sku', '=', item.sku)
            .where('stock', '>=', item.quantity)
            .returning(['id', 'price_cents'])
            .executeTakeFirst();
          if (!product) {
            const exists = await db.kysely
              .selectFrom('products')
              .select('id')
              .where('sku', '=', item.sku)
              .executeTakeFirst();
            throw exists ? new OutOfStockError(item.sku) : new UnknownProductError(item.sku);
          }
          context.lines.push({ product_id: product.id, quantity: item.quantity, price_cents: product.price_cents });
          context.totalCents += product.price_cents * item.quantity;
        }
      },
      // No compensate: the rollback puts the stock back.
    },
    {
      name: 'charge-payment',
      async execute(context) {
        context.paymentId = await external.charge(input.card, context.totalCents);
      },
      async compensate(context) {
        if (context.paymentId) await external.refund(context.paymentId);
      },
    },
    {
      name: 'book-shipment',
      async execute(context) {
        context.shipmentId = await external.bookShipment(input.address);
      },
      async compensate(context) {
        if (context.shipmentId) await external.cancelShipment(context.shipmentId);
      },
    },
    {
      name: 'record-order',
      async execute(context) {
        // Over the order limit, this insert fails a check constraint, after the card was
        // charged and the courier booked: the compensations above undo both, in reverse.
        const order = await db.kysely
          .insertInto('orders')
          .values({
            customer_email: input.customer_email,
            total_cents: context.totalCents,
            payment_id: context.paymentId!,
            shipment_id: context.shipmentId!,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await db.kysely
          .insertInto('order_items')
          .values(context.lines.map((line) => ({ order_id: order.id, ...line })))
          .execute();
        context.order = order;
      },
    },
  ];

  return db.transaction(
    async (tx) => {
      const context: OrderContext = { input, lines: [], totalCents: 0 }; // fresh for every attempt
      await runSaga(tx, steps, context, log);
      const order = context.order!;
      tx.afterCommit(() => external.sendConfirmation(order.id, order.customer_email));
      return order;
    },
    { isolationLevel: 'serializable', retries: 3 },
  );
}
