import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { runInContext, type Context } from 'node:vm';
import ts from 'typescript';

/**
 * Loads a k6 script into a VU's context the way k6 does: ES modules, `.ts`
 * files with their types stripped (k6 ≥ 0.57 runs TypeScript directly),
 * relative imports by their exact file name, `k6/...` modules from the
 * runtime. Anything else (Node built-ins, npm packages) fails to load, as it
 * would in k6.
 */
export function loadScript(scriptPath: string, context: Context, builtins: ReadonlyMap<string, unknown>): Record<string, unknown> {
  const cache = new Map<string, { exports: Record<string, unknown> }>();

  const load = (file: string): Record<string, unknown> => {
    const cached = cache.get(file);
    if (cached !== undefined) return cached.exports;
    const module = { exports: {} as Record<string, unknown> };
    cache.set(file, module);
    const source = readFileSync(file, 'utf8');
    const { outputText } = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: false, sourceMap: false },
    });
    // One line of wrapper before the code, so error line numbers stay close to the source's.
    const wrapper = runInContext(`(function (exports, require, module) {${outputText}\n})`, context, { filename: file }) as (
      exports: Record<string, unknown>,
      require: (specifier: string) => unknown,
      module: { exports: Record<string, unknown> },
    ) => void;
    wrapper(module.exports, (specifier) => requireFrom(dirname(file), specifier), module);
    return module.exports;
  };

  const requireFrom = (dir: string, specifier: string): unknown => {
    if (builtins.has(specifier)) return builtins.get(specifier);
    if (specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('/')) return load(resolve(dir, specifier));
    throw new Error(`k6 has no module "${specifier}" (only k6/... modules and relative files load in k6)`);
  };

  return load(resolve(scriptPath));
}
