/**
 * The closed vocabulary of business failures. The same string is the API's problem `code`,
 * the `type` of an `ApplicationFailure` thrown by workflows and activities, and the key of the
 * HTTP status map in `api/errors.ts` (which must list every code).
 */
export const FAILURE_CODES = {
  /** The request body, query or path is malformed; the caller fixes the listed fields. */
  validation_failed: 'Запрос содержит ошибки',
  /** No valid bearer token; the caller signs in again. */
  unauthorized: 'Требуется вход в систему',
  /** The body is not what its Content-Type says (malformed JSON or multipart, invalid UTF-8); the caller fixes the encoding. */
  malformed_body: 'Тело запроса не разобрать',
  /** The body's Content-Type is not accepted by this route (JSON routes take application/json). */
  unsupported_media_type: 'Неподдерживаемый тип содержимого',
  /** The body is larger than the route accepts; refused before it is read. */
  payload_too_large: 'Тело запроса слишком большое',
  /** The HTTP method is not one this API serves (e.g. TRACE). */
  method_not_allowed: 'Метод не поддерживается',
  /** Too many write requests for one token; the caller waits `Retry-After` seconds. */
  rate_limited: 'Слишком много запросов',
  /** A cart, invoice or merge would exceed the allowed number of lines; the caller splits the order. */
  too_many_lines: 'Слишком много позиций',
  /** The caller's role may not do this; nothing to retry. */
  forbidden: 'Недостаточно прав',
  /** The object does not exist or belongs to another company; the caller refreshes its list. */
  not_found: 'Не найдено',
  /** Checkout of an empty cart; the caller adds items first. */
  empty_cart: 'Корзина пуста',
  /** The SKU is not in the catalog; the caller picks another. */
  unknown_sku: 'Неизвестный артикул',
  /** The invoice is sent for shipment (or later) and accepts no changes. */
  invoice_locked: 'Счёт заблокирован для изменений',
  /** The action is not allowed from the invoice's current status; `detail` says why. */
  invalid_transition: 'Действие недоступно в текущем статусе',
  /** `If-Match` names an old version; the caller re-reads the invoice and retries. */
  version_conflict: 'Счёт был изменён другим запросом',
  /** A report period reaches further back than allowed; the customer contacts the manager. */
  period_too_long: 'Период слишком длинный',
  /** An uploaded file exceeds the size limit. */
  file_too_large: 'Файл слишком большой',
  /** An uploaded file is not of an accepted type or is damaged. */
  unsupported_file: 'Неподдерживаемый файл',
  /** The same Idempotency-Key came with a different request; the caller uses a new key. */
  idempotency_key_reused: 'Ключ идемпотентности уже использован для другого запроса',
  /** The first request with this Idempotency-Key is still running; the caller retries later. */
  idempotency_in_progress: 'Запрос с этим ключом идемпотентности ещё выполняется',
  /** Stock cannot go below zero or below what the warehouse already shipped. */
  invalid_stock: 'Недопустимый остаток',
  /** The email provider refused a message permanently (bad address, bad request). */
  email_rejected: 'Письмо отклонено почтовым сервисом',
  /** A dependency (database, Temporal) is not reachable; the caller retries later. */
  unavailable: 'Сервис временно недоступен',
  /** Anything unexpected; logged with the request id. */
  internal: 'Внутренняя ошибка',
} as const;

export type FailureCode = keyof typeof FAILURE_CODES;

export function isFailureCode(value: unknown): value is FailureCode {
  return typeof value === 'string' && Object.hasOwn(FAILURE_CODES, value);
}
