import { isStalePreparedStatement, StatementNames } from './statement-names';

describe('StatementNames', () => {
  it('names a statement from its second use on, the same name each time', () => {
    const names = new StatementNames();
    const sql = 'SELECT * FROM cases WHERE id = $1';
    expect(names.nameFor(sql)).toBeUndefined();
    const name = names.nameFor(sql);
    expect(name).toMatch(/^caseroom_0_[0-9a-f]{20}$/);
    expect(names.nameFor(sql)).toBe(name);
    expect(names.nameFor('SELECT * FROM items WHERE id = $1')).toBeUndefined();
  });

  it('names at most `limit` statements; the rest stay unnamed', () => {
    const names = new StatementNames(2);
    const texts = ['SELECT 1 WHERE $1', 'SELECT 2 WHERE $1', 'SELECT 3 WHERE $1'];
    for (const t of [...texts, ...texts]) names.nameFor(t);
    expect(texts.map((t) => names.nameFor(t) !== undefined)).toEqual([true, true, false]);
  });

  it('gives every statement a new name after a table changed shape under one', () => {
    const names = new StatementNames();
    const sql = 'SELECT * FROM firms WHERE id = $1';
    names.nameFor(sql);
    const before = names.nameFor(sql);
    names.forgetAll();
    expect(names.nameFor(sql)).toBeUndefined();
    const after = names.nameFor(sql);
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
  });

  it('knows PostgreSQL’s refusal of a stale prepared statement from other errors', () => {
    expect(isStalePreparedStatement(Object.assign(new Error('cached plan must not change result type'), { code: '0A000' }))).toBe(true);
    expect(isStalePreparedStatement(Object.assign(new Error('relation "x" does not exist'), { code: '42P01' }))).toBe(false);
    expect(isStalePreparedStatement('0A000')).toBe(false);
  });
});
