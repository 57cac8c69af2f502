/**
 * A one-file multipart body for the API, built by hand so that the same form sent twice gives the
 * same bytes: the API binds an Idempotency-Key to a hash of the body, and a FormData's random
 * boundary would turn a double click into "key used for another request" instead of a replay.
 */

const encoder = new TextEncoder();

/** Quotes, CR and LF percent-encoded in a part header, as browsers do. */
const headerSafe = (value: string) => value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

export async function multipartFile(field: string, file: File, seed: string): Promise<{ body: Uint8Array<ArrayBuffer>; contentType: string }> {
  const boundary = `----cabinet-${seed.replace(/[^\w-]/g, '').slice(0, 60)}`;
  const head = encoder.encode(
    `--${boundary}\r\n` +
      `Content-Disposition: form-data; name="${headerSafe(field)}"; filename="${headerSafe(file.name)}"\r\n` +
      `Content-Type: ${headerSafe(file.type || 'application/octet-stream')}\r\n\r\n`,
  );
  const bytes = new Uint8Array(await file.arrayBuffer());
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`);
  const body = new Uint8Array(head.length + bytes.length + tail.length);
  body.set(head, 0);
  body.set(bytes, head.length);
  body.set(tail, head.length + bytes.length);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}
