import { createRoute, z } from '@hono/zod-openapi';
import { emailNotificationsOf, setEmailNotifications } from '../../db/customers.repository.js';
import { customerIdOf, requireRole } from '../auth.js';
import { Problem } from '../errors.js';
import { commonErrors, createRouter, json, type ApiDeps } from '../router.js';

const SettingsSchema = z.object({ emailNotifications: z.boolean() }).openapi('Settings');
const getRoute = createRoute({
  method: 'get',
  path: '/v1/settings',
  summary: 'Notification settings',
  responses: { 200: json(SettingsSchema, 'Settings'), ...commonErrors },
});
const putRoute = createRoute({
  method: 'put',
  path: '/v1/settings',
  summary: 'Switch order and invoice emails on or off',
  request: { body: { content: { 'application/json': { schema: SettingsSchema } }, required: true } },
  responses: { 200: json(SettingsSchema, 'Settings'), ...commonErrors },
});

export function settingsRoutes({ db }: ApiDeps) {
  const router = createRouter();
  router.use('/v1/settings', requireRole('customer'));
  return router
    .openapi(getRoute, async (c) => {
      const emailNotifications = await emailNotificationsOf(db, customerIdOf(c.get('user')));
      if (emailNotifications === undefined) throw new Problem('not_found', 'Компания не найдена');
      return c.json({ emailNotifications }, 200);
    })
    .openapi(putRoute, async (c) => {
      const stored = await setEmailNotifications(db, customerIdOf(c.get('user')), c.req.valid('json').emailNotifications);
      if (stored === undefined) throw new Problem('not_found', 'Компания не найдена');
      return c.json({ emailNotifications: stored }, 200);
    });
}
