/**
 * Turns the user's target string into a resolved address: protocol, the
 * IP address to connect to, port and request path. Resolution happens once,
 * here, so generator threads never do DNS and a non-loopback target is
 * refused before any connection is opened.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ErrorCodes, LabError } from '../core/errors.ts';
import { connectAddress, isLoopbackAddress } from '../core/net-address.ts';

export interface ResolvedTarget {
  protocol: 'http' | 'tcp';
  /** Host as written (for the Host header). */
  hostHeader: string;
  /** The IP address connected to. */
  address: string;
  family: 4 | 6;
  port: number;
  /** Path and query for HTTP ('/' when none). */
  path: string;
}

const HINT = 'give a URL like http://127.0.0.1:8080/hello or tcp://127.0.0.1:1337';

export function parseTarget(target: string): Omit<ResolvedTarget, 'address' | 'family'> & { host: string } {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new LabError(ErrorCodes.BAD_URL, `'${target}' is not a valid URL`, { hint: HINT });
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (scheme !== 'http' && scheme !== 'tcp') {
    throw new LabError(
      ErrorCodes.BAD_URL,
      `'${target}' uses scheme '${scheme}' → allowed: http, tcp (https is not supported)`,
      { hint: HINT },
    );
  }
  if (url.hostname === '') {
    throw new LabError(ErrorCodes.BAD_URL, `'${target}' has no host`, { hint: HINT });
  }
  if (url.username !== '' || url.password !== '') {
    throw new LabError(ErrorCodes.BAD_URL, `'${target}' carries credentials, which conlab does not send`, {
      hint: 'remove user:password@ from the URL and pass an Authorization header with -H',
    });
  }
  const defaultPort = scheme === 'http' ? 80 : 0;
  const port = url.port === '' ? defaultPort : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new LabError(ErrorCodes.BAD_URL, `'${target}' needs a port in 1..65535`, { hint: HINT });
  }
  // URL keeps IPv6 literals in brackets; net.connect wants them bare.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const path = scheme === 'http' ? `${url.pathname || '/'}${url.search}` : '';
  return { protocol: scheme, host, hostHeader: url.host, port, path };
}

/** 127.0.0.0/8 and ::1 (any spelling, IPv4-mapped included): the only targets loaded without --allow-remote. */
export const isLoopback = isLoopbackAddress;

/** Parses, resolves and checks the target; throws LabError for anything a user can fix. */
export async function resolveTarget(target: string, allowRemote: boolean): Promise<ResolvedTarget> {
  const parsed = parseTarget(target);
  let address: string;
  let family: 4 | 6;
  const literal = isIP(parsed.host);
  if (literal !== 0) {
    address = parsed.host;
    family = literal === 6 ? 6 : 4;
  } else {
    try {
      const found = await lookup(parsed.host);
      address = found.address;
      family = found.family === 6 ? 6 : 4;
    } catch (error) {
      throw new LabError(ErrorCodes.CONNECT, `cannot resolve host '${parsed.host}'`, {
        hint: 'check the host name, or use 127.0.0.1',
        cause: error,
      });
    }
  }
  // A server's listening line may show the wildcard it bound (0.0.0.0, ::); as a target that means
  // this machine, and connecting to the unspecified address reaches it only through loopback anyway.
  address = connectAddress(address);
  if (!allowRemote && !isLoopback(address)) {
    throw new LabError(
      ErrorCodes.REMOTE_TARGET,
      `'${target}' resolves to ${address}, which is not a loopback address → conlab loads only 127.0.0.0/8 and ::1 by default`,
      { hint: 'pass --allow-remote (allowRemote: true) if you own that server and mean to load it' },
    );
  }
  return {
    protocol: parsed.protocol,
    hostHeader: parsed.hostHeader,
    address,
    family,
    port: parsed.port,
    path: parsed.path,
  };
}
