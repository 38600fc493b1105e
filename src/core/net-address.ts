/**
 * IP addresses as servers bind them and clients reach them: one place for
 * IPv6 brackets in URLs, what counts as loopback, which address reaches a
 * server bound to every interface, and what a bind exposes.
 */
import { isIP } from 'node:net';

/** The canonical text of an IPv6 literal (`0:0:0:0:0:0:0:1` → `::1`), or the input unchanged. */
function canonical(address: string): string {
  if (isIP(address) !== 6) return address;
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return address;
  }
}

/** An address as a URL host: IPv6 literals in brackets (`[::1]`), anything else as is. */
export function hostForUrl(address: string): string {
  return isIP(address) === 6 ? `[${address}]` : address;
}

/** `[::1]` → `::1`: a host as a user may type it for a bind address. */
export function withoutBrackets(host: string): string {
  return /^\[.*\]$/.test(host) ? host.slice(1, -1) : host;
}

/** 127.0.0.0/8, ::1, and IPv4-mapped 127.x (`::ffff:127.0.0.1`). */
export function isLoopbackAddress(address: string): boolean {
  if (isIP(address) === 4) return address.startsWith('127.');
  const v6 = canonical(address).toLowerCase();
  return v6 === '::1' || /^::ffff:127\./.test(v6) || /^::ffff:7f[0-9a-f]{2}:/.test(v6);
}

/** 0.0.0.0 or :: — bound to every interface of its family. */
export function isWildcardAddress(address: string): boolean {
  return address === '0.0.0.0' || canonical(address) === '::';
}

/** The address a client on this machine uses to reach a server bound to `bound` (a wildcard → loopback). */
export function connectAddress(bound: string): string {
  if (!isWildcardAddress(bound)) return bound;
  return bound === '0.0.0.0' ? '127.0.0.1' : '::1';
}

/**
 * What binding `address` exposes, in words, or null for loopback. conlab's
 * servers have no authentication and will compute whatever they are asked,
 * so a bind that other machines can reach is worth a warning.
 */
export function bindExposure(address: string): string | null {
  if (isLoopbackAddress(address)) return null;
  if (address === '0.0.0.0')
    return 'every IPv4 interface (0.0.0.0): any machine that can reach this one can send it requests';
  if (isWildcardAddress(address))
    return 'every interface (::, IPv6 and on most systems IPv4 too): any machine that can reach this one can send it requests';
  return `${address}, a network address: machines on that network can send it requests`;
}
