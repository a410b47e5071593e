import { describe, expect, it } from 'vitest';

import { FifoLock } from '../../../src/transaction/fifo-lock.js';

describe('FifoLock.tryAcquire', () => {
  it('takes a free lock at once and refuses a held one', () => {
    const lock = new FifoLock();
    expect(lock.tryAcquire()).toBe(true);
    expect(lock.held).toBe(true);
    expect(lock.tryAcquire()).toBe(false);
    lock.release();
    expect(lock.held).toBe(false);
  });

  it('never cuts in front of a waiter: the lock passes to the waiter on release', async () => {
    const lock = new FifoLock();
    const order: string[] = [];
    expect(lock.tryAcquire()).toBe(true);
    const waiter = lock.acquire().then(() => order.push('waiter'));
    lock.release(); // hands the lock to the waiter directly
    expect(lock.held).toBe(true);
    expect(lock.tryAcquire()).toBe(false);
    await waiter;
    lock.release();
    expect(lock.tryAcquire()).toBe(true);
    expect(order).toEqual(['waiter']);
  });
});
