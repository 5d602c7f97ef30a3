/** Polling for state that a daemon reaches later (oneway calls, abandoned connections). */

/** Polls `check` every 25 ms until it holds; throws after `seconds` (default 5). */
export async function waitFor(check: () => Promise<boolean>, seconds = 5): Promise<void> {
  for (let i = 0; i < seconds * 40; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`condition not reached in ${seconds} s`);
}
