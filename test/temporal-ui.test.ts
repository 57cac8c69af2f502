// What an operator finds in the Temporal UI: each invoice's current details (in Russian) and the
// DeleteAt / MergedInto search attributes, on a real dev server with its Web UI, seen in Chromium.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoiceWorkflowId } from '../core/contracts/ids.js';
import { DeleteAtAttribute, MergedIntoAttribute } from '../core/contracts/search-attributes.js';
import { findTemporalBinary, freePort, startTemporalDevServer } from '../runtime/dev-stack.js';
import { assertSearchAttributes } from '../runtime/search-attributes.js';
import { addProduct } from './support/fixtures.js';
import { newCustomer, orderInvoice } from './support/scenario.js';
import { startTestStack, type TestStack } from './support/stack.js';

const CHROMIUM = '/usr/bin/chromium';
/** Git-ignored (.data/): the screenshot is a test artifact, not a fixture. */
const ARTIFACTS = path.join(process.cwd(), '.data', 'artifacts');

const cli = findTemporalBinary('temporal', process.env.TEMPORAL_CLI);
let server: Awaited<ReturnType<typeof startTemporalDevServer>>;
let s: TestStack;
beforeAll(async () => {
  // A server of its own: the shared one runs headless, and this file needs the Web UI.
  server = await startTemporalDevServer({ cli, uiPort: await freePort(), namespace: 'default' });
  // Invoices expire in 20 h, so each new one is due before tomorrow; the cleanup window stays open
  // long enough to undo a merge.
  s = await startTestStack({ INVOICE_TTL: '20h', MERGE_CLEANUP_DELAY: '1h' }, server.address);
});
afterAll(async () => {
  await s.stop();
  await server.stop();
});

/** Workflow ids a visibility query finds, sorted. */
async function listed(query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const execution of s.client.workflow.list({ query })) ids.push(execution.workflowId);
  return ids.sort();
}

/** The CLI of the README's runbook, against this file's server. */
const temporal = async (...args: string[]) => (await promisify(execFile)(cli, [...args, '--address', server.address])).stdout;
const details = async (invoiceId: string) =>
  (await s.client.workflow.getHandle(invoiceWorkflowId(invoiceId)).query<{ currentDetails: string }>('__temporal_workflow_metadata')).currentDetails;
const post = (call: Awaited<ReturnType<typeof newCustomer>>['call'], url: string, body?: unknown) => call('POST', url, body);

