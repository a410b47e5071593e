import type { RowOf } from '@org/data-layer';
import type { Generated } from 'kysely';

/** The tables of the orders service (created by ./migrations.ts). */
export interface OrdersDB {
  products: {
    id: Generated<number>;
    sku: string;
    name: string;
    price_cents: number;
    stock: number;
  };
  orders: {
    id: Generated<number>;
    customer_email: string;
    total_cents: number;
    payment_id: string;
    shipment_id: string;
    status: Generated<'confirmed' | 'cancelled'>;
    created_at: Generated<Date>;
  };
  order_items: {
    order_id: number;
    product_id: number;
    quantity: number;
    price_cents: number;
  };
}

export type Product = RowOf<OrdersDB, 'products'>;
export type Order = RowOf<OrdersDB, 'orders'>;
