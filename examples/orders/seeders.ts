import { defineSeeder } from '@org/data-layer';

import type { OrdersDB } from './schema.js';

/** The catalogue: a few products, one of them nearly sold out. */
export const catalogue = defineSeeder<OrdersDB>({
  name: 'orders:catalogue',
  run: async ({ db }) => {
    await db
      .insertInto('products')
      .values([
        { sku: 'KB-01', name: 'Keyboard', price_cents: 4_900, stock: 25 },
        { sku: 'MS-01', name: 'Mouse', price_cents: 1_900, stock: 40 },
        { sku: 'MN-27', name: '27" monitor', price_cents: 29_900, stock: 1 },
      ])
      .execute();
  },
  truncate: async ({ db }) => {
    await db.deleteFrom('products').execute();
  },
});
