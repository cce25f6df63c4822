import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PasswordInputError, readNewPassword } from './password-input.js';

/** A stand-in for a terminal: isTTY, setRawMode recorded, keystrokes pushed as the user types them. */
function terminal(): { stdin: PassThrough & { isTTY: boolean; setRawMode(raw: boolean): void }; rawModes: boolean[]; prompts: PassThrough; shown: () => string } {
  const rawModes: boolean[] = [];
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: (raw: boolean) => void rawModes.push(raw) });
  const prompts = new PassThrough();
  let shown = '';
  prompts.setEncoding('utf8').on('data', (chunk: string) => (shown += chunk));
  return { stdin, rawModes, prompts, shown: () => shown };
}

/** Types `keys` once the prompt has been written. */
async function type(stdin: PassThrough, keys: string): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  stdin.write(keys);
}

function piped(text: string | undefined): PassThrough {
  const stdin = new PassThrough();
  if (text === undefined) stdin.end();
  else stdin.end(text);
  return stdin;
}

describe('password input', () => {
  it('stdin - the first line, LF or CR LF ended, or all of it without a line end; nothing is prompted', async () => {
    const prompts = new PassThrough();
    expect(await readNewPassword({ stdin: piped('s3cret\nignored\n'), prompts }, 'sip:a@b')).toBe('s3cret');
    expect(await readNewPassword({ stdin: piped('with space \r\n'), prompts }, 'sip:a@b')).toBe('with space ');
    expect(await readNewPassword({ stdin: piped('no-newline'), prompts }, 'sip:a@b')).toBe('no-newline');
    expect(prompts.read()).toBeNull();
  });

  it('stdin - empty, a blank first line or an endless line is refused', async () => {
    const prompts = new PassThrough();
    await expect(readNewPassword({ stdin: piped(undefined), prompts }, 'sip:a@b')).rejects.toThrow(/no password on stdin/);
    await expect(readNewPassword({ stdin: piped('\nsecond\n'), prompts }, 'sip:a@b')).rejects.toThrow(/empty password/);
    await expect(readNewPassword({ stdin: piped('x'.repeat(5_000)), prompts }, 'sip:a@b')).rejects.toBeInstanceOf(PasswordInputError);
  });

  it('terminal - asked twice in raw mode with nothing echoed; Backspace edits', async () => {
    const t = terminal();
    const reading = readNewPassword(t, 'sip:alice@example.com');
    await type(t.stdin, 'hunter22\u007f\r');
    await type(t.stdin, 'hunter2\r');
    expect(await reading).toBe('hunter2');
    expect(t.shown()).toBe('Password for sip:alice@example.com: \nRetype password: \n');
    expect(t.rawModes).toEqual([true, false, true, false]);
  });

  it('terminal - different passwords, an empty one or Ctrl-C fail, and raw mode is always left', async () => {
    const mismatch = terminal();
    const first = readNewPassword(mismatch, 'sip:a@b');
    await type(mismatch.stdin, 'abc\r');
    await type(mismatch.stdin, 'abd\r');
    await expect(first).rejects.toThrow(new PasswordInputError('passwords do not match'));

    const empty = terminal();
    const second = readNewPassword(empty, 'sip:a@b');
    await type(empty.stdin, '\r');
    await expect(second).rejects.toThrow(/empty password/);
    expect(empty.rawModes).toEqual([true, false]);

    const cancelled = terminal();
    const third = readNewPassword(cancelled, 'sip:a@b');
    await type(cancelled.stdin, 'abc\u0003');
    await expect(third).rejects.toThrow(/cancelled/);
    expect(cancelled.rawModes).toEqual([true, false]);
  });
});
