import { Locator } from 'playwright-core';

/** Retries an assertion for a while: the page updates on its own schedule. */
export async function eventually(check: () => Promise<void>, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** The first matching element's text, trimmed, becomes `expected` (or matches it). */
export function expectText(locator: Locator, expected: string | RegExp, timeoutMs?: number): Promise<void> {
  return eventually(async () => {
    const text = ((await locator.first().textContent()) ?? '').trim();
    if (typeof expected === 'string') expect(text).toBe(expected);
    else expect(text).toMatch(expected);
  }, timeoutMs);
}
