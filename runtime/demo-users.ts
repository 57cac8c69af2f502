import type { User } from '../api/auth.js';
import { DEMO_CUSTOMERS, DEMO_MANAGER_EMAIL } from '../db/seed.js';

/**
 * The demo sign-ins `npm start` prints tokens for, one per role, matching the seeded customers
 * and manager. Here, not in db/, because a `User` is the HTTP layer's idea.
 */
export const DEMO_USERS: { label: string; user: User }[] = [
  { label: 'customer (ООО «Ромашка»)', user: { sub: 'demo-customer', role: 'customer', customerId: DEMO_CUSTOMERS[0].id } },
  { label: 'customer (ИП Васильева)', user: { sub: 'demo-customer-2', role: 'customer', customerId: DEMO_CUSTOMERS[1].id } },
  { label: 'manager', user: { sub: 'demo-manager', role: 'manager', email: DEMO_MANAGER_EMAIL } },
  { label: 'warehouse', user: { sub: 'demo-warehouse', role: 'warehouse' } },
  { label: 'admin', user: { sub: 'demo-admin', role: 'admin' } },
];
