import { RecordReader, type OfflineMessage, type RecordProblem } from '@presence/core';

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
    body: r.string('body'),
    storedAt: r.count('storedAt'),
    expiresAt: r.count('expiresAt'),
    ...(contentType === undefined ? {} : { contentType }),
  };
  if (!/^\d{16}$/.test(message.id)) throw new Error(`offline message: bad id ${message.id}`);
  return message;
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
