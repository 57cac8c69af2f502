import { describe, expect, it } from 'vitest';
import { freePort } from '../runtime/dev-stack.js';
import { connectApiClient } from '../runtime/temporal.js';

describe("the API's Temporal client", () => {
  it('closing it while a failed call waits to retry throws nothing later (it used to crash the process from a timer)', async () => {
    const uncaught: unknown[] = [];
    const record = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', record);
    try {
      const temporal = await connectApiClient(`127.0.0.1:${await freePort()}`, 'default');
      // Nothing listens there: each attempt fails at once with UNAVAILABLE, and a retry is scheduled.
      const calls = Array.from({ length: 5 }, () => temporal.workflowService.getSystemInfo({}).catch((err: unknown) => err));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await temporal.connection.close();
      const outcomes = await Promise.all(calls);
      expect(outcomes.every((o) => o instanceof Error)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', record);
    }
  });
});
