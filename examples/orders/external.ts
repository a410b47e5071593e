import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { PaymentDeclinedError } from './errors.js';

/**
 * Stand-ins for the systems an order touches outside the database. They record what was
 * asked of them, so the session and the tests can show what happened and in which order.
 */
export class ExternalSystems {
  readonly events: string[] = [];
  readonly sentConfirmations: Array<{ orderId: number; to: string }> = [];

  /** @param latencyMs how long each remote call takes (the transaction stays open meanwhile). */
  constructor(private readonly latencyMs = 25) {}

  /** Charges a card; the test card `tok_declined` is refused. */
  async charge(card: string, amountCents: number): Promise<string> {
    await sleep(this.latencyMs);
    if (card === 'tok_declined') throw new PaymentDeclinedError('The card was declined');
    const paymentId = `pay_${randomUUID().slice(0, 8)}`;
    this.events.push(`payment.charged ${paymentId} ${amountCents}`);
    return paymentId;
  }

  async refund(paymentId: string): Promise<void> {
    this.events.push(`payment.refunded ${paymentId}`);
  }

  async bookShipment(address: string): Promise<string> {
    await sleep(this.latencyMs);
    const shipmentId = `shp_${randomUUID().slice(0, 8)}`;
    this.events.push(`shipment.booked ${shipmentId} to ${address}`);
    return shipmentId;
  }

  async cancelShipment(shipmentId: string): Promise<void> {
    this.events.push(`shipment.cancelled ${shipmentId}`);
  }

  /** The order confirmation e-mail: must only ever go out for a committed order. */
  async sendConfirmation(orderId: number, to: string): Promise<void> {
    this.sentConfirmations.push({ orderId, to });
    this.events.push(`mail.confirmation order ${orderId}`);
  }
}
