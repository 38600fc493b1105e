/** The shape every `conlab <command>` module exports. */
export interface Command {
  name: string;
  /** Full help text for `conlab <command> --help`. */
  usage: string;
  /** Runs the command; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}
