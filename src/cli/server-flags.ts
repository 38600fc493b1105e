/**
 * The flags that shape one server cell (its load window, its server's
 * units, its work), shared by every command that runs server cells
 * (bench-server, capacity), so both parse and complete them alike.
 */
export const serverCellFlags = {
  runtime: { type: 'string' },
  connections: { type: 'string' },
  duration: { type: 'string' },
  warmup: { type: 'string' },
  workers: { type: 'string' },
  threads: { type: 'string' },
  iters: { type: 'string' },
  'spin-iters': { type: 'string' },
  'load-threads': { type: 'string' },
} as const;
