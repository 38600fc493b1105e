/**
 * The warning for a server bound where other machines can reach it. conlab's
 * servers answer anyone and compute what they are asked, so a bind beyond
 * loopback is said out loud, on stderr (stdout stays the listening line).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { bindExposure } from '../core/net-address.ts';

/** Warns about a bound address (as the listening line reports it). */
export function warnExposure(command: string, address: string): void {
  const exposure = bindExposure(address);
  if (exposure === null) return;
  process.stderr.write(
    `${command}: WARNING: listening on ${exposure}. The server has no authentication; use --host 127.0.0.1 (or ::1) to keep it to this machine.\n`,
  );
}

/** Warns about a host before it is bound: a name is judged by the address it resolves to, as listen() will. */
export async function warnHostExposure(command: string, host: string): Promise<void> {
  let address = host;
  if (isIP(host) === 0) {
    try {
      address = (await lookup(host)).address;
    } catch {
      return; // the bind itself will fail and say why
    }
  }
  warnExposure(command, address);
}
