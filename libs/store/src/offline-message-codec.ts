import { bodyField, readBodyField, RecordReader, type OfflineMessage, type RecordProblem, type StoredMessage } from '@presence/core';

/** Checks every field of an offline message as both stores write it (JSON of its fields: a Redis list entry, a memory store file). */
function readOfflineMessage(r: RecordReader<string>): OfflineMessage {
  const contentType = r.optionalString('contentType');
  const message: OfflineMessage = {
    id: r.string('id'),
    from: r.string('from'),
    to: r.string('to'),
    callId: r.string('callId'),
    cseq: r.count('cseq'),
    date: r.string('date'),
    body: readBodyField(r),
    storedAt: r.count('storedAt'),
    expiresAt: r.count('expiresAt'),
    ...(contentType === undefined ? {} : { contentType }),
  };
  if (!/^\d{16}$/.test(message.id)) throw new Error(`offline message: bad id ${message.id}`);
  return message;
}

/**
 * The JSON both stores write for a message (`extra`: the Redis entry's
 * times, the memory store file's recipient): the body as a BodyField, so a
 * body of any bytes reads back identical, and one of UTF-8 text is written
 * as before (records of older releases, and their readers, still agree).
 */
export function encodeOfflineMessage(message: StoredMessage, extra: Readonly<Record<string, unknown>>): string {
  return JSON.stringify({ ...extra, ...message, ...bodyField(message.body) });
}

/** `fail` turns a problem into the caller's error (CorruptRecordError naming the key, or a file error). */
export function decodeOfflineMessage(text: string, what: string, fail: (problem: RecordProblem) => Error): { message: OfflineMessage; reader: RecordReader<string> } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw fail({ path: '', expected: 'JSON', message: `${what}: not JSON (${(error as Error).message})` });
  }
  const reader = RecordReader.object(value, what, fail);
  return { message: readOfflineMessage(reader), reader };
}
