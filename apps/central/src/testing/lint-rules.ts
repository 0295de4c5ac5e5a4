import { spawnSync } from 'node:child_process';

/**
 * The rule ids eslint reports for each `[path, source]`, as if `source` were the file `path`: the
 * repository's own config, loaded once in a child process (eslint loads its config as ESM itself).
 */
export function lintRules(cases: Array<[string, string]>): string[][] {
  const script = `
    import { ESLint } from 'eslint';
    const cases = JSON.parse(process.env.LINT_CASES);
    const eslint = new ESLint();
    const out = [];
    for (const [filePath, source] of cases) {
      const [result] = await eslint.lintText(source, { filePath });
      out.push(result.messages.map((m) => m.ruleId ?? 'parse error: ' + m.message).sort());
    }
    console.log(JSON.stringify(out));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, LINT_CASES: JSON.stringify(cases) },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`eslint failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as string[][];
}
