/**
 * The `io` endpoint's key-value store (PROTOCOL.md §2), through the batch
 * lab's io.sqlite helper: the primary creates the file once (before any unit
 * starts, so units never race to fill it), every unit opens its own
 * connection and prepares the one SELECT.
 */
import { defaultKvPath, kvKey, kvValue, openKvDb } from '../../../workloads/sqlite.ts';

export { defaultKvPath };

export const DEFAULT_KV_KEYS = 1000;

/** The value the store holds for key index n (so a driver can verify without the database). */
export function expectedKv(n: number): { key: string; val: string } {
  return { key: kvKey(n), val: kvValue(n) };
}

export function ensureKv(path: string, keys: number): Promise<void> {
  return new Promise((resolve, reject) => {
    try {
      openKvDb(path, keys).close();
      resolve();
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

export interface KvReader {
  get(key: string): string | undefined;
  close(): void;
}

export function openKv(path: string, keys: number): Promise<KvReader> {
  return new Promise((resolve, reject) => {
    try {
      const db = openKvDb(path, keys);
      const select = db.prepare('SELECT val FROM kv WHERE key = ?');
      resolve({
        get(key) {
          const row = select.get(key) as { val?: unknown } | undefined;
          return typeof row?.val === 'string' ? row.val : undefined;
        },
        close() {
          db.close();
        },
      });
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
