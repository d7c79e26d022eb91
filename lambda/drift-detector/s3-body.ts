/** Reading an S3 object's Body the same way for the baseline and the capture files. */
import { Readable } from 'node:stream';
import { InputError } from '../shared/errors';

/** GetObject's Body as a Node stream (Lambda's SDK gives an IncomingMessage; mocks may give other shapes). */
export async function bodyStream(body: unknown): Promise<Readable> {
  if (body instanceof Readable) return body;
  if (body && typeof (body as { transformToByteArray?: unknown }).transformToByteArray === 'function') {
    return Readable.from([
      Buffer.from(await (body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()),
    ]);
  }
  if (typeof body === 'string' || body instanceof Uint8Array) return Readable.from([Buffer.from(body)]);
  throw new InputError('GetObject returned no readable Body');
}
