/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import { render } from '../layout.js';
import { clientFor, endSession, safeNext, startSession, type ApiFetch, type CabinetEnv } from '../session.js';

/**
 * Sign-in. In development: one button per demo user that `npm start` seeds (the server signs the
 * token; the page never sees a key). In production the portal signs its user in by sending the
 * token it already holds, once: `GET /cabinet/login?token=<JWT>` (or the form below) turns it into
 * an HttpOnly cookie; a portal that proxies the cabinet may instead send `Authorization: Bearer`.
 */
export interface DemoSignIn {
  labels: readonly string[];
  /** A fresh token for the demo user at this index of `labels`. */
  signIn(index: number): Promise<string>;
}

function loginPage(c: Context<CabinetEnv>, demo: DemoSignIn | undefined, notice: string | undefined, error: string | undefined, status = 200) {
  const next = safeNext(c.req.query('next'));
  const Next = () => (next ? <input type="hidden" name="next" value={next} /> : null);
  return render(
    c,
    { title: 'Вход', notice, error, status },
    <>
      {demo && (
        <section aria-labelledby="demo-heading">
          <h2 id="demo-heading">Демо-пользователи</h2>
          <p class="hint">Только для разработки: войти под пользователем, которого создал npm start.</p>
          <ul class="buttons">
            {demo.labels.map((label, index) => (
              <li>
                <form method="post" action="/cabinet/login">
                  <input type="hidden" name="demo" value={String(index)} />
                  <Next />
                  <button type="submit">Войти: {label}</button>
                </form>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="token-heading">
        <h2 id="token-heading">Вход с токеном портала</h2>
        <form method="post" action="/cabinet/login" class="stack">
          <label for="token">Токен (JWT), выданный порталом</label>
          <textarea id="token" name="token" rows={3} required autocomplete="off" spellcheck={false}></textarea>
          <Next />
          <button type="submit">Войти</button>
        </form>
      </section>
    </>,
  );
}

export function loginPages(app: Hono<CabinetEnv>, api: ApiFetch, demo: DemoSignIn | undefined): void {
  /** A token is accepted when the API accepts it: the cabinet holds no key to check one itself. */
  async function accept(c: Context<CabinetEnv>, token: string, next: unknown) {
    const { api: v, call } = clientFor(api, token, c.get('requestId'));
    const probe = await call(v.v1.catalog.products.$get({ query: { limit: '1' } }));
    if (!probe.ok) return loginPage(c, demo, undefined, probe.problem.detail, probe.status);
    startSession(c, token);
    return c.redirect(safeNext(next) ?? '/cabinet', 303);
  }

  app.get('/login', async (c) => {
    const token = c.req.query('token');
    if (token) return accept(c, token.trim(), c.req.query('next'));
    const expired = c.req.query('expired') ? 'Сессия закончилась: войдите снова.' : undefined;
    return loginPage(c, demo, expired, undefined);
  });

  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const demoIndex = typeof form.demo === 'string' ? Number(form.demo) : NaN;
    if (demo && Number.isInteger(demoIndex) && demoIndex >= 0 && demoIndex < demo.labels.length) {
      return accept(c, await demo.signIn(demoIndex), form.next);
    }
    if (typeof form.token === 'string' && form.token.trim()) return accept(c, form.token.trim(), form.next);
    return loginPage(c, demo, undefined, 'Выберите пользователя или вставьте токен', 400);
  });

  app.post('/logout', (c) => {
    endSession(c);
    return c.redirect('/cabinet/login', 303);
  });
}
