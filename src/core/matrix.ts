/**
 * The one matrix expander: every combination of a set of axes, and the
 * removal of duplicate cells. The labs decide which axes a cell has (from
 * their registries: a model's declared axes, an architecture's loads);
 * this decides nothing, so suites, `conlab batch` and `conlab bench-server`
 * expand the same way.
 */

/** Axis name → the values it takes, in order. */
export type Axes = Record<string, readonly unknown[]>;
export type Combination<A extends Axes> = { [K in keyof A]: A[K][number] };

/** Every combination, the first axis outermost (it changes slowest); an axis with no values gives no combinations. */
export function expandMatrix<A extends Axes>(axes: A): Combination<A>[] {
  let rows: Record<string, unknown>[] = [{}];
  for (const [name, values] of Object.entries(axes)) {
    rows = rows.flatMap((row) => values.map((value) => ({ ...row, [name]: value })));
  }
  return rows as Combination<A>[];
}

/** The first of each group of items with the same key, in order: two cells with one key would measure one thing twice. */
export function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
