/** Wording shared by the models' benchmark names (seed 003's table). */
export const heavy = (kind: 'cpu' | 'io'): string =>
  kind === 'cpu' ? 'CPU heavy processing' : 'IO heavy processing';

export const plural = (n: number, word: string): string =>
  `${n} ${word}${n === 1 ? '' : word.endsWith('s') ? 'es' : 's'}`;

export const perTask = (n: number): string => `${n} item${n === 1 ? '' : 's'} per task`;
