/**
 * The flags that say what to send to a user's app and what a good reply is,
 * for `conlab bench-server --app` and `conlab load`. They group: `--request 'METHOD /path'`
 * opens a request, and -H, --body, --body-file, --expect-status,
 * --expect-body, --expect-body-regex and --weight after it belong to it, so
 * several `--request` make a mix. Without any `--request`, those flags
 * describe the one default request, GET /. Parsed in command-line order
 * (parseArgs tokens), checked before anything starts.
 */
import { ErrorCodes, LabError } from '../core/errors.ts';
import type { LoadRequest } from '../load/types.ts';
import { DEFAULT_APP_REQUEST, parseRequestLine, readBodyFile } from '../servers/driver/app-requests.ts';
import { parseIntFlag } from './args.ts';

/** `-H 'name: value'` flags → headers; a value without a name is LAB_E_BAD_PARAM. */
export function parseHeaders(values: string[] | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const value of values ?? []) {
    const colon = value.indexOf(':');
    if (colon <= 0) {
      throw new LabError(ErrorCodes.BAD_PARAM, `-H '${value}' is not 'name: value'`, {
        hint: "e.g. -H 'content-type: application/json'",
      });
    }
    headers[value.slice(0, colon).trim()] = value.slice(colon + 1).trim();
  }
  return headers;
}

export const requestFlags = {
  request: { type: 'string', multiple: true },
  header: { type: 'string', short: 'H', multiple: true },
  body: { type: 'string', multiple: true },
  'body-file': { type: 'string', multiple: true },
  'expect-status': { type: 'string', multiple: true },
  'expect-body': { type: 'string', multiple: true },
  'expect-body-regex': { type: 'string', multiple: true },
  weight: { type: 'string', multiple: true },
} as const;

export const requestFlagsHelp = `  --request 'M /path'   a request to send (repeatable: several make a mix, default 'GET /');
                        the flags below, after a --request, belong to it
    -H 'name: value'    a request header (repeatable)
    --body TEXT         the request body  |  --body-file PATH  the body from a file
    --expect-status S   2 = any 2xx (the default), or an exact status like 201
    --expect-body TEXT  the exact body every reply must have
    --expect-body-regex RE  a regular expression every reply body must match
    --weight N          this request's share of the mix (default 1): weights 3 and 1
                        send A A B A, repeated (a fixed weighted round-robin)`;

interface Token {
  kind: string;
  name?: string;
  value?: string | undefined;
}

type RequestFlag = Exclude<keyof typeof requestFlags, 'request'>;

function isRequestFlag(name: string | undefined): name is RequestFlag {
  return name !== undefined && name !== 'request' && name in requestFlags;
}

/** One request's flags, in order, onto its LoadRequest. */
function applyFlag(request: LoadRequest, name: RequestFlag, value: string, what: string): void {
  const once = (given: unknown): void => {
    if (given !== undefined) {
      throw new LabError(ErrorCodes.USAGE, `--${name} is given twice for ${what}`, {
        hint: 'each request takes one; start another request with --request',
      });
    }
  };
  switch (name) {
    case 'header':
      request.headers = { ...request.headers, ...parseHeaders([value]) };
      return;
    case 'body':
    case 'body-file':
      if (request.body !== undefined) {
        throw new LabError(
          ErrorCodes.USAGE,
          `${what} has two bodies (--body and --body-file are exclusive)`,
          {
            hint: 'give one body per request',
          },
        );
      }
      request.body = name === 'body' ? value : readBodyFile(value, '--body-file');
      return;
    case 'expect-status':
      once(request.expectStatus);
      request.expectStatus = parseIntFlag('expect-status', value, 1, 599);
      return;
    case 'expect-body':
      once(request.expectBody);
      request.expectBody = value;
      return;
    case 'expect-body-regex':
      once(request.expectBodyRegex);
      request.expectBodyRegex = value;
      return;
    case 'weight':
      once(request.weight);
      request.weight = parseIntFlag('weight', value, 1, 1000);
      return;
  }
}

/** The requests the flags describe, in order; undefined when none of them was given. */
export function requestsFromFlags(tokens: readonly Token[]): LoadRequest[] | undefined {
  const requests: LoadRequest[] = [];
  let implicit: LoadRequest | undefined;
  for (const token of tokens) {
    if (token.kind !== 'option' || token.value === undefined) continue;
    if (token.name === 'request') {
      if (implicit !== undefined) {
        throw new LabError(ErrorCodes.USAGE, 'request options come before the first --request', {
          hint: "put -H, --body, --expect-... after the --request they belong to, e.g. --request 'POST /x' --body '{}'",
        });
      }
      requests.push({ ...parseRequestLine(token.value) });
      continue;
    }
    if (!isRequestFlag(token.name)) continue;
    const current = requests[requests.length - 1] ?? (implicit ??= { ...DEFAULT_APP_REQUEST });
    const what =
      requests.length === 0
        ? 'the default request (GET /)'
        : `request ${requests.length} (${current.method ?? 'GET'} ${current.path})`;
    applyFlag(current, token.name, token.value, what);
  }
  if (implicit !== undefined) return [implicit];
  return requests.length > 0 ? requests : undefined;
}
