import type { MiddlewareHandler } from 'hono';
import { sign, verify } from 'hono/jwt';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { customerExists } from '../db/customers.repository.js';
import type { AuthConfig } from '../runtime/config.js';
import { Problem } from './errors.js';

export const ROLES = ['customer', 'manager', 'warehouse', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const ClaimsSchema = z.object({
  sub: z.string().min(1).max(200),
  role: z.enum(ROLES),
  customerId: z.uuid().optional(),
  email: z.email().optional(),
});
export type User = z.infer<typeof ClaimsSchema>;

export interface SignOptions {
  ttlSeconds?: number;
  issuer?: string | undefined;
  audience?: string | undefined;
}

export function signToken(secret: string, user: User, options: SignOptions | number = {}): Promise<string> {
  const { ttlSeconds = 30 * 24 * 3600, issuer, audience } = typeof options === 'number' ? { ttlSeconds: options } : options;
  const now = Math.floor(Date.now() / 1000);
  return sign({ ...user, iat: now, exp: now + ttlSeconds, ...(issuer ? { iss: issuer } : {}), ...(audience ? { aud: audience } : {}) }, secret, 'HS256');
}

const TimeClaims = z.object({
  exp: z.number(),
  iat: z.number().optional(),
  nbf: z.number().optional(),
});

/** The time claims of a verified payload, checked with the configured skew and maximum lifetime. */
function checkTimeClaims(payload: unknown, auth: AuthConfig, now: number): string | undefined {
  const parsed = TimeClaims.safeParse(payload);
  if (!parsed.success) return 'В токене нет срока действия (exp)';
  const { exp, iat, nbf } = parsed.data;
  const skew = auth.clockSkewSeconds;
  if (exp <= now - skew) return 'Срок действия токена истёк';
  if (nbf !== undefined && nbf > now + skew) return 'Токен ещё не действует (nbf)';
  if (iat !== undefined && iat > now + skew) return 'Токен выпущен в будущем (iat)';
  if (exp - (iat ?? now) > auth.maxTtlSeconds + skew) return 'Срок действия токена длиннее допустимого';
  return undefined;
}

/**
 * Verifies the bearer token and puts the user into the context; anything wrong → 401. The token
 * must be HS256 with our key, carry `exp` within the maximum lifetime, honour `nbf`/`iat` with a
 * small clock skew, and match the configured issuer and audience when those are set.
 */
export function authenticate(auth: AuthConfig): MiddlewareHandler<{ Variables: { user: User } }> {
  return async (c, next) => {
    const header = c.req.header('Authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new Problem('unauthorized', 'Нужен заголовок Authorization: Bearer <JWT>');
    let payload: unknown;
    try {
      payload = await verify(match[1], auth.secret, {
        alg: 'HS256',
        // Time claims are checked below with the clock skew; hono's checks have none.
        exp: false,
        nbf: false,
        iat: false,
        ...(auth.issuer ? { iss: auth.issuer } : {}),
        ...(auth.audience ? { aud: auth.audience } : {}),
      });
    } catch {
      throw new Problem('unauthorized', 'Токен недействителен или истёк');
    }
    const timeProblem = checkTimeClaims(payload, auth, Math.floor(Date.now() / 1000));
    if (timeProblem) throw new Problem('unauthorized', timeProblem);
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
  if (!(await customerExists(db, customerId))) throw new Problem('forbidden', 'Компания из токена не зарегистрирована');
  return customerId;
}
