import { describe, expect, it } from 'vitest';
import { formatValue } from './format';
import table from './formatValue.cases.json';

// The same cases as the CLI's test (tests/cli/test_tables.py): one value, one text.
describe('formatValue', () => {
  it.each(table.cases)('shows %s as %s', (text, shown) => {
    expect(formatValue(Number(text))).toBe(shown);
  });
});
