import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const WEBHOOK_TEST_SECRET = 'webhook-test-secret-0123456789';

export interface Received {
  id: string;
  type: string;
  seq: number;
  aggregateId: string;
  body: string;
}

/**
 * An ERP's webhook endpoint on a real port: checks every request's signature the way a receiver
 * would (its own HMAC over `timestamp.body`, not the dispatcher's code), records what it accepted
 * in arrival order, and can be told to fail or to hold requests unanswered.
 */
export async function startReceiver(secret = WEBHOOK_TEST_SECRET) {
  const accepted: Received[] = [];
  let requests = 0;
  let badSignatures = 0;
  let failNext = 0;
  let alwaysFail = false;
  let hold = false;
  const held: { res: ServerResponse; event: Received }[] = [];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      const body = Buffer.concat(chunks).toString('utf8');
      const timestamp = String(req.headers['x-webhook-timestamp'] ?? '');
      const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`);
      const given = Buffer.from(String(req.headers['x-webhook-signature'] ?? ''));
      const parsed = JSON.parse(body) as { id: string; type: string; seq: number; aggregate: { id: string } };
      if (given.length !== expected.length || !timingSafeEqual(given, expected) || req.headers['x-event-id'] !== parsed.id) {
        badSignatures++;
        res.writeHead(401).end();
        return;
      }
      const event = { id: parsed.id, type: parsed.type, seq: parsed.seq, aggregateId: parsed.aggregate.id, body };
      if (hold) {
        held.push({ res, event });
        return;
      }
      if (alwaysFail || failNext > 0) {
        failNext = Math.max(0, failNext - 1);
        res.writeHead(500).end('down');
        return;
      }
      accepted.push(event);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/erp/events`,
    accepted,
    held,
    get requests() {
      return requests;
    },
    get badSignatures() {
      return badSignatures;
    },
    failTimes(n: number) {
      failNext = n;
    },
    setAlwaysFail(on: boolean) {
      alwaysFail = on;
    },
    setHold(on: boolean) {
      hold = on;
    },
    /** Distinct event ids accepted. */
    ids(): Set<string> {
      return new Set(accepted.map((e) => e.id));
    },
    close(): Promise<void> {
      for (const h of held) h.res.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
