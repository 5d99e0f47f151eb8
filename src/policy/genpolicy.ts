import { writeFileSync } from 'node:fs';
import { DEFAULT_POLICY_RULES, PolicyRuleDefault } from './default-rules';

/** Where the checked-in sample lives (a unit test keeps it equal to the rendering). */
export const SAMPLE_POLICY_PATH = 'config/policy.yaml.sample';

/** oslo.policy's sample generator wraps descriptions at this width, `# ` included. */
const WRAP_WIDTH = 70;

/**
 * The sample policy file, in oslopolicy-sample-generator's YAML layout: each rule commented
 * out under its description and the API calls it guards, so the file changes nothing until
 * an operator uncomments a line.
 */
export function renderSamplePolicy(rules: readonly PolicyRuleDefault[] = DEFAULT_POLICY_RULES): string {
  return rules.map(renderRule).join('');
}

export function writeSamplePolicy(path: string): void {
  writeFileSync(path, renderSamplePolicy());
}

function renderRule(rule: PolicyRuleDefault): string {
  const help = wrapComment(rule.description).map((line) => `${line}\n`);
  const operations = rule.operations.map((op) => `# ${op.method}  ${op.path}\n`);
  return [...help, ...operations, `#"${rule.name}": "${rule.checkString}"\n`, '\n'].join('');
}

/** Python's `textwrap.wrap(text, 70, initial_indent='# ', subsequent_indent='# ')` for plain words. */
function wrapComment(text: string): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.trim().split(/\s+/)) {
    if (line !== '#' && line.length + 1 + word.length > WRAP_WIDTH) {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  return [...lines, line];
}
