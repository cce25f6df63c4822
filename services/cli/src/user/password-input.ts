/** Where a password comes from: stdin, which may be a terminal, and where prompts go (stderr, so stdout stays clean). */
export interface PasswordInput {
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean; setRawMode?(raw: boolean): unknown };
  readonly prompts: NodeJS.WritableStream;
}

/** A password that cannot be had: the message names why; the command fails with exit code 1. */
export class PasswordInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PasswordInputError';
  }
}

/** Longest password line accepted on stdin; more is refused rather than cut. */
const MAX_PASSWORD_CHARS = 1024;

/**
 * The new password of `aor`, never from the command line: on a terminal it is
 * asked twice without echo and both must match; otherwise it is the first
 * line of stdin (CR LF or LF ended, or the whole input when it has no line
 * end). An empty password is refused.
 */
export async function readNewPassword(input: PasswordInput, aor: string): Promise<string> {
  let password: string;
  if (input.stdin.isTTY === true && typeof input.stdin.setRawMode === 'function') {
    password = await promptHidden(input, `Password for ${aor}: `);
    if (password === '') throw new PasswordInputError('empty password refused');
    const again = await promptHidden(input, 'Retype password: ');
    if (again !== password) throw new PasswordInputError('passwords do not match');
  } else {
    password = await firstLine(input.stdin);
  }
  if (password === '') throw new PasswordInputError('empty password refused');
  return password;
}

/** The first line of a non-terminal stdin; stops reading at its end. */
function firstLine(stdin: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = (error: Error | undefined, line?: string): void => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', onError);
      stdin.pause();
      if (error) reject(error);
      else resolve(line as string);
    };
    const onData = (chunk: string | Buffer): void => {
      text += chunk.toString();
      const end = text.indexOf('\n');
      if (end !== -1) finish(undefined, text.slice(0, end).replace(/\r$/, ''));
      else if (text.length > MAX_PASSWORD_CHARS) finish(new PasswordInputError(`password line longer than ${MAX_PASSWORD_CHARS} characters`));
    };
    const onEnd = (): void => {
      if (text === '') finish(new PasswordInputError('no password on stdin (give it as the first line, or run on a terminal to be asked)'));
      else finish(undefined, text.replace(/\r$/, ''));
    };
    const onError = (error: Error): void => finish(new PasswordInputError(`cannot read the password from stdin: ${error.message}`));
    stdin.setEncoding('utf8');
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.on('error', onError);
    stdin.resume();
  });
}

/** One line typed on the terminal in raw mode, echoing nothing; Backspace edits, Ctrl-C or Ctrl-D cancel. */
function promptHidden(input: PasswordInput, prompt: string): Promise<string> {
  const { stdin, prompts } = input;
  prompts.write(prompt);
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error: Error | undefined): void => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      prompts.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: string | Buffer): void => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n') return finish(undefined);
        if (char === '\u0003' || char === '\u0004') return finish(new PasswordInputError('cancelled'));
        if (char === '\u007f' || char === '\b') {
          typed = Array.from(typed).slice(0, -1).join('');
        } else if (char >= ' ') {
          typed += char;
          if (typed.length > MAX_PASSWORD_CHARS) return finish(new PasswordInputError(`password longer than ${MAX_PASSWORD_CHARS} characters`));
        }
      }
    };
    stdin.setEncoding('utf8');
    stdin.setRawMode?.(true);
    stdin.on('data', onData);
    stdin.resume();
  });
}
