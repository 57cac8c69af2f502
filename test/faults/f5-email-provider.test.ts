// F5: the email provider misbehaves while customers order: 429 with Retry-After, 5xx, a request
// it accepts but answers only after the client gave up, and a permanent 422. Each email must be
// delivered once per key, the provider's wait honoured, a permanent failure visible in email_log,
// and none of it may hold up an order or an invoice.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEND_TIMEOUT_MS } from '../../activities/email/mailer.js';
import { invariantViolations } from './support/checks.js';
import { caller, pollUntil, settle, tokenFor } from './support/http.js';
import { addCompanies, customerCall, enc, type Company } from './support/scenario.js';
import { startSystem, type FaultSystem } from './support/system.js';

let system: FaultSystem;
let companies: Company[] = [];
const orderIds: string[] = [];

beforeAll(async () => {
  system = await startSystem({ name: 'f5', fixtures: async (db) => void (companies = await addCompanies(db, 'П', 4)) });
});

afterAll(async () => {
  await system?.stop();
});

/** Places one order and returns its invoice once the order and both of its emails are done. */
async function orderWithEmails(company: Company): Promise<{ invoiceId: string; keys: string[] }> {
  const call = await customerCall(company, system.apiUrls);
  const put = await settle(call, 'PUT', `/v1/cart/items/${enc(company.sku.B)}`, { quantity: 4 });
  expect(put.reply.status).toBe(200);
  const checkout = await settle(call, 'POST', '/v1/cart/checkout', { target: 'new' });
  expect(checkout.reply.status).toBe(202);
  const orderId = (checkout.reply.body as { orderId: string }).orderId;
  orderIds.push(orderId);
  const order = (await pollUntil(call, `/v1/orders/${orderId}`, (b: { status?: string }) => b.status === 'invoiced', 60_000)) as { invoiceId: string };
  const keys = await emailsLogged(company, 2);
  return { invoiceId: order.invoiceId, keys };
}

/** Waits until `count` emails to the company are final in email_log (sent or failed). */
async function emailsLogged(company: Company, count: number, withinMs = 90_000): Promise<string[]> {
  for (const deadline = Date.now() + withinMs; ;) {
    const rows = await system.db.selectFrom('email_log').select(['key', 'status']).where('to_address', '=', company.email).execute();
    if (rows.length >= count) return rows.map((r) => r.key);
    if (Date.now() > deadline)
      throw new Error(`${rows.length} of ${count} emails to ${company.email} logged after ${withinMs / 1000} s: ${JSON.stringify(rows)}`);
    await sleep(250);
  }
}

const attemptsOf = (key: string) => system.resend.emails.filter((e) => e.key === key);
const logged = async (key: string) => system.db.selectFrom('email_log').select(['status', 'provider_id']).where('key', '=', key).executeTakeFirst();

describe('F5: email provider faults', () => {
  it('429 with Retry-After: the next attempt waits what the provider asked, then one delivery', async () => {
    const before = system.resend.emails.length;
    system.resend.failNext(1, 429, { retryAfterSeconds: 6 });
    const { keys } = await orderWithEmails(companies[0]!);
    const limited = system.resend.emails.slice(before).find((e) => e.status === 429);
    expect(limited, 'the provider answered 429 once').toBeDefined();
    const attempts = attemptsOf(limited!.key ?? '');
    expect(attempts.map((a) => a.status)).toEqual([429, 200]);
    const waited = attempts[1]!.at - attempts[0]!.at;
    // The activity's own back-off would retry after 2 s; Retry-After says 6.
    expect(waited, `retried after ${waited} ms`).toBeGreaterThanOrEqual(5_500);
    expect(waited).toBeLessThan(20_000);
    for (const key of keys) expect(await logged(key)).toMatchObject({ status: 'sent' });
  });

  it('5xx twice: retried with the same key, delivered once', async () => {
    const before = system.resend.emails.length;
    system.resend.failNext(2, 503);
    const { keys } = await orderWithEmails(companies[1]!);
    const seen = system.resend.emails.slice(before);
    expect(seen.filter((e) => e.status === 503)).toHaveLength(2);
    for (const key of keys) {
      expect(
        attemptsOf(key).filter((a) => a.delivered),
        key,
      ).toHaveLength(1);
      expect(await logged(key)).toMatchObject({ status: 'sent' });
    }
  });

  it('accepted but answered after the client timeout: the retry does not send it again', async () => {
    const before = system.resend.emails.length;
    system.resend.hangNext(1, SEND_TIMEOUT_MS + 5_000);
    const { keys } = await orderWithEmails(companies[2]!);
    const hung = system.resend.emails[before];
    expect(hung?.delivered).toBe(true);
    const attempts = attemptsOf(hung?.key ?? '');
    expect(attempts.length, 'the mailer gave up on the hung request and tried again').toBeGreaterThanOrEqual(2);
    expect(
      attempts.filter((a) => a.delivered),
      'delivered once',
    ).toHaveLength(1);
    for (const key of keys) expect(await logged(key)).toMatchObject({ status: 'sent' });
  });

  it('422: the email is logged as failed, never retried, and the invoice goes on', async () => {
    const company = companies[3]!;
    const before = system.resend.emails.length;
    system.resend.failNext(1, 422);
    const { invoiceId, keys } = await orderWithEmails(company);
    const rejected = system.resend.emails.slice(before).find((e) => e.status === 422);
    expect(rejected).toBeDefined();
    expect(attemptsOf(rejected!.key ?? ''), 'a permanent refusal is not retried').toHaveLength(1);
    expect(await logged(rejected!.key ?? '')).toMatchObject({ status: 'failed', provider_id: null });
    const other = keys.find((k) => k !== rejected!.key);
    expect(await logged(other ?? '')).toMatchObject({ status: 'sent' });

    // Nothing is blocked: the customer sends the invoice for shipment and hears about it.
    const call = await customerCall(company, system.apiUrls);
    const ship = await settle(call, 'POST', `/v1/invoices/${invoiceId}/ship`);
    expect(ship.reply.status).toBe(200);
    await emailsLogged(company, 3);

    // An operator sees the failure where emails are listed.
    const admin = caller(system.apiUrls[0]!, await tokenFor({ sub: 'admin-faults', role: 'admin' }));
    const outbox = await admin('GET', '/v1/admin/outbox?limit=100');
    expect(outbox.status).toBe(200);
    expect(JSON.stringify(outbox.body)).toContain(rejected!.key ?? 'no key');
    const listed = (outbox.body as { items?: { key: string; status: string }[] }).items ?? [];
    expect(listed.find((e) => e.key === rejected!.key)?.status).toBe('failed');
  });

  it('leaves the books balanced and no key delivered twice', async () => {
    expect(system.crashes(), 'no process died by itself').toEqual([]);
    expect(await invariantViolations(system.db, system.resend, orderIds), system.diagnostics()).toEqual([]);
  });
});
