import { randomUUID } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { customerVisibleTo } from '../../db/customers.repository.js';
import { insertPaymentOrder, readPaymentOrder, registerPayment } from '../../db/payments.repository.js';
import { paymentOrderWorkflowId } from '../../core/contracts/ids.js';
import { formatRoubles, parseRoubles } from '../../core/domain/money.js';
import type { paymentOrderWorkflow } from '../../workflows/document.workflow.js';
import { customerIdOf, registeredCustomerId, requireRole } from '../auth.js';
import { Problem } from '../errors.js';
import { resourceId, startOnce } from '../idempotency.js';
import { commonErrors, createRouter, json, Money, MoneyInput, type ApiDeps, problem } from '../router.js';
import { MULTIPART_FILE_BODY, PAYMENT_ORDER_MAX_BYTES, uploadedFile } from '../uploads.js';

/** Accepted payment order files, recognised by their first bytes (the client's type is not trusted). */
const SIGNATURES: { type: string; ext: string; matches: (b: Buffer) => boolean }[] = [
  { type: 'application/pdf', ext: 'pdf', matches: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
  { type: 'image/png', ext: 'png', matches: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { type: 'image/jpeg', ext: 'jpg', matches: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: 'image/tiff', ext: 'tif', matches: (b) => ['49492a00', '4d4d002a'].includes(b.subarray(0, 4).toString('hex')) },
  { type: 'image/webp', ext: 'webp', matches: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
];

export function sniffPaymentOrder(bytes: Buffer): { type: string; ext: string } | undefined {
  return SIGNATURES.find((s) => s.matches(bytes));
}

/** A safe display name: no path, no control characters, the real extension. */
function safeFileName(name: string, ext: string): string {
  const base = (name.split(/[\\/]/).pop() ?? '')
    .replace(/[\u0000-\u001f\u007f"]/g, '')
    .trim()
    .slice(0, 150);
  const stem = base.replace(/\.[^.]*$/, '') || 'Платёжное поручение';
  return `${stem}.${ext}`;
}

const PaymentOrderSchema = z
  .object({ id: z.uuid(), fileName: z.string(), contentType: z.string(), size: z.number().int(), createdAt: z.string() })
  .openapi('PaymentOrder');

const uploadRoute = createRoute({
  method: 'post',
  path: '/v1/payment-orders',
  summary: "Upload a payment order (PDF or image, up to 10 MiB); it is emailed to the customer's manager",
  request: { body: MULTIPART_FILE_BODY },
  responses: {
    202: json(z.object({ id: z.uuid() }), 'Stored; the email to the manager follows'),
    413: problem('file_too_large'),
    415: problem('unsupported_file'),
    ...commonErrors,
  },
});
const getOrderRoute = createRoute({
  method: 'get',
  path: '/v1/payment-orders/{id}',
  summary: 'An uploaded payment order',
  request: { params: z.object({ id: z.uuid() }) },
  responses: { 200: json(PaymentOrderSchema, 'Payment order'), ...commonErrors },
});

const PaymentSchema = z.object({ id: z.uuid(), customerId: z.uuid(), amount: Money, paidAt: z.string(), reference: z.string() }).openapi('Payment');
const paymentRoute = createRoute({
  method: 'post',
  path: '/v1/manager/payments',
  summary: "Manager: register a customer's payment (feeds receivables and settlements)",
  description: 'The bank reference identifies the payment: the same reference again returns the payment already registered (200).',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.object({
            customerId: z.uuid(),
            amount: MoneyInput,
            paidAt: z.iso.date(),
            reference: z.string().trim().min(1).max(100).openapi({ example: 'п/п 123 от 27.11.2026' }),
          }),
        },
      },
    },
  },
  responses: { 201: json(PaymentSchema, 'Registered'), 200: json(PaymentSchema, 'Already registered with this reference'), ...commonErrors },
});

export function paymentRoutes({ db, temporal, config }: ApiDeps) {
  const router = createRouter();
  router.use('/v1/payment-orders', requireRole('customer'));
  router.use('/v1/payment-orders/*', requireRole('customer'));
  return router
    .openapi(uploadRoute, async (c) => {
      const customerId = customerIdOf(c.get('user'));
      const file = await uploadedFile(await c.req.parseBody(), PAYMENT_ORDER_MAX_BYTES);
      const kind = sniffPaymentOrder(file.bytes);
      if (!kind) throw new Problem('unsupported_file', 'Платёжное поручение принимается в PDF или как изображение (PNG, JPEG, TIFF, WebP)');
      await registeredCustomerId(db, c.get('user'));
      const id = resourceId(c);
      const fileName = safeFileName(file.name, kind.ext);
      await insertPaymentOrder(db, { id, customerId, fileName, contentType: kind.type, content: file.bytes });
      await startOnce(
        temporal.workflow.start<typeof paymentOrderWorkflow>('paymentOrderWorkflow', {
          workflowId: paymentOrderWorkflowId(id),
          // A retry under the same key finds the first attempt's workflow: the manager is told once.
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          taskQueue: config.temporal.taskQueue,
          args: [{ paymentOrderId: id, customerId, fileName }],
          staticSummary: `Платёжное поручение клиента ${customerId} → менеджеру`,
        }),
      );
      return c.json({ id }, 202, { Location: `/v1/payment-orders/${id}` });
    })
    .openapi(getOrderRoute, async (c) => {
      const order = await readPaymentOrder(db, c.req.valid('param').id);
      if (order?.customerId !== customerIdOf(c.get('user'))) throw new Problem('not_found', 'Платёжное поручение не найдено');
      return c.json(
        {
          id: c.req.valid('param').id,
          fileName: order.fileName,
          contentType: order.contentType,
          size: order.sizeBytes,
          createdAt: order.createdAt.toISOString(),
        },
        200,
      );
    })
    .openapi(paymentRoute, async (c) => {
      const user = c.get('user');
      const body = c.req.valid('json');
      const amountKopecks = parseRoubles(body.amount) ?? 0;
      if (amountKopecks <= 0) throw new Problem('validation_failed', 'Сумма должна быть больше 0', [{ path: 'json.amount', message: 'больше 0' }]);
      // A manager sees only its own customers; another's does not exist for it.
      if (!(await customerVisibleTo(db, body.customerId, user.role === 'admin' ? 'all' : { managerEmail: user.email ?? '' })))
        throw new Problem('not_found', 'Клиент не найден');
      const { payment, created } = await registerPayment(db, {
        id: randomUUID(),
        customerId: body.customerId,
        amountKopecks,
        paidAt: body.paidAt,
        reference: body.reference,
        registeredBy: user.sub,
      });
      if (!created && (payment.amountKopecks !== amountKopecks || payment.paidAt !== body.paidAt)) {
        throw new Problem(
          'validation_failed',
          `Платёж «${body.reference}» уже зарегистрирован: ${formatRoubles(payment.amountKopecks)} руб. от ${payment.paidAt}`,
          [{ path: 'json.reference', message: 'already registered with another amount or date' }],
        );
      }
      const view = {
        id: payment.id,
        customerId: body.customerId,
        amount: formatRoubles(payment.amountKopecks),
        paidAt: payment.paidAt,
        reference: payment.reference,
      };
      return created ? c.json(view, 201) : c.json(view, 200);
    });
}
