import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Campaign, ListPage } from '../api/types';
import { FakeLiveData, fakeKey, fallbackResult, makeError, okResult } from '../test/fakeLiveData';
import { CHANGED_ROW_MS } from '../hooks/useChangedRows';
import { renderWithProviders } from '../test/render';
import { CampaignsSection } from './CampaignsSection';

function campaign(id: string, overrides: Partial<Campaign> = {}): Campaign {
  return {
    id,
    name: `Campaign ${id}`,
    status: 'sent',
    sendTime: '2026-10-30T10:00:00Z',
    recipients: 1000,
    opens: 400,
    clicks: 40,
    revenue: 1234.5,
    openRate: 0.4,
    clickRate: 0.04,
    updatedAt: '2026-10-30T12:00:00Z',
    ...overrides,
  };
}

const page = (items: Campaign[], total = items.length): ListPage<Campaign> => ({ items, total, limit: 25, offset: 0 });

async function renderCampaigns(client: FakeLiveData) {
  renderWithProviders(<CampaignsSection />, { client });
  await waitFor(() => expect(screen.getAllByTestId('row').length).toBeGreaterThan(0));
  return screen.getByTestId('section-campaigns');
}

describe('CampaignsSection', () => {
  it('shows one row per campaign with the API’s fields', async () => {
    const client = new FakeLiveData().respond(
      'campaigns',
      okResult('campaigns', page([campaign('1'), campaign('2', { name: 'Winter Sale', openRate: 0.3841 })])),
    );
    const section = await renderCampaigns(client);

    const rows = within(section).getAllByTestId('row');
    expect(rows).toHaveLength(2);
    expect(rows[1]).toHaveTextContent('Winter Sale');
    expect(rows[1]).toHaveTextContent('38.4%');
    expect(within(section).getByText('1–2 of 2 campaigns')).toBeInTheDocument();
  });

  it('shows a dash, not zeros, for the statistics of campaigns that reached no one', async () => {
    const unsent = { recipients: 0, opens: 0, clicks: 0, revenue: 0, openRate: 0, clickRate: 0 };
    const client = new FakeLiveData().respond(
      'campaigns',
      okResult(
        'campaigns',
        page([
          campaign('d', { status: 'draft', ...unsent }),
          campaign('c', { status: 'cancelled', ...unsent }),
          campaign('p', { status: 'cancelled', ...unsent, recipients: 1200 }),
          campaign('s', { status: 'sent', ...unsent }),
        ]),
      ),
    );
    const section = await renderCampaigns(client);
    const [draft, cancelledBefore, cancelledWhileSending, sent] = within(section).getAllByTestId('row') as HTMLElement[];
    for (const row of [draft!, cancelledBefore!]) {
      expect(row).not.toHaveTextContent('$0');
      expect(within(row).getAllByText('—')).toHaveLength(4);
    }
    // Zeros are figures for a campaign that reached someone.
    expect(cancelledWhileSending).toHaveTextContent('1,200');
    expect(cancelledWhileSending).toHaveTextContent('$0');
    expect(cancelledWhileSending).toHaveTextContent('0.0%');
    // A rate of no recipients is no figure, whatever the status.
    expect(sent).toHaveTextContent('$0');
    expect(within(sent!).getAllByText('—')).toHaveLength(2);
  });

  it('marks for a moment the rows a live update changed or brought, not the others nor a new order', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      let revenue = 100;
      let clicks = 40;
      const client = new FakeLiveData().respond('campaigns', (params) =>
        okResult(
          'campaigns',
          params?.sort === 'name'
            ? page([campaign('c'), campaign('d')])
            : page([campaign('a', { revenue }), campaign('b', { clicks })]),
        ),
      );
      const section = await renderCampaigns(client);
      const marked = () =>
        within(section)
          .getAllByTestId('row')
          .filter((row) => row.classList.contains('data-table__row--changed'))
          .map((row) => row.textContent?.slice(0, 10));
      expect(marked()).toEqual([]); // the first rows are not news

      revenue = 250;
      await act(() => client.push('campaigns'));
      await waitFor(() => expect(marked()).toEqual(['Campaign a']));
      // An update that changes nothing the table shows (clicks is not a column) is no
      // news, and leaves the running mark to its end.
      await act(async () => vi.advanceTimersByTime(CHANGED_ROW_MS / 2));
      clicks = 41;
      await act(() => client.push('campaigns'));
      expect(marked()).toEqual(['Campaign a']);
      await act(async () => vi.advanceTimersByTime(CHANGED_ROW_MS / 2));
      expect(marked()).toEqual([]);

      // Another order's rows are another view: nothing in them is news.
      fireEvent.click(within(section).getByTestId('sort-name'));
      await waitFor(() => expect(within(section).getAllByTestId('row')[0]).toHaveTextContent('Campaign c'));
      await act(async () => vi.advanceTimersByTime(10));
      expect(marked()).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('sorts through the API when a column header is clicked, toggling direction', async () => {
    const client = new FakeLiveData().respond('campaigns', okResult('campaigns', page([campaign('1')])));
    const section = await renderCampaigns(client);
    expect(client.lastParams('campaigns')).toMatchObject({ sort: '-updatedAt' });

    fireEvent.click(within(section).getByTestId('sort-revenue'));
    await waitFor(() => expect(client.lastParams('campaigns')).toMatchObject({ sort: '-revenue' }));
    expect(within(section).getByTestId('sort-revenue').closest('th')).toHaveAttribute('aria-sort', 'descending');

    fireEvent.click(within(section).getByTestId('sort-revenue'));
    await waitFor(() => expect(client.lastParams('campaigns')).toMatchObject({ sort: 'revenue' }));
    expect(within(section).getByTestId('sort-revenue').closest('th')).toHaveAttribute('aria-sort', 'ascending');

    // Text columns start in alphabetical order.
    fireEvent.click(within(section).getByTestId('sort-name'));
    await waitFor(() => expect(client.lastParams('campaigns')).toMatchObject({ sort: 'name' }));
  });

  it('filters by status through the API', async () => {
    const client = new FakeLiveData().respond('campaigns', (params) =>
      okResult(
        'campaigns',
        page(
          params?.status === 'draft'
            ? [campaign('d', { status: 'draft', name: 'Draft one' })]
            : [campaign('1'), campaign('2')],
        ),
      ),
    );
    const section = await renderCampaigns(client);
    expect(client.lastParams('campaigns')).not.toHaveProperty('status');

    fireEvent.change(within(section).getByRole('combobox', { name: 'Filter campaigns by status' }), {
      target: { value: 'draft' },
    });

    await waitFor(() => expect(within(section).getAllByTestId('row')).toHaveLength(1));
    expect(client.lastParams('campaigns')).toMatchObject({ status: 'draft' });
    expect(within(section).getByTestId('row')).toHaveTextContent('Draft one');
  });

  it('keeps showing the last rows with an error indicator when a refresh fails', async () => {
    const client = new FakeLiveData().respond('campaigns', okResult('campaigns', page([campaign('1'), campaign('2')])));
    const section = await renderCampaigns(client);
    expect(within(section).getByTestId('freshness')).toHaveAttribute('data-state', 'fresh');

    act(() =>
      client.emit('livedata:error', {
        endpoint: 'campaigns',
        key: fakeKey('campaigns', client.lastParams('campaigns')),
        error: makeError('campaigns'),
        servedStale: true,
      }),
    );

    expect(within(section).getByTestId('freshness')).toHaveAttribute('data-state', 'error');
    expect(within(section).getAllByTestId('row')).toHaveLength(2);
  });

  it('offers a retry when nothing could ever be loaded', async () => {
    const client = new FakeLiveData().respond(
      'campaigns',
      okResult('campaigns', page([]), {
        fallback: true,
        updatedAt: null,
        error: makeError('campaigns', { message: 'Can’t reach the server.' }),
      }),
    );
    renderWithProviders(<CampaignsSection />, { client });

    const retry = await screen.findByRole('button', { name: 'Try again' });
    expect(screen.getByTestId('empty-state')).toHaveTextContent('Can’t reach the server.');

    client.respond('campaigns', okResult('campaigns', page([campaign('1')])));
    fireEvent.click(retry);

    await waitFor(() => expect(screen.getAllByTestId('row')).toHaveLength(1));
    expect(client.get).toHaveBeenLastCalledWith('campaigns', expect.anything(), { forceFresh: true });
  });

  it('pages through the list with the offset parameter', async () => {
    const client = new FakeLiveData().respond('campaigns', (params) =>
      okResult('campaigns', {
        items: [campaign(`at-${params?.offset}`)],
        total: 60,
        limit: Number(params?.limit),
        offset: Number(params?.offset),
      }),
    );
    const section = await renderCampaigns(client);

    fireEvent.click(within(section).getByRole('button', { name: 'Next' }));

    await waitFor(() => expect(within(section).getByText('16–30 of 60 campaigns')).toBeInTheDocument());
    expect(client.lastParams('campaigns')).toMatchObject({ offset: 15, limit: 15 });
  });

  it('moves back to the last page there is when a live update shrinks the list under the page shown', async () => {
    let total = 16;
    const client = new FakeLiveData().respond('campaigns', (params) => {
      const offset = Number(params?.offset);
      const count = Math.max(0, Math.min(15, total - offset));
      return okResult('campaigns', {
        items: Array.from({ length: count }, (_, i) => campaign(`at-${offset + i}`)),
        total,
        limit: 15,
        offset,
      });
    });
    const section = await renderCampaigns(client);
    fireEvent.click(within(section).getByRole('button', { name: 'Next' }));
    await waitFor(() => expect(within(section).getByText('16–16 of 16 campaigns')).toBeInTheDocument());

    // One campaign is deleted upstream: the second page is now past the end.
    total = 15;
    await act(() => client.push('campaigns'));

    await waitFor(() => expect(within(section).getByText('1–15 of 15 campaigns')).toBeInTheDocument());
    expect(within(section).getAllByTestId('row')).toHaveLength(15);
    expect(within(section).queryByTestId('empty-state')).not.toBeInTheDocument();
    expect(client.lastParams('campaigns')).toMatchObject({ offset: 0 });
  });

  it('offers the way back to the first page when a later page fails', async () => {
    const client = new FakeLiveData().respond('campaigns', (params) =>
      Number(params?.offset) > 0
        ? fallbackResult('campaigns', { items: [], total: 0, limit: 15, offset: 0 })
        : okResult('campaigns', { items: [campaign('first')], total: 60, limit: 15, offset: 0 }),
    );
    const section = await renderCampaigns(client);
    fireEvent.click(within(section).getByRole('button', { name: 'Next' }));
    await waitFor(() => expect(within(section).getByTestId('empty-state')).toHaveTextContent('could not load'));

    fireEvent.click(within(section).getByRole('button', { name: 'First page' }));

    await waitFor(() => expect(within(section).getByTestId('row')).toHaveTextContent('Campaign first'));
    expect(client.lastParams('campaigns')).toMatchObject({ offset: 0 });
  });
});
