import { keysetPages } from './keyset-pages';

describe('keysetPages', () => {
  const rows = Array.from({ length: 7 }, (_, i) => ({ id: 10 * (i + 1) }));
  const reads: number[] = [];
  const readPage = async (afterId: number, limit: number) => {
    reads.push(afterId);
    return rows.filter((r) => r.id > afterId).slice(0, limit);
  };
  const present = async (page: readonly { id: number }[], afterId: number) => page.map((r) => `${afterId}:${r.id}`);
  beforeEach(() => (reads.length = 0));

  const all = async (pages: AsyncIterable<Iterable<string>>) => {
    const out: string[][] = [];
    for await (const page of pages) out.push([...page]);
    return out;
  };

  it('reads and presents the first page before returning, the rest as they are iterated', async () => {
    const pages = await keysetPages(3, readPage, present);
    expect(reads).toEqual([0]);
    expect(await all(pages)).toEqual([
      ['0:10', '0:20', '0:30'],
      ['30:40', '30:50', '30:60'],
      ['60:70'],
    ]);
    // No read after a short page.
    expect(reads).toEqual([0, 30, 60]);
  });

  it('reads once more after a full last page, and yields nothing for the empty one', async () => {
    const pages = await keysetPages(7, readPage, present);
    expect((await all(pages)).map((p) => p.length)).toEqual([7]);
    expect(reads).toEqual([0, 70]);
  });

  it('yields the first page even when it is empty', async () => {
    const pages = await keysetPages(3, async () => [], present);
    expect(await all(pages)).toEqual([[]]);
  });

  it('lets a failing first page fail the call itself', async () => {
    await expect(keysetPages(3, () => Promise.reject(new Error('gone')), present)).rejects.toThrow('gone');
  });
});
