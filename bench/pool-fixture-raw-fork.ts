/** Raw ceiling for the process-pool benchmark: a forked child that echoes every IPC message at once. */
process.on('message', (message) => {
  process.send?.(message);
});
