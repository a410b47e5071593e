import { inspect } from 'node:util';

import { describe, expect, it } from 'vitest';

import { resolveOptions } from '../../src/config/resolve-options.js';
import { configError } from '../support/config-error.js';

const KEY = 'a-cursor-signing-key-0001';

describe('cursorSecret option', () => {
  it.each([
    [{ cursorSecret: 'short' }, /at least 16 characters/],
    [{ cursorSecret: [] }, /at least one key/],
    [{ cursorSecret: [KEY, 'short'] }, /at least 16 characters/],
    [{ cursorSecret: 123456789012345 }, /string or a non-empty list of strings|Invalid input/],
    [{ cursorSecret: [KEY, 42] }, /string/],
  ])('%j is a ConfigError naming cursorSecret, without echoing the value', (options, message) => {
    const error = configError(options);
    expect(error.option).toMatch(/^cursorSecret/);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('short');
    expect(error.message).not.toContain('123456789012345');
  });

  it('accepts one key or a list, and keeps them off enumerable properties', () => {
    for (const cursorSecret of [KEY, [KEY, 'another-signing-key-0002']]) {
      const resolved = resolveOptions({ cursorSecret });
      expect(resolved.cursorSecret).toEqual(cursorSecret);
      expect(Object.keys(resolved)).not.toContain('cursorSecret');
      expect(JSON.stringify(resolved)).not.toContain(KEY);
      expect(inspect(resolved, { depth: 5 })).not.toContain(KEY);
    }
  });
});
