/**
 * A server experiment's `app:` and `requests:` — resolved relative to the
 * suite file, probed under every runtime of the suite before anything runs
 * (the same check `bench-server --app` makes), kept in the resolved suite
 * as JSON (a body file by its path), and turned back into the server lab's
 * ServerApp (body bytes read) when cells are planned and run.
 */
import { resolve } from 'node:path';
import { ErrorCodes, LabError } from '../core/errors.ts';
import type { LoadRequest } from '../load/types.ts';
import { resolveAppPath } from '../servers/driver/app-check.ts';
import {
  checkRequests,
  DEFAULT_EXPECT_STATUS,
  readBodyFile,
  type ServerApp,
} from '../servers/driver/app-requests.ts';
import type { AppRef } from '../servers/subject/app/app-module.ts';
import type { ServerExperimentInput } from './schema.ts';
import type { ResolvedAppRequest, ResolvedServerApp } from './types.ts';

export interface AppContext {
  /** The suite file's folder: `app:` and `bodyFile:` are relative to it. */
  baseDir: string;
  /** The runtimes the suite runs (installed ones): the app is probed under each. */
  runtimes: readonly string[];
  checkApp(path: string, runtime: string, what: string): AppRef;
}

type AppRequestInput = NonNullable<ServerExperimentInput['requests']>[number];

function resolveRequest(input: AppRequestInput, what: string, baseDir: string): ResolvedAppRequest {
  if (input.body !== undefined && input.bodyFile !== undefined) {
    throw new LabError(ErrorCodes.SUITE_INVALID, `${what}: body and bodyFile are exclusive`, {
      hint: 'give the body inline or as a file, not both',
    });
  }
  let bodyFile: string | undefined;
  if (input.bodyFile !== undefined) {
    // Read now so that a missing file is refused before anything starts.
    readBodyFile(input.bodyFile, `${what}.bodyFile`, baseDir);
    bodyFile = resolve(baseDir, input.bodyFile);
  }
  return {
    method: (input.method ?? 'GET').toUpperCase(),
    path: input.path,
    headers: input.headers ?? {},
    ...(input.body === undefined ? {} : { body: input.body }),
    ...(bodyFile === undefined ? {} : { bodyFile }),
    weight: input.weight ?? 1,
    expect: {
      status: input.expect?.status ?? DEFAULT_EXPECT_STATUS,
      ...(input.expect?.body === undefined ? {} : { body: input.expect.body }),
      ...(input.expect?.bodyRegex === undefined ? {} : { bodyRegex: input.expect.bodyRegex }),
    },
  };
}

function loadRequestOf(request: ResolvedAppRequest): LoadRequest {
  const body = request.bodyFile === undefined ? request.body : readBodyFile(request.bodyFile, 'bodyFile');
  return {
    method: request.method,
    path: request.path,
    headers: request.headers,
    ...(body === undefined ? {} : { body }),
    weight: request.weight,
    expectStatus: request.expect.status,
    ...(request.expect.body === undefined ? {} : { expectBody: request.expect.body }),
    ...(request.expect.bodyRegex === undefined ? {} : { expectBodyRegex: request.expect.bodyRegex }),
  };
}

/** The server lab's form of a resolved app: the probe's answer and the requests with their body bytes. */
export function serverAppOf(app: ResolvedServerApp): ServerApp {
  return {
    ref: { path: app.path, kind: app.kind, from: app.from },
    requests: app.requests.map(loadRequestOf),
  };
}

/** `app:` and `requests:` of server[index]; null without `app:`. Bad input throws a LabError naming `path`. */
export function resolveServerApp(
  input: ServerExperimentInput,
  path: string,
  context: AppContext,
): ResolvedServerApp | null {
  if (input.app === undefined) {
    if (input.requests !== undefined) {
      throw new LabError(
        ErrorCodes.SUITE_INVALID,
        `${path}.requests: requests are sent to an app, and there is no app`,
        {
          hint: 'add app: ./your-app.ts, or drop requests to measure the built-in contract',
        },
      );
    }
    return null;
  }
  const contract = (['endpoint', 'params'] as const).filter((key) => input[key] !== undefined);
  if (contract.length > 0) {
    throw new LabError(
      ErrorCodes.SUITE_INVALID,
      `${path}: ${contract.join(' and ')} describe the built-in contract; with app, say what to send with requests`,
      { hint: 'e.g. requests: [{ method: GET, path: /hello }]' },
    );
  }
  const module = resolveAppPath(input.app, `${path}.app`, context.baseDir);
  const refs = context.runtimes.map((runtime) => context.checkApp(module, runtime, `${path}.app`));
  const ref = refs[0];
  if (ref === undefined) throw new Error(`${path}: no runtime to probe the app with`);
  const requests = (input.requests ?? [{ path: '/' }]).map((request, i) =>
    resolveRequest(request, `${path}.requests[${i}]`, context.baseDir),
  );
  const app: ResolvedServerApp = { ...ref, requests };
  try {
    checkRequests(serverAppOf(app).requests);
  } catch (error) {
    if (!(error instanceof LabError)) throw error;
    throw new LabError(
      ErrorCodes.SUITE_INVALID,
      `${path}.requests: ${error.message}`,
      error.hint ? { hint: error.hint } : {},
    );
  }
  return app;
}
