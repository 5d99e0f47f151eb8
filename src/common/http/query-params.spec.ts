import { parseQuery } from './query-params';

describe('parseQuery', () => {
  const SPEC = { status: 'string', limit: 'int', constraint: 'strings' } as const;

  it('keeps the last value of a repeated parameter, and every value of a strings one', () => {
    expect(parseQuery({ status: ['a', 'b'], constraint: ['cpus>=1', 'gpu'] }, SPEC)).toEqual({
      status: 'b',
      constraint: ['cpus>=1', 'gpu'],
    });
  });

  it('reads a single strings value as a list of one, an empty one included', () => {
    expect(parseQuery({ constraint: 'cpus>=1' }, SPEC)).toEqual({ constraint: ['cpus>=1'] });
    expect(parseQuery({ constraint: '' }, SPEC)).toEqual({ constraint: [''] });
  });

  it('leaves an absent strings parameter out', () => {
    expect(parseQuery({ limit: '5' }, SPEC)).toEqual({ limit: 5 });
  });

  it('still refuses unknown parameters', () => {
    expect(() => parseQuery({ marker: 'x' }, SPEC)).toThrow('Unknown argument: "marker"');
  });
});
