// One company's day, driven over HTTP: five orders, an edit, a merge, a shipment through the
// warehouse and a cancellation. Each company has SKUs of its own, so its end state does not depend
// on how the companies interleave: a faulty run must end exactly like a fault-free one.
import { randomUUID } from 'node:crypto';
import type { Db } from '../../../db/database.js';
import { addProduct } from '../../support/fixtures.js';
import { caller, pollUntil, settle, tokenFor, describe as describeReply, type Call } from './http.js';

export interface Company {
  id: string;
  email: string;
  /** The SKUs of this company only: A is scarce (20), B and C plentiful (100). */
  sku: { A: string; B: string; C: string };
}

export async function addCompanies(db: Db, tag: string, count: number): Promise<Company[]> {
  const companies: Company[] = [];
  for (let i = 1; i <= count; i++) {
    const id = randomUUID();
    const email = `buyer-${tag}-${i}@shop.example`;
    await db
      .insertInto('customers')
      .values({ id, name: `ООО «Сбой ${tag}${i}»`, email, inn: null, manager_email: 'manager@supplier.example', email_notifications: true })
      .execute();
    const sku = { A: `ФЛТ-${tag}${i}-A`, B: `ФЛТ-${tag}${i}-B`, C: `ФЛТ-${tag}${i}-C` };
    await addProduct(db, sku.A, { onHand: 20 });
    await addProduct(db, sku.B, { onHand: 100 });
    await addProduct(db, sku.C, { onHand: 100 });
    companies.push({ id, email, sku });
  }
  return companies;
}

export const enc = (sku: string) => encodeURIComponent(sku);

function must(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(what);
}

/** What a run did, for the report of a failing case. */
export interface RunLog {
  orderIds: string[];
  invoiceIds: string[];
  /** Requests that needed more than one attempt, with every attempt's answer. */
  retried: string[];
}

export async function runCompanyScenario(company: Company, customer: Call, warehouse: Call, log: RunLog): Promise<void> {
  const { A, B, C } = company.sku;
  const send = async (call: Call, method: string, path: string, body: unknown, expected: number) => {
    const { reply, attempts } = await settle(call, method, path, body);
    if (attempts.length > 1) log.retried.push(attempts.map(describeReply).join(' | '));
    must(reply.status === expected, `expected ${expected}: ${attempts.map(describeReply).join(' | ')}`);
    return reply.body as Record<string, any>;
  };
  const statusOf = (invoiceId: string, status: string) => pollUntil(customer, `/v1/invoices/${invoiceId}`, (b: { status?: string }) => b.status === status);

  const order = async (lines: Record<string, number>): Promise<string> => {
    for (const [sku, quantity] of Object.entries(lines)) await send(customer, 'PUT', `/v1/cart/items/${enc(sku)}`, { quantity }, 200);
    const { orderId } = (await send(customer, 'POST', '/v1/cart/checkout', { target: 'new' }, 202)) as { orderId: string };
    log.orderIds.push(orderId);
    const placed = (await pollUntil(customer, `/v1/orders/${orderId}`, (b: { status?: string }) => b.status === 'invoiced' || b.status === 'failed')) as {
      status: string;
      invoiceId: string;
      error?: string;
    };
    must(placed.status === 'invoiced', `order ${orderId} failed: ${JSON.stringify(placed)}`);
    log.invoiceIds.push(placed.invoiceId);
    return placed.invoiceId;
  };

  // One after another: a company has one cart, and A's approvals depend on the order of orders.
  const first = await order({ [A]: 15, [B]: 10 });
  const second = await order({ [A]: 10, [C]: 5 });
  const third = await order({ [B]: 20 });
  const fourth = await order({ [C]: 7 });
  const fifth = await order({ [B]: 3, [C]: 3 });

  await send(customer, 'PATCH', `/v1/invoices/${third}`, { lines: [{ sku: B, quantity: 12 }] }, 200);
  await send(customer, 'POST', `/v1/invoices/${third}/submit`, undefined, 200);
  await statusOf(third, 'confirmed');

  const { invoiceId: merged } = (await send(customer, 'POST', '/v1/invoices/merge', { invoiceIds: [fourth, fifth] }, 202)) as { invoiceId: string };
  log.invoiceIds.push(merged);
  await statusOf(merged, 'draft');

  await send(customer, 'POST', `/v1/invoices/${first}/ship`, undefined, 200);
  await send(customer, 'POST', `/v1/invoices/${second}/cancel`, undefined, 200);
  for (const status of ['to_warehouse', 'assembled', 'shipped']) {
    await send(warehouse, 'POST', `/v1/warehouse/invoices/${first}/status`, { status }, 200);
  }
  await statusOf(first, 'shipped');
  await statusOf(second, 'deleted');
}

