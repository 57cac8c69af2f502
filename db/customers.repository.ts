import type { Db } from './database.js';

/** Customer companies: who they are, who manages them, whether they want status emails. */

export async function customerExists(db: Db, id: string): Promise<boolean> {
  const found = await db.selectFrom('customers').select('id').where('id', '=', id).executeTakeFirst();
  return found !== undefined;
}

/** Whether the customer exists for this caller: a manager sees only its own customers (by email, any case). */
export async function customerVisibleTo(db: Db, id: string, who: { managerEmail: string } | 'all'): Promise<boolean> {
  let q = db.selectFrom('customers').select('id').where('id', '=', id);
  if (who !== 'all') q = q.where((eb) => eb(eb.fn('lower', ['manager_email']), '=', who.managerEmail.toLowerCase()));
  return (await q.executeTakeFirst()) !== undefined;
}

export async function findCustomerName(db: Db, id: string): Promise<string | undefined> {
  const row = await db.selectFrom('customers').select('name').where('id', '=', id).executeTakeFirst();
  return row?.name;
}

/** What documents print about the customer. */
export function findCustomerRequisites(db: Db, id: string): Promise<{ name: string; inn: string | null } | undefined> {
  return db.selectFrom('customers').select(['name', 'inn']).where('id', '=', id).executeTakeFirst();
}

/** Where and whether emails about the customer go. */
export async function findCustomerContacts(
  db: Db,
  id: string,
): Promise<{ name: string; email: string; emailNotifications: boolean; managerEmail: string } | undefined> {
  const row = await db.selectFrom('customers').select(['name', 'email', 'email_notifications', 'manager_email']).where('id', '=', id).executeTakeFirst();
  return row && { name: row.name, email: row.email, emailNotifications: row.email_notifications, managerEmail: row.manager_email };
}

/** undefined when the customer does not exist. */
export async function emailNotificationsOf(db: Db, id: string): Promise<boolean | undefined> {
  const row = await db.selectFrom('customers').select('email_notifications').where('id', '=', id).executeTakeFirst();
  return row?.email_notifications;
}

/** Returns the stored setting, or undefined when the customer does not exist. */
export async function setEmailNotifications(db: Db, id: string, on: boolean): Promise<boolean | undefined> {
  const row = await db.updateTable('customers').set({ email_notifications: on }).where('id', '=', id).returning('email_notifications').executeTakeFirst();
  return row?.email_notifications;
}

export async function createCustomer(db: Db, c: { id: string; name: string; email: string; inn: string | null; managerEmail: string }): Promise<void> {
  await db.insertInto('customers').values({ id: c.id, name: c.name, email: c.email, inn: c.inn, manager_email: c.managerEmail }).execute();
}
