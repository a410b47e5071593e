import { DataLayerError } from '@org/data-layer';

/**
 * The service's own errors extend `DataLayerError`, so one error handler maps them and the
 * library's errors alike (`statusCode`, `toJSON()`).
 */
export class OutOfStockError extends DataLayerError {
  override readonly name = 'OutOfStockError' as const;
  readonly code = 'OUT_OF_STOCK';
  readonly statusCode = 409;

  constructor(readonly sku: string) {
    super(`Not enough stock for ${sku}`);
  }

  protected override publicFields(): Record<string, unknown> {
    return { sku: this.sku };
  }
}

export class PaymentDeclinedError extends DataLayerError {
  override readonly name = 'PaymentDeclinedError' as const;
  readonly code = 'PAYMENT_DECLINED';
  readonly statusCode = 402;
}

export class UnknownProductError extends DataLayerError {
  override readonly name = 'UnknownProductError' as const;
  readonly code = 'UNKNOWN_PRODUCT';
  readonly statusCode = 422;

  constructor(readonly sku: string) {
    super(`No product with SKU ${sku}`);
  }

  protected override publicFields(): Record<string, unknown> {
    return { sku: this.sku };
  }
}
