import { createClient, type Print } from '../shared/client.js';
import type { Order, Product } from './schema.js';

/** The scripted session `npm run example -- orders` runs. */
export async function ordersSession(baseUrl: string, print: Print = console.log): Promise<void> {
  const { request } = createClient(baseUrl, print);
  const order = (items: Array<{ sku: string; quantity: number }>, card = 'tok_visa') => ({
    customer_email: 'sam@example.com',
    card,
    address: '1 Main St',
    items,
  });
  const stockOf = async (sku: string) =>
    (await request<Product[]>('GET', '/products')).body.find((product) => product.sku === sku)?.stock;

  print('An order: stock reserved, card charged, shipment booked, order recorded; mail after COMMIT:');
  const placed = await request<Order>('POST', '/orders', order([{ sku: 'KB-01', quantity: 2 }]));
  await request('GET', `/orders/${placed.body.id}`);

  print('Two customers race for the last monitor (serializable, retried on 40001):');
  const race = await Promise.all([
    request('POST', '/orders', order([{ sku: 'MN-27', quantity: 1 }])),
    request('POST', '/orders', order([{ sku: 'MN-27', quantity: 1 }])),
  ]);
  print(`  -> statuses ${race.map((each) => each.status).join(' and ')}; monitors left: ${await stockOf('MN-27')}`);

  print('A declined card: nothing reserved, nothing sent:');
  await request('POST', '/orders', order([{ sku: 'MS-01', quantity: 1 }], 'tok_declined'));

  print('Over the order limit: the last step fails after payment and shipment; both are compensated in reverse:');
  const before = await stockOf('KB-01');
  await request('POST', '/orders', order([{ sku: 'KB-01', quantity: 21 }]));
  print(`  -> keyboards in stock before ${before}, after ${await stockOf('KB-01')}`);

  await request('POST', '/orders', order([{ sku: 'NOPE', quantity: 1 }]));
  const { body } = await request<{ events: string[] }>('GET', '/events');
  print('What the outside world saw, in order:');
  for (const event of body.events) print(`  ${event}`);
  const health = await request<{ transactions: unknown }>('GET', '/health');
  print(`Transactions: ${JSON.stringify(health.body.transactions)}`);
}
