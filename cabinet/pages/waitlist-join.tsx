/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { FormKey, keyHeaders, quantityOf } from '../forms.js';
import { Alert, problemPage, render } from '../layout.js';
import { session, type CabinetEnv } from '../session.js';

/**
 * «Сообщить о поступлении» where the customer meets missing stock: under an invoice line with
 * rejected pieces (their number, tied to that invoice) and on a catalog card with nothing
 * available (a quantity field). With htmx the answer lands in the form's own output.
 */

interface JoinProps {
  /** Unique on the page: names the form's controls. */
  id: string;
  sku: string;
  /** For the hidden text of the button and the label: which product. */
  title: string;
  /** Fixed (an invoice's rejected pieces), or a field starting at 1 when absent. */
  quantity?: number;
  invoiceId?: string;
}

export function JoinWaitlist({ id, sku, title, quantity, invoiceId }: JoinProps) {
  const out = `${id}-wl`;
  return (
    <form method="post" action="/cabinet/waitlist" class="wl-join" hx-post="/cabinet/waitlist" hx-target={`#${out}`}>
      <FormKey />
      <input type="hidden" name="sku" value={sku} />
      {invoiceId && <input type="hidden" name="invoiceId" value={invoiceId} />}
      {quantity === undefined ? (
        <>
          <label for={`${out}-qty`}>Сколько ждёте</label>
          <input id={`${out}-qty`} name="quantity" type="number" inputmode="numeric" min="1" value="1" required />
        </>
      ) : (
        <input type="hidden" name="quantity" value={String(quantity)} />
      )}
      {/* The product in the name: a page may have several such buttons. */}
      <button type="submit" class="secondary" aria-label={`Сообщить о поступлении: ${title}${quantity === undefined ? '' : `, ${quantity} шт.`}`}>
        Сообщить о поступлении
      </button>
      <output id={out} class="added" aria-live="polite"></output>
    </form>
  );
}

export function waitlistJoinPages(app: Hono<CabinetEnv>): void {
  app.post('/waitlist', async (c) => {
    const { client } = session(c);
    const form = await c.req.parseBody();
    const htmx = Boolean(c.req.header('HX-Request'));
    const sku = typeof form.sku === 'string' ? form.sku : '';
    const quantity = quantityOf(form.quantity);
    const invoiceId = typeof form.invoiceId === 'string' && form.invoiceId ? form.invoiceId : undefined;
    const refuse = (text: string, status: number) =>
      htmx ? c.html(<Alert text={text} />, status as ContentfulStatusCode) : render(c, { title: 'Лист ожидания', error: text, status }, <Back />);
    if (!sku || !quantity) return refuse('Укажите количество целым числом больше нуля', 400);
    const result = await client.call(client.api.v1.waitlist.$post({ json: { sku, quantity, ...(invoiceId ? { invoiceId } : {}) } }, keyHeaders(form)));
    if (!result.ok) return result.status === 401 ? problemPage(c, result.problem) : refuse(result.problem.detail, result.status);
    if (!htmx) return c.redirect('/cabinet/waitlist', 303);
    const { status, position } = result.data;
    // Stock may have been free at once: then it is held already, not waiting.
    const said = status === 'offered' ? 'Товар уже отложен для вас' : `Вы в листе ожидания: место в очереди ${position ?? '—'}`;
    return c.html(
      <>
        {said}. <a href="/cabinet/waitlist">Лист ожидания</a>
      </>,
    );
  });
}

function Back() {
  return (
    <p>
      <a href="/cabinet/waitlist">Лист ожидания</a> · <a href="/cabinet/catalog">Каталог</a>
    </p>
  );
}
