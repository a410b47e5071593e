import { describe, expect, it } from 'vitest';

import { DeferredControl } from '../../src/driver/deferred-control.js';

describe('DeferredControl', () => {
  it('hands the BEGIN and the savepoints to the next statement, once', () => {
    const control = new DeferredControl();
    control.begin('begin');
    control.savepoint('dl_sp_1', 'savepoint "dl_sp_1"');
    expect(control.beginPending).toBe(true);
    expect(control.take()).toEqual(['begin', 'savepoint "dl_sp_1"']);
    expect(control.take()).toBeUndefined();
    expect(control.beginPending).toBe(false);
  });

  it('forgets a savepoint released before any statement, and what came after it', () => {
    const control = new DeferredControl();
    control.begin('begin');
    control.take();
    control.savepoint('dl_sp_1', 'savepoint "dl_sp_1"');
    control.savepoint('dl_sp_2', 'savepoint "dl_sp_2"');
    expect(control.release('dl_sp_2')).toBe(true);
    expect(control.release('dl_sp_1')).toBe(true);
    expect(control.take()).toBeUndefined();
    expect(control.release('dl_sp_1')).toBe(false); // not deferred: RELEASE must be sent
  });

  it('keeps a savepoint rolled back to before any statement (ROLLBACK TO keeps it)', () => {
    const control = new DeferredControl();
    control.begin('begin');
    control.savepoint('dl_sp_1', 'savepoint "dl_sp_1"');
    control.savepoint('dl_sp_2', 'savepoint "dl_sp_2"');
    control.rollbackTo('dl_sp_1', 'rollback to savepoint "dl_sp_1"'); // nothing ran since it: nothing to send
    expect(control.take()).toEqual(['begin', 'savepoint "dl_sp_1"']);
  });

  it('defers ROLLBACK TO a savepoint already sent, dropping later deferred ones it undoes', () => {
    const control = new DeferredControl();
    control.begin('begin');
    control.savepoint('dl_sp_1', 'savepoint "dl_sp_1"');
    control.take();
    control.savepoint('dl_sp_2', 'savepoint "dl_sp_2"');
    control.rollbackTo('dl_sp_1', 'rollback to savepoint "dl_sp_1"');
    expect(control.beginPending).toBe(false);
    expect(control.take()).toEqual(['rollback to savepoint "dl_sp_1"']);
  });
});
