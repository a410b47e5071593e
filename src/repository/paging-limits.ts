import { ValidationError } from '../errors/application-errors.js';

/** An integer in [min, max], or a ValidationError naming the option. */
export function checkedLimit(value: unknown, option: string, max: number, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    throw new ValidationError(`Invalid ${option}: expected ${range}`, [
      { path: [option], message: `expected ${range}`, code: 'invalid_value' },
    ]);
  }
  return value;
}

/** A 1-based page number. */
export function checkedPage(value: unknown): number {
  return checkedLimit(value, 'page', Number.MAX_SAFE_INTEGER, 1);
}
