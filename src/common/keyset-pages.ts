/**
 * A list read by keyset (`id > afterId`, at most `limit` rows, in id order), each page
 * presented as it is reached (PagedJsonList). The first page is read and presented before
 * this returns, so that its failure is an ordinary error answered before any byte of the
 * response; the others are read while the response is written. A page shorter than `limit`
 * is the last one. `startAfter`: the id the list starts after (a paged list's marker).
 */
export async function keysetPages<T extends { id: number }, V>(
  limit: number,
  readPage: (afterId: number, limit: number) => Promise<readonly T[]>,
  present: (page: readonly T[], afterId: number) => Promise<Iterable<V>>,
  startAfter = 0,
): Promise<AsyncIterable<Iterable<V>>> {
  let page = await readPage(startAfter, limit);
  const first = await present(page, startAfter);
  return (async function* pages() {
    yield first;
    while (page.length === limit) {
      const afterId = page[page.length - 1].id;
      page = await readPage(afterId, limit);
      if (page.length > 0) yield await present(page, afterId);
    }
  })();
}
