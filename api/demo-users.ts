import type { DemoSignIn } from '../cabinet/pages/login.js';
import { DEMO_CUSTOMERS, DEMO_MANAGER_EMAIL } from '../db/seed.js';
import type { Config } from '../runtime/config.js';
import { signToken, type User } from './auth.js';

/**
 * The demo sign-ins `npm start` prints tokens for (and the cabinet offers as buttons in
 * development), one per role, matching the seeded customers and manager. In api/, not db/,
 * because a `User` is the HTTP layer's idea.
 */
export const DEMO_USERS: { label: string; user: User }[] = [
  { label: 'customer (ООО «Ромашка»)', user: { sub: 'demo-customer', role: 'customer', customerId: DEMO_CUSTOMERS[0].id } },
  { label: 'customer (ИП Васильева)', user: { sub: 'demo-customer-2', role: 'customer', customerId: DEMO_CUSTOMERS[1].id } },
  { label: 'manager', user: { sub: 'demo-manager', role: 'manager', email: DEMO_MANAGER_EMAIL } },
  { label: 'warehouse', user: { sub: 'demo-warehouse', role: 'warehouse' } },
  { label: 'admin', user: { sub: 'demo-admin', role: 'admin' } },
];

/** A cabinet sign-in token lives at most this long (and never longer than AUTH_JWT_MAX_TTL allows). */
const CABINET_TOKEN_TTL_SECONDS = 12 * 3600;

/**
 * The cabinet's demo sign-in buttons: only with APP_ENV=development (`npm start` sets it), so a
 * production API never hands out tokens. Tokens are signed like any other (issuer and audience
 * included when configured), so the API checks them the same way.
 */
export function demoSignIn(config: Config): DemoSignIn | undefined {
  if (config.appEnv !== 'development') return undefined;
  const { secret, maxTtlSeconds, issuer, audience } = config.auth;
  return {
    labels: DEMO_USERS.map((u) => u.label),
    signIn: async (index) => {
      const demo = DEMO_USERS[index];
      if (!demo) throw new RangeError(`no demo user ${index}`);
      return signToken(secret, demo.user, { ttlSeconds: Math.min(CABINET_TOKEN_TTL_SECONDS, maxTtlSeconds), issuer, audience });
    },
  };
}
