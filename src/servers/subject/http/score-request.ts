/**
 * Validation of a POST /score body (PROTOCOL.md §2). Pure: bytes in, either
 * a typed request or an HTTP error out, so every architecture (and the
 * process-per-request child) rejects exactly the same inputs.
 */
import { ErrorCodes } from '../../../core/errors.ts';
import { httpError, type HttpError } from './http-error.ts';

export const MAX_ITERS = 10_000_000;
const MAX_SEED_CHARS = 1024;
const MAX_KEY_CHARS = 64;

export type ScoreRequest = { mode: 'cpu'; iters: number; seed: string } | { mode: 'io'; key: string };

const cpuKeys = ['mode', 'iters', 'seed'];
const ioKeys = ['mode', 'key'];

function badParam(message: string): HttpError {
  return httpError(400, ErrorCodes.BAD_PARAM, message);
}

function checkKeys(body: Record<string, unknown>, allowed: string[], mode: string): HttpError | null {
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    return badParam(
      `unknown field(s) ${unknown.map((k) => `'${k}'`).join(', ')} for mode '${mode}' → allowed: ${allowed.join(', ')} → remove them`,
    );
  }
  const missing = allowed.filter((key) => !(key in body));
  if (missing.length > 0) {
    return badParam(
      `missing field(s) ${missing.join(', ')} for mode '${mode}' → every field is required: ${allowed.join(', ')} → add them`,
    );
  }
  return null;
}

export function parseScoreRequest(body: Buffer): ScoreRequest | HttpError {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return httpError(
      400,
      ErrorCodes.BAD_JSON,
      `body is not valid JSON (${detail}) → a JSON object such as {"mode":"cpu","iters":1000,"seed":"abc"} → fix the JSON`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return badParam(
      `body is JSON ${Array.isArray(value) ? 'array' : typeof value} → a JSON object with a "mode" field → send {"mode":"cpu",...} or {"mode":"io",...}`,
    );
  }
  const fields = value as Record<string, unknown>;
  const mode = fields.mode;
  if (mode === 'cpu') {
    const keyError = checkKeys(fields, cpuKeys, 'cpu');
    if (keyError) return keyError;
    const { iters, seed } = fields;
    if (typeof iters !== 'number' || !Number.isInteger(iters) || iters < 1 || iters > MAX_ITERS) {
      return badParam(
        `"iters" is ${JSON.stringify(iters)} → a whole number in 1..${MAX_ITERS} → send e.g. "iters":80000`,
      );
    }
    if (typeof seed !== 'string' || seed.length > MAX_SEED_CHARS) {
      return badParam(
        `"seed" is ${typeof seed === 'string' ? `a string of ${seed.length} chars` : JSON.stringify(seed)} → a string of at most ${MAX_SEED_CHARS} chars → send e.g. "seed":"abc"`,
      );
    }
    return { mode: 'cpu', iters, seed };
  }
  if (mode === 'io') {
    const keyError = checkKeys(fields, ioKeys, 'io');
    if (keyError) return keyError;
    const { key } = fields;
    if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_CHARS) {
      return badParam(
        `"key" is ${JSON.stringify(key)} → a non-empty string of at most ${MAX_KEY_CHARS} chars → send e.g. "key":"k0042"`,
      );
    }
    return { mode: 'io', key };
  }
  return badParam(`"mode" is ${JSON.stringify(mode)} → allowed: "cpu", "io" → set "mode" to one of them`);
}
