import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/database.js';
import { signToken, type User } from '../../api/auth.js';

export const TEST_SECRET = 'test-secret-0123456789abcdef-0123456789';

export async function addCustomer(db: Db, overrides: { managerEmail?: string; notifications?: boolean } = {}): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('customers')
    .values({
      id,
      name: `ООО «Тест ${id.slice(0, 4)}»`,
      email: `buyer-${id.slice(0, 8)}@shop.example`,
      inn: null,
      manager_email: overrides.managerEmail ?? 'manager@supplier.example',
      email_notifications: overrides.notifications ?? true,
    })
    .execute();
  return id;
}

export async function addProduct(
  db: Db,
  sku: string,
  opts: { onHand?: number; priceKopecks?: number; piecesPerBox?: number; name?: string } = {},
): Promise<void> {
  await db
    .insertInto('products')
    .values({
      sku,
      article: sku.split('-')[0] ?? sku,
      name: opts.name ?? `Колготки ${sku}`,
      characteristic: 'размер 3, чёрный',
      price_kopecks: opts.priceKopecks ?? 14990,
      pieces_per_box: opts.piecesPerBox ?? 10,
      certificate_number: 'ЕАЭС RU Д-RU.ТЕСТ.00001/24',
      certificate_valid_until: '2029-12-31',
    })
    .execute();
  await db
    .insertInto('stock')
    .values({ sku, on_hand: opts.onHand ?? 100 })
    .execute();
}

export async function stockOf(db: Db, sku: string): Promise<{ onHand: number; reserved: number; reservationsSum: number }> {
  const row = await db.selectFrom('stock').select(['on_hand', 'reserved']).where('sku', '=', sku).executeTakeFirstOrThrow();
  const sum = await db
    .selectFrom('reservations')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('quantity'), eb.val('0')).as('total'))
    .where('sku', '=', sku)
    .executeTakeFirstOrThrow();
  return { onHand: row.on_hand, reserved: row.reserved, reservationsSum: Number(sum.total) };
}

export const customerUser = (customerId: string): User => ({ sub: `user-${customerId.slice(0, 8)}`, role: 'customer', customerId });

export async function bearer(user: User, secret = TEST_SECRET): Promise<Record<string, string>> {
  return { Authorization: `Bearer ${await signToken(secret, user)}` };
}
