import type { Options } from './args.ts';

/** The shape every `conlab <command>` module exports. */
export interface Command {
  name: string;
  /** Full help text for `conlab <command> --help` and `conlab help <command>`. */
  usage: string;
  /**
   * The parseArgs options the command parses (the flags it takes), read by
   * shell completion; a command with subcommands gives one set per
   * subcommand. Absent: completion offers no flags for it.
   */
  flags?: Options | Record<string, Options>;
  /** Runs the command; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}
