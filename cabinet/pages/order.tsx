/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import { Waiting } from '../components.js';
import { Alert, problemPage, render } from '../layout.js';
import { session, type CabinetEnv } from '../session.js';

/**
 * After checkout: the order's progress without reloads. While the system checks stock the part
 * below asks again every second (htmx polling of GET /v1/orders/{id}); once the invoice exists it
 * answers without the polling attributes, so the polling stops, and links to the invoice.
 */

function Checking({ id, lines, problem }: { id: string; lines: number; problem?: string | undefined }) {
  return (
    <Waiting
      poll={`/cabinet/orders/${id}/progress`}
      doing="Проверяем наличие…"
      hint={`Заказ принят (${lines} поз.). Система проверяет каждую позицию по остаткам склада и выставит счёт; на почту придёт письмо.`}
      reload={`/cabinet/orders/${id}`}
    >
      <Alert text={problem} />
    </Waiting>
  );
}

type Part = { ok: true; html: ReturnType<typeof Checking> } | { ok: false; problem: Parameters<typeof problemPage>[1] };

async function progress(c: Context<CabinetEnv>, id: string): Promise<Part> {
  const { client } = session(c);
  const order = await client.call(client.api.v1.orders[':id'].$get({ param: { id } }));
  if (!order.ok) {
    // A hiccup (503 while Temporal or the database restarts) does not end the wait.
    if (order.status >= 500) return { ok: true, html: <Checking id={id} lines={0} problem={order.problem.detail} /> };
    return { ok: false, problem: order.problem };
  }
  const { status, invoiceId, lines, error } = order.data;
  if (status === 'failed') {
    return {
      ok: true,
      html: (
        <section id="progress" class="progress">
          <Alert text={`Заказ не оформлен: ${error ?? 'ошибка проверки'}`} />
        </section>
      ),
    };
  }
  if (status !== 'invoiced' || !invoiceId) return { ok: true, html: <Checking id={id} lines={lines.length} /> };
  const invoice = await client.call(client.api.v1.invoices[':id'].$get({ param: { id: invoiceId } }));
  if (!invoice.ok || invoice.data.status === 'checking') return { ok: true, html: <Checking id={id} lines={lines.length} /> };
  const { number, statusLabel, lines: invoiceLines } = invoice.data;
  const approved = invoiceLines.filter((l) => l.approved > 0).length;
  const rejected = invoiceLines.filter((l) => l.rejected > 0).length;
  return {
    ok: true,
    html: (
      <section id="progress" class="progress done" aria-live="polite">
        <p class="ready">
          Счёт {number} выставлен: <strong>{statusLabel}</strong>.
        </p>
        <p>
          Подтверждено позиций: {approved} из {invoiceLines.length}
          {rejected > 0 ? `; с отказом (полностью или частично): ${rejected}` : ''}.
        </p>
        <p>
          <a class="button primary" href={`/cabinet/invoices/${invoiceId}`}>
            Открыть счёт {number}
          </a>
        </p>
      </section>
    ),
  };
}

export function orderPages(app: Hono<CabinetEnv>): void {
  app.get('/orders/:id', async (c) => {
    const part = await progress(c, c.req.param('id'));
    if (!part.ok) return problemPage(c, part.problem, 'Заказ');
    return render(c, { title: 'Заказ оформлен' }, part.html);
  });

  app.get('/orders/:id/progress', async (c) => {
    const part = await progress(c, c.req.param('id'));
    if (!part.ok) return problemPage(c, part.problem);
    return c.html(part.html);
  });
}
