import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * The reliability summary (docs/reliability.md): each test records one row (scenario, load, faults,
 * result) and prints it; every spec file prints the table of the rows recorded so far in this
 * jest run when it finishes, so the last file to finish prints the whole table. Rows go to a
 * file named after the process that launched jest, so runs never mix.
 */
export interface SummaryRow {
  scenario: string;
  load: string;
  faults: string;
  result: string;
}

const COLUMNS: Array<keyof SummaryRow> = ['scenario', 'load', 'faults', 'result'];

function summaryFile(): string {
  // Under --runInBand the specs run in jest's process (ppid: whoever launched jest); with
  // workers, in jest's children (ppid: jest). Either way one value per run.
  const launcher = process.ppid;
  return process.env.ESI_LEAP_RELIABILITY_SUMMARY ?? path.join(tmpdir(), `esi-leap-reliability-${launcher}.jsonl`);
}

export function recordRow(row: SummaryRow): void {
  appendFileSync(summaryFile(), `${JSON.stringify(row)}\n`);
  process.stdout.write(`[reliability] ${row.scenario} | ${row.load} | ${row.faults} | ${row.result}\n`);
}

export function formatTable(rows: SummaryRow[]): string {
  const widths = COLUMNS.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [
    line(COLUMNS),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map((r) => line(COLUMNS.map((c) => r[c]))),
  ].join('\n');
}

export function printSummary(): void {
  const file = summaryFile();
  if (!existsSync(file)) return;
  const rows = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as SummaryRow);
  process.stdout.write(`\nReliability summary (rows so far in this run):\n${formatTable(rows)}\n`);
}