/** A company's business end state, with its SKUs written by their role (A, B, C), never by id. */
export interface Outcome {
  invoices: string[];
  stock: Record<string, { onHand: number; reserved: number }>;
  realizations: number;
  /** Emails logged for the company: `kind status` with a count. */
  emails: Record<string, number>;
}

export async function outcomeOf(db: Db, company: Company): Promise<Outcome> {
  const role = new Map(Object.entries(company.sku).map(([r, sku]) => [sku, r]));
  const rows = await db.selectFrom('invoices').select(['status', 'lines']).where('customer_id', '=', company.id).execute();
  const invoices = rows
    .map((r) => {
      const lines = r.lines
        .map((l) => `${role.get(l.sku) ?? l.sku}:${l.requested}/${l.approved}`)
        .sort()
        .join(' ');
      return `${r.status} ${lines}`;
    })
    .sort();
  const stockRows = await db.selectFrom('stock').select(['sku', 'on_hand', 'reserved']).where('sku', 'in', Object.values(company.sku)).execute();
  const stock = Object.fromEntries(
    stockRows.map((s) => [role.get(s.sku) ?? s.sku, { onHand: s.on_hand, reserved: s.reserved }] as const).sort(([a], [b]) => a.localeCompare(b)),
  );
  const realizations = await db.selectFrom('realizations').select('id').where('customer_id', '=', company.id).execute();
  const mails = await db
    .selectFrom('email_log')
    .select(['kind', 'status', (eb) => eb.fn.countAll<string>().as('n')])
    .where('to_address', '=', company.email)
    .groupBy(['kind', 'status'])
    .orderBy('kind')
    .orderBy('status')
    .execute();
  const emails = Object.fromEntries(mails.map((m) => [`${m.kind} ${m.status}`, Number(m.n)]));
  return { invoices, stock, realizations: realizations.length, emails };
}

/**
 * The companies' outcomes once they stop changing toward `expected`: the last status emails go out
 * after the read model shows the status the scenario waited for, and after a kill they wait for
 * the activity's retry. Returns the last outcomes read, equal or not, for the caller to assert.
 */
export async function outcomesSettled(db: Db, companies: Company[], expected: unknown, withinMs = 60_000): Promise<Outcome[]> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const outcomes = await Promise.all(companies.map((c) => outcomeOf(db, c)));
    if (JSON.stringify(outcomes) === JSON.stringify(expected) || Date.now() > deadline) return outcomes;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** What the scenario must leave behind, worked out by hand from PRODUCT.md's rules. */
export const EXPECTED_OUTCOME = {
  live: ['confirmed B:12/12', 'draft B:3/3 C:10/10', 'marked_for_deletion B:3/3 C:3/3', 'marked_for_deletion C:7/7', 'shipped A:15/15 B:10/10'],
  stock: { A: { onHand: 5, reserved: 0 }, B: { onHand: 90, reserved: 15 }, C: { onHand: 100, reserved: 10 } },
  realizations: 1,
};

/** The outcome without the cancelled invoice (its line figures after deletion are not promised). */
export function liveView(outcome: Outcome) {
  return { live: outcome.invoices.filter((i) => !i.startsWith('deleted')), stock: outcome.stock, realizations: outcome.realizations };
}

/** Customer calls for each company, spread over the API processes (round robin per request). */
export async function customerCall(company: Company, bases: string[]): Promise<Call> {
  let next = 0;
  const token = await tokenFor({ sub: `buyer-${company.id.slice(0, 8)}`, role: 'customer', customerId: company.id });
  return caller(() => bases[next++ % bases.length] ?? '', token);
}

export async function warehouseCall(bases: string[]): Promise<Call> {
  let next = 0;
  return caller(() => bases[next++ % bases.length] ?? '', await tokenFor({ sub: 'warehouse-faults', role: 'warehouse' }));
}

export function newRunLog(): RunLog {
  return { orderIds: [], invoiceIds: [], retried: [] };
}

/** Runs every company's scenario at once; resolves when all are done, with every failure listed. */
export async function runCompanies(companies: Company[], bases: string[], log: RunLog, diagnostics: () => string = () => ''): Promise<void> {
  const warehouse = await warehouseCall(bases);
  const results = await Promise.allSettled(companies.map(async (c) => runCompanyScenario(c, await customerCall(c, bases), warehouse, log)));
  const failures = results.flatMap((r, i) =>
    r.status === 'rejected' ? [`company ${i + 1}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`] : [],
  );
  if (failures.length > 0) throw new Error(`${failures.length} of ${companies.length} scenarios failed:\n${failures.join('\n')}\n${diagnostics()}`);
}
