// Lists the API pages with `limit` and `page_token` → `next_page_token`. usePaged keeps the
// pages fetched so far as one list (for QueryState) and <LoadMore> fetches the next page.
import { useMemo } from 'react';
import { useInfiniteQuery, type QueryKey } from '@tanstack/react-query';
import { get, type CallOptions } from './client';
import type { Page } from './types';
import { collectPages, joinPages } from '../lib/paging';
import { ErrorBox } from '../components/ui';
import { useTranslation } from 'react-i18next';

export interface Paged<P> {
  isPending: boolean;
  error: unknown;
  /** Every item fetched so far; other fields come from the first page. */
  data: P | undefined;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  nextPageError: unknown;
  fetchNextPage: () => void;
}

export function usePaged<T, P extends Page<T> = Page<T>>(
  queryKey: QueryKey,
  path: string,
  query: NonNullable<CallOptions['query']> = {},
  opts: {
    enabled?: boolean;
    keyOf?: (item: T) => string | undefined;
    /** Asked of the first page only (e.g. a search's facets, which the later pages repeat). */
    first?: NonNullable<CallOptions['query']>;
  } = {},
): Paged<P> {
  const q = useInfiniteQuery({
    queryKey,
    enabled: opts.enabled,
    initialPageParam: '',
    queryFn: ({ pageParam }) => get<P>(path, pageParam ? { ...query, page_token: pageParam } : { ...query, ...opts.first }),
    getNextPageParam: (last: P) => last.next_page_token || undefined,
  });
  // Joined once per new set of pages, not on every render (keyOf is the same rule each time).
  const pages = q.data?.pages;
  const joined = useMemo(() => (pages ? joinPages<T, P>(pages, opts.keyOf) : undefined), [pages]);
  return {
    isPending: q.isPending,
    error: q.isFetchNextPageError ? null : q.error,
    data: joined,
    hasNextPage: q.hasNextPage,
    isFetchingNextPage: q.isFetchingNextPage,
    nextPageError: q.isFetchNextPageError ? q.error : null,
    fetchNextPage: () => void q.fetchNextPage(),
  };
}

/** "Load more" under a paged list, while the API says there is more. */
export function LoadMore({ q, what }: { q: Paged<unknown>; what?: string }) {
  const { t } = useTranslation();
  if (!q.data) return null;
  return (
    <>
      <ErrorBox error={q.nextPageError} />
      {q.hasNextPage && (
        <p>
          <button type="button" className="secondary" onClick={q.fetchNextPage} disabled={q.isFetchingNextPage}>
            {q.isFetchingNextPage ? `${t('loading')}…` : what ? t('loadWhat', { what }) : t('loadMore')}
          </button>
        </p>
      )}
    </>
  );
}

/** Every item of a list (up to `max`), page by page at the API's largest page size. */
export function getAll<T>(path: string, query: NonNullable<CallOptions['query']> = {}, max = 2000) {
  return collectPages<T>((pageToken) => get<Page<T>>(path, { ...query, limit: 100, page_token: pageToken }), max);
}

/** Said under a view built from getAll when the list was longer than it reads. */
export function Truncated({ shown, what }: { shown: boolean; what: string }) {
  const { t } = useTranslation();
  return shown ? <p className="muted">{t('truncated', { what })}</p> : null;
}
