import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { EN } from '../../tab/strings';

/**
 * Every word a reader sees in the tab comes from the string catalogue (tab/strings), so a second
 * language is one more object of the `Catalogue` shape. This scan fails on English typed straight
 * into a .tsx file: JSX text, or a string literal given to a prop a reader hears or sees.
 */

const TAB = join(__dirname, '..', '..', 'tab');

/** Props whose value is read out or shown: a literal here is text that escaped the catalogue. */
const READER_PROPS = new Set(['aria-label', 'title', 'placeholder', 'label', 'alt', 'aria-description', 'aria-valuetext', 'content', 'hint', 'validationMessage', 'header', 'subtitle', 'description']);

function tsxFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsxFiles(path);
    return entry.name.endsWith('.tsx') && !entry.name.endsWith('.test.tsx') ? [path] : [];
  });
}

/** Text a reader would see: has a letter (punctuation, "—" and "·" separators are layout, not language). */
const hasWords = (text: string): boolean => /\p{L}/u.test(text);

/** Every literal in `source` that a reader sees, as "line: text". */
export function strayLiterals(fileName: string, source: string): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const report = (node: ts.Node, text: string) => found.push(`${file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1}: ${text.trim()}`);
  const literalIn = (expr: ts.Expression | undefined): ts.Node[] => {
    if (!expr) return [];
    if (ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr)) return hasWords(expr.text) ? [expr] : [];
    if (ts.isTemplateExpression(expr)) return [expr.head, ...expr.templateSpans.map((span) => span.literal)].some((part) => hasWords(part.text)) ? [expr] : expr.templateSpans.flatMap((span) => literalIn(span.expression));
    if (ts.isConditionalExpression(expr)) return [...literalIn(expr.whenTrue), ...literalIn(expr.whenFalse)];
    if (ts.isBinaryExpression(expr) && [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.PlusToken, ts.SyntaxKind.AmpersandAmpersandToken].includes(expr.operatorToken.kind))
      return [...literalIn(expr.left), ...literalIn(expr.right)];
    if (ts.isParenthesizedExpression(expr)) return literalIn(expr.expression);
    return [];
  };
  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node) && hasWords(node.text)) report(node, node.text);
    if (ts.isJsxExpression(node) && node.parent && (ts.isJsxElement(node.parent) || ts.isJsxFragment(node.parent))) literalIn(node.expression).forEach((lit) => report(lit, lit.getText(file)));
    if (ts.isJsxAttribute(node) && READER_PROPS.has(node.name.getText(file)) && node.initializer) {
      const init = node.initializer;
      if (ts.isStringLiteral(init) && hasWords(init.text)) report(init, init.text);
      if (ts.isJsxExpression(init)) literalIn(init.expression).forEach((lit) => report(lit, lit.getText(file)));
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe('the string catalogue', () => {
  it('holds every literal a reader sees in the tab (.tsx files)', () => {
    const stray = tsxFiles(TAB)
      .map((path) => ({ file: relative(TAB, path).split('\\').join('/'), path }))
      .flatMap(({ file, path }) => strayLiterals(file, readFileSync(path, 'utf8')).map((where) => `tab/${file}:${where}`));
    expect(stray).toEqual([]);
  });

  it('catches the literals it is meant to catch, and lets catalogue reads and layout through', () => {
    const sample = `const A = () => <div aria-label="Close" title={busy ? 'Saving' : t.saved}>Hello {name} {'again'} {t.x} — · {n}<Input placeholder={\`Search \${n}\`} label={t.l} /><Checkbox label={\`\${n}\${self ? ' (you)' : ''}\`} /></div>;`;
    expect(strayLiterals('sample.tsx', sample).map((where) => where.replace(/^\d+: /, ''))).toEqual(['Close', "'Saving'", 'Hello', "'again'", '`Search ${n}`', "' (you)'"]);
  });

  it('has an English catalogue with every area filled', () => {
    expect(Object.keys(EN).length).toBeGreaterThan(0);
  });
});
