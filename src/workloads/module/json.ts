/**
 * Canonical JSON: the one text of a JSON value, whatever the order its
 * object keys were made in, so that an item's result digests the same
 * under every model, runtime and repetition. Only real JSON values are
 * accepted (null, booleans, finite numbers, strings, arrays and plain
 * objects of those): anything JSON.stringify would silently change (a Date,
 * a Map, undefined, NaN, a typed array) or refuse (a BigInt) is an error
 * naming where it is, because a pool must send the value across a thread or
 * process boundary as JSON and would get a different value than an
 * in-process model.
 */

/** Why a value is not JSON, with the path to it (`.rows[3].when`). */
export class NotJsonError extends Error {}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'bigint') return 'a BigInt';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  const name = (value as object).constructor?.name;
  return name ? `a ${name}` : 'an object with a custom prototype';
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function write(value: unknown, path: string, out: string[]): void {
  switch (typeof value) {
    case 'string':
      out.push(JSON.stringify(value));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isFinite(value)) break;
      out.push(JSON.stringify(value));
      return;
    case 'object':
      if (value === null) {
        out.push('null');
        return;
      }
      if (Array.isArray(value)) {
        out.push('[');
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out.push(',');
          write(value[i], `${path}[${i}]`, out);
        }
        out.push(']');
        return;
      }
      if (!isPlainObject(value)) break;
      out.push('{');
      Object.keys(value)
        .sort()
        .forEach((key, i) => {
          if (i > 0) out.push(',');
          out.push(JSON.stringify(key), ':');
          write((value as Record<string, unknown>)[key], `${path}.${key}`, out);
        });
      out.push('}');
      return;
    default:
      break;
  }
  throw new NotJsonError(
    `${describe(value)}${path === '' ? '' : ` at ${path}`} is not a JSON value (null, boolean, finite number, string, array or plain object)`,
  );
}

/** The canonical JSON text of a JSON value (object keys sorted); NotJsonError naming the path otherwise. */
export function canonicalJson(value: unknown): string {
  // A string result is by far the most common (a digest, a formatted number): no walk needed.
  if (typeof value === 'string') return JSON.stringify(value);
  const out: string[] = [];
  write(value, '', out);
  return out.join('');
}
