import type { Command } from '../command.ts';
import { ErrorCodes, LabError } from '../../core/errors.ts';

// Placeholder until the issue that owns this command lands; it refuses clearly.
export const command: Command = {
  name: 'serve',
  summary: '(not built yet)',
  usage: 'conlab serve: not built yet',
  run() {
    return Promise.reject(
      new LabError(ErrorCodes.UNSUPPORTED, "'conlab serve' is not built yet", { exitCode: 1 }),
    );
  },
};
