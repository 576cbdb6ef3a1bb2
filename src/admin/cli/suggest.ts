// "Did you mean …?": the closest known name to a mistyped one, for types, fields and commands.

/** Optimal string alignment distance: edits, with a swap of two neighbours counting as one. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i] as number[];
      const prev = d[i - 1] as number[];
      let best = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, ((d[i - 2] as number[])[j - 2] as number) + 1);
      row[j] = best;
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/**
 * The known name a user most likely meant: a small edit away (about one in three characters),
 * or one that starts with what was typed (`topic` → `topic_filter`, `rotation` → `rotation_strategy`).
 */
export function closest(input: string, known: readonly string[]): string | undefined {
  const typed = input.toLowerCase();
  if (typed === '' || known.includes(input)) return undefined;
  let best: { name: string; score: number } | undefined;
  for (const name of known) {
    const lower = name.toLowerCase();
    const distance = editDistance(typed, lower);
    const limit = Math.max(1, Math.floor(Math.max(typed.length, lower.length) / 3));
    let score = distance <= limit ? distance : Infinity;
    // a prefix of a known name: ranked after real near-misses
    if (score === Infinity && typed.length >= 3 && (lower.startsWith(typed) || typed.startsWith(lower))) score = limit + 1;
    if (score !== Infinity && (!best || score < best.score)) best = { name, score };
  }
  return best?.name;
}

export function didYouMean(input: string, known: readonly string[]): string {
  const hit = closest(input, known);
  return hit ? `; did you mean ${JSON.stringify(hit)}?` : '';
}
