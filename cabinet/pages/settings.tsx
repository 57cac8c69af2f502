/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import { FormKey, keyHeaders } from '../forms.js';
import { problemPage, render } from '../layout.js';
import { session, type CabinetEnv } from '../session.js';

/**
 * The customer's settings: the email notifications switch ("ВКЛ/ВЫКЛ", GET/PUT /v1/settings).
 * Off stops order and invoice status emails; documents the customer asks for still arrive.
 */

async function settingsPage(c: Context<CabinetEnv>, message: { notice?: string | undefined; error?: string | undefined; status?: number } = {}) {
  const { client } = session(c);
  const settings = await client.call(client.api.v1.settings.$get());
  if (!settings.ok) return problemPage(c, settings.problem, 'Настройки');
  const on = settings.data.emailNotifications;
  return render(
    c,
    { title: 'Настройки', ...message },
    <form method="post" action="/cabinet/settings" class="stack settings">
      <FormKey />
      {/* An unticked box sends nothing: this field says the form was sent at all. */}
      <input type="hidden" name="sent" value="yes" />
      <fieldset>
        <legend>Уведомления по почте</legend>
        <label class="choice">
          <input type="checkbox" name="emailNotifications" value="on" checked={on} /> Присылать письма о заказах и счетах
        </label>
        <p class="muted">
          Сейчас: <strong>{on ? 'ВКЛ' : 'ВЫКЛ'}</strong>. Документы, которые вы запрашиваете сами (опись, отчёты, счёт на оплату), приходят на почту всегда.
        </p>
      </fieldset>
      <button type="submit" class="primary">
        Сохранить настройки
      </button>
    </form>,
  );
}

export function settingsPages(app: Hono<CabinetEnv>): void {
  app.get('/settings', (c) => settingsPage(c, { notice: c.req.query('saved') === '1' ? 'Настройки сохранены.' : undefined }));

  app.post('/settings', async (c) => {
    const { client } = session(c);
    const form = await c.req.parseBody();
    if (form.sent !== 'yes') return settingsPage(c, { error: 'Форма пришла неполной: сохраните настройки ещё раз', status: 400 });
    const emailNotifications = form.emailNotifications === 'on';
    const result = await client.call(client.api.v1.settings.$put({ json: { emailNotifications } }, keyHeaders(form)));
    if (!result.ok) return result.status === 401 ? problemPage(c, result.problem) : settingsPage(c, { error: result.problem.detail, status: result.status });
    return c.redirect('/cabinet/settings?saved=1', 303);
  });
}
