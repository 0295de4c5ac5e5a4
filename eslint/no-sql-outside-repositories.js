// SQL lives in the repositories of the folder that owns the table (ADR 3, ADR 47): this flags strings and
// template literals that read like a statement on a table anywhere else. Keywords are upper case, as
// everywhere in this code base. A statement on no table passes: `SELECT 1`, `SELECT pg_notify(…)`,
// `… FROM unnest($1)` (a function, not a table); a subquery `FROM (…)` counts.
const STATEMENT =
  /\b(?:SELECT\b[\s\S]*\bFROM\s+(?:\(|(?:ONLY\s+)?[a-z_][a-z0-9_.]*\b(?!\s*\())|INSERT\s+INTO\b|UPDATE\s+[a-z_][a-z0-9_]*(?:\s+[a-z_][a-z0-9_]*)?\s+SET\b|DELETE\s+FROM\b)/;

/** @type {import('eslint').Rule.RuleModule} */
export const noSqlOutsideRepositories = {
  meta: {
    type: 'problem',
    docs: { description: 'keep SQL in *.repository.ts, *.query.ts and database/' },
    messages: {
      sql: 'SQL outside a repository: move it into a *.repository.ts (or a *.query.ts report) of the folder that owns the table, and call that (ADR 3, ADR 47)',
    },
    schema: [],
  },
  create(context) {
    const check = (node, text) => {
      if (STATEMENT.test(text)) context.report({ node, messageId: 'sql' });
    };
    return {
      Literal(node) {
        if (typeof node.value === 'string') check(node, node.value);
      },
      // The pieces around `${…}` together: `SELECT ${columns} FROM t` is one statement.
      TemplateLiteral(node) {
        check(node, node.quasis.map((q) => q.value.cooked ?? q.value.raw).join(' ? '));
      },
    };
  },
};
