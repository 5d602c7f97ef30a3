/** Latency regression checks: a median over rounds, robust to one slow round on a busy machine. */

/** Run `round` (given its index) `rounds` times; the median of their wall times, in ms. */
export async function medianMs(
  rounds: number,
  round: (index: number) => Promise<unknown>,
): Promise<number> {
  const times: number[] = [];
  for (let index = 0; index < rounds; index++) {
    const start = performance.now();
    await round(index);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(rounds / 2)]!;
}
