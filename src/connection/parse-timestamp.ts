/** What pg's default parser (postgres-date) returns for a timestamp: a Date, ±Infinity, or null. */
export type TimestampValue = Date | number | null;

const ZERO = 48;
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * A timestamp / timestamptz parser for the text PostgreSQL sends with `DateStyle` ISO
 * (`2024-05-06 07:08:09.123456+05:30`), returning exactly what `fallback` (pg's
 * postgres-date) returns, without its regular expressions. It parses the common shape
 * only (years 0100-9999 AD, an optional fraction, an optional `±HH[:MM[:SS]]` offset)
 * and hands everything else (BC, years below 100 or above 9999, other styles) to
 * `fallback`. The arithmetic mirrors postgres-date's on purpose, quirks included:
 * fractional milliseconds are `1000 * 0.ffffff`, truncated by `Date.UTC`.
 */
export function timestampParser(fallback: (value: string) => TimestampValue): (value: string) => TimestampValue {
  return (value) => {
    if (value === 'infinity') return Infinity;
    if (value === '-infinity') return -Infinity;
    const length = value.length;
    if (length < 19 || !dateTimeShape(value)) return fallback(value);
    const year = digits(value, 0, 4);
    if (year < 100) return fallback(value); // postgres-date's 0-99 remapping
    const month = digits(value, 5, 2) - 1;
    const day = digits(value, 8, 2);
    const hour = digits(value, 11, 2);
    const minute = digits(value, 14, 2);
    const second = digits(value, 17, 2);

    let at = 19;
    let ms = 0;
    if (at < length && value.charCodeAt(at) === 46 /* . */) {
      let fraction = 0;
      let count = 0;
      at++;
      while (at < length && isDigit(value.charCodeAt(at))) {
        fraction = fraction * 10 + value.charCodeAt(at) - ZERO;
        count++;
        at++;
      }
      // Exact for up to 15 digits: N / 10^k is the correctly rounded parseFloat('.N').
      if (count === 0 || count > 15) return fallback(value);
      ms = 1000 * (fraction / POW10[count]!);
    }
    if (at === length) return new Date(year, month, day, hour, minute, second, ms); // no offset: local time

    const sign = value.charCodeAt(at);
    if ((sign !== 43 /* + */ && sign !== 45) /* - */ || at + 3 > length || !twoDigits(value, at + 1)) {
      return fallback(value);
    }
    let offset = digits(value, at + 1, 2) * 3600;
    at += 3;
    if (at < length) {
      if (!colonTwoDigits(value, at)) return fallback(value);
      offset += digits(value, at + 1, 2) * 60;
      at += 3;
      if (at < length) {
        if (!colonTwoDigits(value, at)) return fallback(value);
        offset += digits(value, at + 1, 2);
        at += 3;
      }
    }
    if (at !== length) return fallback(value);
    // What Date.UTC computes (fields out of range roll over the same way), in integers.
    const utc =
      (daysFromCivil(year, month) + day - 1) * 86_400_000 +
      hour * 3_600_000 +
      minute * 60_000 +
      second * 1000 +
      Math.trunc(ms);
    return new Date(sign === 45 ? utc + offset * 1000 : utc - offset * 1000);
  };
}

/**
 * Days from 1970-01-01 to the first of `month` (0-based, may exceed 11) of `year`, in the
 * proleptic Gregorian calendar that Date uses (H. Hinnant's days_from_civil).
 */
function daysFromCivil(year: number, month: number): number {
  const carry = Math.floor(month / 12); // month is -1 for "00": December of the year before
  const y = year + carry;
  const m = month - carry * 12 + 1;
  const shifted = m <= 2 ? y - 1 : y;
  const era = Math.floor(shifted / 400);
  const yearOfEra = shifted - era * 400;
  const dayOfYear = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5);
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** `dddd-dd-dd dd:dd:dd` at the start of `value`. */
function dateTimeShape(value: string): boolean {
  return (
    isDigit(value.charCodeAt(0)) &&
    isDigit(value.charCodeAt(1)) &&
    isDigit(value.charCodeAt(2)) &&
    isDigit(value.charCodeAt(3)) &&
    value.charCodeAt(4) === 45 &&
    twoDigits(value, 5) &&
    value.charCodeAt(7) === 45 &&
    twoDigits(value, 8) &&
    value.charCodeAt(10) === 32 &&
    twoDigits(value, 11) &&
    value.charCodeAt(13) === 58 &&
    twoDigits(value, 14) &&
    value.charCodeAt(16) === 58 &&
    twoDigits(value, 17)
  );
}

function isDigit(code: number): boolean {
  return code >= ZERO && code <= 57;
}

function twoDigits(value: string, at: number): boolean {
  return isDigit(value.charCodeAt(at)) && isDigit(value.charCodeAt(at + 1));
}

/** `:dd` at `at`, within the string. */
function colonTwoDigits(value: string, at: number): boolean {
  return value.charCodeAt(at) === 58 && at + 3 <= value.length && twoDigits(value, at + 1);
}

function digits(value: string, at: number, count: number): number {
  let result = 0;
  for (let i = at; i < at + count; i++) result = result * 10 + value.charCodeAt(i) - ZERO;
  return result;
}
