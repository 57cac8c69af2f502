import type { MiddlewareHandler } from 'hono';
import { sign, verify } from 'hono/jwt';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { Problem } from './errors.js';

export const ROLES = ['customer', 'manager', 'warehouse', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const ClaimsSchema = z.object({
  sub: z.string().min(1),
  role: z.enum(ROLES),
  customerId: z.uuid().optional(),
  email: z.email().optional(),
});
export type User = z.infer<typeof ClaimsSchema>;

export function signToken(secret: string, user: User, ttlSeconds = 30 * 24 * 3600): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign({ ...user, iat: now, exp: now + ttlSeconds }, secret, 'HS256');
}

/** Verifies the bearer token and puts the user into the context; anything wrong → 401. */
export function authenticate(secret: string): MiddlewareHandler<{ Variables: { user: User } }> {
  return async (c, next) => {
    const header = c.req.header('Authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new Problem('unauthorized', 'Нужен заголовок Authorization: Bearer <JWT>');
    let payload: unknown;
    try {
      payload = await verify(match[1], secret, 'HS256');
    } catch {
      throw new Problem('unauthorized', 'Токен недействителен или истёк');
    }
    const claims = ClaimsSchema.safeParse(payload);
    if (!claims.success) throw new Problem('unauthorized', 'В токене нет нужных полей (sub, role)');
    const user = claims.data;
    if (user.role === 'customer' && !user.customerId) throw new Problem('unauthorized', 'В токене клиента нет customerId');
    if (user.role === 'manager' && !user.email) throw new Problem('unauthorized', 'В токене менеджера нет email');
    c.set('user', user);
    await next();
  };
}

export function requireRole(...roles: Role[]): MiddlewareHandler<{ Variables: { user: User } }> {
  return async (c, next) => {
    const { role } = c.get('user');
    // admin may do everything the other roles may
    if (role !== 'admin' && !roles.includes(role)) throw new Problem('forbidden', `Роль «${role}» не может выполнить это действие`);
    await next();
  };
}

/** The customer id of a customer caller; other roles are refused. */
export function customerIdOf(user: User): string {
  if (user.role !== 'customer' || !user.customerId) throw new Problem('forbidden', 'Действие доступно только клиенту');
  return user.customerId;
}

/** The customer id of a customer caller whose company is registered (a token can outlive its company). */
export async function registeredCustomerId(db: Db, user: User): Promise<string> {
  const customerId = customerIdOf(user);
  const found = await db.selectFrom('customers').select('id').where('id', '=', customerId).executeTakeFirst();
  if (!found) throw new Problem('forbidden', 'Компания из токена не зарегистрирована');
  return customerId;
}
