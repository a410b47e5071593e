/**
 * LIKE patterns as PostgreSQL reads them with its default escape character: `%` matches
 * any run of characters, `_` one character, `\` makes the next character literal.
 */

/**
 * `text` as a pattern that matches exactly `text`: `%`, `_` and `\` escaped. Used by
 * `contains` and `startsWith`, so user input never acts as a wildcard.
 *
 * ```ts
 * escapeLike('50%_off\\') // '50\\%\\_off\\\\'
 * ```
 */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** Whether PostgreSQL would refuse the pattern (22025: it ends with an unpaired escape). */
export function endsWithEscape(pattern: string): boolean {
  let backslashes = 0;
  for (let index = pattern.length - 1; index >= 0 && pattern[index] === '\\'; index--) backslashes++;
  return backslashes % 2 === 1;
}

// Compiled patterns of the in-memory evaluator; bounded, as patterns come from callers.
const compiled = new Map<string, RegExp>();
const MAX_COMPILED = 256;

/**
 * Whether `text` matches the LIKE `pattern`; `ignoreCase` for ILIKE (both sides lower-cased,
 * as PostgreSQL does). For the in-memory fake; PostgreSQL evaluates the real thing.
 *
 * ```ts
 * likeMatches('50% off', '50\\%%', false) // true
 * ```
 */
export function likeMatches(text: string, pattern: string, ignoreCase: boolean): boolean {
  const key = `${ignoreCase ? 'i' : 'c'}${pattern}`;
  let regex = compiled.get(key);
  if (regex === undefined) {
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    regex = toRegExp(ignoreCase ? pattern.toLowerCase() : pattern);
    compiled.set(key, regex);
  }
  return regex.test(ignoreCase ? text.toLowerCase() : text);
}

function toRegExp(pattern: string): RegExp {
  let source = '';
  const characters = [...pattern];
  for (let index = 0; index < characters.length; index++) {
    const character = characters[index] as string;
    if (character === '\\') source += literal(characters[++index] ?? '');
    else if (character === '%') source += '.*';
    else if (character === '_') source += '.';
    else source += literal(character);
  }
  // `s`: `%` and `_` match newlines too; `u`: `_` is one character, not one UTF-16 unit.
  return new RegExp(`^${source}$`, 'su');
}

function literal(character: string): string {
  return character.replace(/[\\^$.*+?()[\]{}|/]/g, (special) => `\\${special}`);
}
