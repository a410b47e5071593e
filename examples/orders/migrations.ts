import type { MigrationDb, MigrationModule } from '@org/data-layer';
import { sql } from 'kysely';

/**
 * The migrations as an object keyed by name (`createMigrator(db, { migrations })`): the
 * form for bundled services, where there is no folder of files at run time.
 */
export const migrations: Record<string, MigrationModule> = {
  '0001_create_products': {
    async up(db: MigrationDb) {
      await db.schema
        .createTable('products')
        .addColumn('id', 'serial', (column) => column.primaryKey())
        .addColumn('sku', 'text', (column) => column.notNull().unique())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('price_cents', 'integer', (column) => column.notNull().check(sql`price_cents > 0`))
        // Never oversold, whatever the application does: a negative stock is a CheckViolationError.
        .addColumn('stock', 'integer', (column) => column.notNull().check(sql`stock >= 0`))
        .execute();
    },
    async down(db: MigrationDb) {
      await db.schema.dropTable('products').execute();
    },
  },
  '0002_create_orders': {
    async up(db: MigrationDb) {
      await db.schema
        .createTable('orders')
        .addColumn('id', 'serial', (column) => column.primaryKey())
        .addColumn('customer_email', 'text', (column) => column.notNull())
        // The business limit per order lives in the database: above it the insert fails (400).
        .addColumn('total_cents', 'integer', (column) => column.notNull().check(sql`total_cents <= 100000`))
        .addColumn('payment_id', 'text', (column) => column.notNull())
        .addColumn('shipment_id', 'text', (column) => column.notNull())
        .addColumn('status', 'text', (column) =>
          column
            .notNull()
            .defaultTo('confirmed')
            .check(sql`status in ('confirmed', 'cancelled')`),
        )
        .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createTable('order_items')
        .addColumn('order_id', 'integer', (column) => column.notNull().references('orders.id').onDelete('cascade'))
        .addColumn('product_id', 'integer', (column) => column.notNull().references('products.id'))
        .addColumn('quantity', 'integer', (column) => column.notNull().check(sql`quantity > 0`))
        .addColumn('price_cents', 'integer', (column) => column.notNull())
        .addPrimaryKeyConstraint('order_items_pkey', ['order_id', 'product_id'])
        .execute();
    },
    async down(db: MigrationDb) {
      await db.schema.dropTable('order_items').execute();
      await db.schema.dropTable('orders').execute();
    },
  },
};
