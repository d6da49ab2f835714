// Waits on a condition with a deadline instead of sleeping and hoping (like Testing/Processes/Wait.cs).
export async function waitUntil(condition, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs / 1000}s waiting for ${what}.`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
