import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** A regular expression found in a source file, as the engine will see it. */
export interface FoundRegex {
  /** file:line, for the failure message. */
  readonly where: string;
  readonly source: string;
  readonly flags: string;
}

/** A `new RegExp(...)` whose pattern is not known without running the code: the test refuses it. */
export interface OpaqueRegex {
  readonly where: string;
  readonly text: string;
}

const TEST_FILE = /\.(test|e2e\.test|load\.test|contract|e2e)\.ts$/;

/** The run-time .ts files under `dir` (not tests, not builds). */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') out.push(...sourceFiles(path));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !TEST_FILE.test(entry.name)) out.push(path);
  }
  return out.sort();
}

/**
 * Every regex literal and every `new RegExp(a, b)` / `RegExp(a, b)` of the
 * files, parsed with the TypeScript compiler rather than matched by text
 * (a `/` is as often division or a comment). A constructor call is checked
 * when its pattern is a string literal or `<literal regex>.source` in the
 * same file; any other is reported as opaque, so a dynamic pattern cannot
 * slip past the check.
 */
export function collectRegexes(root: string, files: readonly string[]): { found: FoundRegex[]; opaque: OpaqueRegex[] } {
  const found: FoundRegex[] = [];
  const opaque: OpaqueRegex[] = [];
  for (const file of files) {
    const sourceFile = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const where = (node: ts.Node) => `${relative(root, file)}:${sourceFile.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    const literals = new Map<string, ts.RegularExpressionLiteral>();
    const visit = (node: ts.Node): void => {
      if (ts.isRegularExpressionLiteral(node)) {
        const text = node.text;
        const lastSlash = text.lastIndexOf('/');
        found.push({ where: where(node), source: text.slice(1, lastSlash), flags: text.slice(lastSlash + 1) });
        if (ts.isVariableDeclaration(node.parent) && ts.isIdentifier(node.parent.name)) literals.set(node.parent.name.text, node);
      } else if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && ts.isIdentifier(node.expression) && node.expression.text === 'RegExp') {
        const [pattern, flags] = node.arguments ?? [];
        const source = pattern === undefined ? '' : constantPattern(pattern, literals);
        const flagText = flags === undefined ? '' : ts.isStringLiteralLike(flags) ? flags.text : undefined;
        if (source === undefined || flagText === undefined) opaque.push({ where: where(node), text: node.getText() });
        else found.push({ where: where(node), source, flags: flagText });
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
  }
  return { found, opaque };
}

function constantPattern(pattern: ts.Expression, literals: ReadonlyMap<string, ts.RegularExpressionLiteral>): string | undefined {
  if (ts.isStringLiteralLike(pattern)) return pattern.text;
  if (ts.isPropertyAccessExpression(pattern) && pattern.name.text === 'source' && ts.isIdentifier(pattern.expression)) {
    const literal = literals.get(pattern.expression.text);
    if (literal !== undefined) return literal.text.slice(1, literal.text.lastIndexOf('/'));
  }
  return undefined;
}
