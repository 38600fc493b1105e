/** piscina's task for the dispatch benchmark: a no-op that answers its input, like conlab's echo. */
export default function noop(input: number): number {
  return input;
}
