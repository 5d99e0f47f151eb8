import { pageRequest, readSize } from './list-paging';

describe('pageRequest', () => {
  it('is none without limit and marker: the list is what it always was', () => {
    expect(pageRequest({}, 1000)).toBeUndefined();
  });

  it.each([
    [{ limit: 5 }, 1000, { limit: 5, marker: undefined }],
    [{ limit: 5000 }, 1000, { limit: 1000, marker: undefined }],
    [{ limit: 5000 }, 0, { limit: 5000, marker: undefined }],
    [{ marker: 'm' }, 1000, { limit: undefined, marker: 'm' }],
    [{ limit: 1, marker: 'm' }, 1000, { limit: 1, marker: 'm' }],
  ])('%j under max_limit %i reads as %j', (query, maxLimit, expected) => {
    expect(pageRequest(query, maxLimit)).toEqual(expected);
  });

  it.each([
    [{ limit: 0 }, "Invalid input for field/attribute limit. Value: '0'. Limit must be positive"],
    [{ limit: -1 }, "Invalid input for field/attribute limit. Value: '-1'. Limit must be positive"],
    [{ marker: '' }, "Invalid input for field/attribute marker. Value: ''. Marker may not be empty"],
  ])('%j is a 400', (query, message) => {
    expect(() => pageRequest(query, 1000)).toThrow(expect.objectContaining({ status: 400, message }));
  });
});

describe('readSize', () => {
  it('reads one row more than the limit, never more than the usual page', () => {
    expect(readSize(undefined, 500)).toBe(500);
    expect(readSize({ limit: undefined, marker: 'm' }, 500)).toBe(500);
    expect(readSize({ limit: 10, marker: undefined }, 500)).toBe(11);
    expect(readSize({ limit: 500, marker: undefined }, 500)).toBe(500);
  });
});