describe('the Temporal UI tells an invoice’s story', () => {
  it('DeleteAt follows the expiry timer: due tomorrow are listed, a shipped invoice is not', async () => {
    await addProduct(s.db, 'UI-A', { onHand: 100 });
    const me = await newCustomer(s);
    const due = (await orderInvoice(me.call, { 'UI-A': 2 })).body;
    const shipped = (await orderInvoice(me.call, { 'UI-A': 1 })).body;
    expect((await post(me.call, `/v1/invoices/${shipped.id}/ship`)).status).toBe(200);

    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    await expect.poll(() => listed(`CustomerId = "${me.id}" AND DeleteAt < "${tomorrow}"`), { timeout: 15_000 }).toEqual([invoiceWorkflowId(due.id)]);
    expect(await listed(`CustomerId = "${me.id}" AND DeleteAt > "${tomorrow}"`)).toEqual([]);
    const described = await s.client.workflow.getHandle(invoiceWorkflowId(due.id)).describe();
    expect(described.typedSearchAttributes.get(DeleteAtAttribute)?.toISOString()).toBe(due.expiresAt);
    expect((await s.client.workflow.getHandle(invoiceWorkflowId(shipped.id)).describe()).typedSearchAttributes.get(DeleteAtAttribute)).toBeUndefined();

    // the current details tell the same story, and move with the invoice
    expect(await details(due.id)).toContain('Подтвержден менеджером');
    expect(await details(due.id)).toContain('ждёт подтверждения клиента');
    expect(await details(due.id)).toMatch(/Удаление: \d\d\.\d\d\.\d{4} \d\d:\d\d МСК, если клиент не ответит/);
    const shippedDetails = await details(shipped.id);
    expect(shippedDetails).toContain(`**Счёт ${shipped.number}**: Отправлен на отгрузку`);
    expect(shippedDetails).toContain('ждёт склада');
    expect(shippedDetails).toContain('не удаляется автоматически');
  });

  it('MergedInto lists the sources of a merge, and forgets them when the merge is undone', async () => {
    await addProduct(s.db, 'UI-M', { onHand: 100 });
    const me = await newCustomer(s);
    const [a, b, c, d] = [
      (await orderInvoice(me.call, { 'UI-M': 1 })).body,
      (await orderInvoice(me.call, { 'UI-M': 2 })).body,
      (await orderInvoice(me.call, { 'UI-M': 3 })).body,
      (await orderInvoice(me.call, { 'UI-M': 4 })).body,
    ];
    const kept = (await post(me.call, '/v1/invoices/merge', { invoiceIds: [a.id, b.id] })).body.invoiceId as string;
    const undone = (await post(me.call, '/v1/invoices/merge', { invoiceIds: [c.id, d.id] })).body.invoiceId as string;
    await expect.poll(() => listed(`MergedInto = "${kept}"`), { timeout: 15_000 }).toEqual([a.id, b.id].map(invoiceWorkflowId).sort());
    await expect.poll(() => listed(`MergedInto = "${undone}"`), { timeout: 15_000 }).toHaveLength(2);
    expect(await details(a.id)).toContain(`после окна отмены объединения (объединён в счёт ${kept})`);

    expect((await post(me.call, `/v1/invoices/${undone}/unmerge`)).status).toBe(200);
    await expect.poll(() => listed(`MergedInto = "${undone}"`), { timeout: 15_000 }).toEqual([]);
    const restored = await s.client.workflow.getHandle(invoiceWorkflowId(c.id)).describe();
    expect(restored.typedSearchAttributes.get(MergedIntoAttribute)).toBeUndefined();
    // the merged invoice is a draft with the usual expiry, the restored sources expire again
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    await expect
      .poll(() => listed(`CustomerId = "${me.id}" AND DeleteAt < "${tomorrow}"`), { timeout: 15_000 })
      .toEqual([kept, c.id, d.id].map(invoiceWorkflowId).sort());
  });

  it('answers the README runbook’s CLI commands', async () => {
    await addProduct(s.db, 'UI-C', { onHand: 100 });
    const me = await newCustomer(s);
    const invoice = (await orderInvoice(me.call, { 'UI-C': 1 })).body;
    const ids = async (query: string) =>
      (JSON.parse(await temporal('workflow', 'list', '--query', query, '--output', 'json')) as { execution: { workflowId: string } }[]).map(
        (w) => w.execution.workflowId,
      );
    const tomorrowInMoscow = new Date(Date.now() + 86_400_000 + 3 * 3_600_000).toISOString().replace('Z', '+03:00');
    await expect
      .poll(() => ids(`InvoiceNumber = "${invoice.number}" AND CustomerId = "${me.id}"`), { timeout: 15_000 })
      .toEqual([invoiceWorkflowId(invoice.id)]);
    expect(await ids(`DeleteAt < "${tomorrowInMoscow}" AND CustomerId = "${me.id}"`)).toEqual([invoiceWorkflowId(invoice.id)]);
    expect(await temporal('workflow', 'metadata', '--workflow-id', invoiceWorkflowId(invoice.id))).toContain('Подтвержден менеджером');
    expect(await temporal('workflow', 'describe', '--workflow-id', invoiceWorkflowId(invoice.id))).toContain('DeleteAt');
  });

  it('a worker refuses a namespace without the attributes, naming the commands that register them', async () => {
    const { connection } = s.client;
    await expect(assertSearchAttributes(connection, 'default')).resolves.toBeUndefined();
    await temporal('operator', 'namespace', 'create', '--namespace', 'bare');
    // A new namespace takes a moment to reach the frontend's cache.
    const refusal = async () =>
      assertSearchAttributes(connection, 'bare').then(
        () => 'accepted',
        (err: unknown) => String(err),
      );
    await expect.poll(refusal, { timeout: 30_000, interval: 500 }).toContain('lacks the search attributes');
    const message = await refusal();
    expect(message).toContain('temporal operator search-attribute create --namespace bare --name DeleteAt --type Datetime');
    expect(message).toContain('--name MergedInto --type Keyword');
  });

  it('shows the current details in Russian on the invoice page of the Web UI, and their change', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's "chromium" package (node scripts/setup.mjs --test does)`);
    await addProduct(s.db, 'UI-S', { onHand: 100, name: 'Перчатки нитриловые' });
    const me = await newCustomer(s);
    const invoice = (await orderInvoice(me.call, { 'UI-S': 12 })).body;
    const { runId } = await s.client.workflow.getHandle(invoiceWorkflowId(invoice.id)).describe();
    const url = `${server.uiUrl}/namespaces/default/workflows/${encodeURIComponent(invoiceWorkflowId(invoice.id))}/${runId}/history`;
    await mkdir(ARTIFACTS, { recursive: true });

    const browser = await chromium.launch({ executablePath: CHROMIUM });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, locale: 'ru-RU' });
      /** The "User Metadata" tab renders the summary and the current details, each as markdown in its own iframe. */
      const detailsAsRendered = async (status: string, shot: string): Promise<string> => {
        await page.goto(url);
        await page.getByText('User Metadata', { exact: true }).first().click();
        const texts = () =>
          Promise.all(
            page.frames().map((frame) =>
              frame
                .locator('body')
                .innerText({ timeout: 1_000 })
                .catch(() => ''),
            ),
          );
        let found = '';
        try {
          await expect
            .poll(
              async () => {
                found = (await texts()).find((text) => text.includes(`Счёт ${invoice.number}: ${status}`)) ?? '';
                return found;
              },
              { timeout: 30_000 },
            )
            .not.toBe('');
        } finally {
          // Also when the page disappoints: the picture shows what the operator would have seen.
          await page.screenshot({ path: path.join(ARTIFACTS, shot), fullPage: true });
        }
        return found;
      };

      const confirmed = await detailsAsRendered('Подтвержден менеджером', 'temporal-ui-invoice.png');
      expect(confirmed).toContain('Сейчас: ждёт подтверждения клиента (отправки на отгрузку)');
      expect(confirmed).toMatch(/Удаление: \d\d\.\d\d\.\d{4} \d\d:\d\d МСК, если клиент не ответит/);
      expect(confirmed).toContain('Строк: 1, сумма: 1\u00a0798,80\u00a0₽');

      expect((await post(me.call, `/v1/invoices/${invoice.id}/ship`)).status).toBe(200);
      const shipped = await detailsAsRendered('Отправлен на отгрузку', 'temporal-ui-invoice-shipped.png');
      expect(shipped).toContain('Сейчас: ждёт склада: передачи на сборку');
      expect(shipped).toContain('Удаление: не удаляется автоматически');
      expect(shipped).toContain('последнее действие: ship');
    } finally {
      await browser.close();
    }
  });
});
