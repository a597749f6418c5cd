import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { App } from './App';
import type { Campaign, ListPage } from './api/types';
import { FakeLiveData, okResult } from './test/fakeLiveData';
import { stubFetch } from './test/fetchStub';
import { healthFixture, monitoringStatusFixture, overviewFixture, syncStatusFixture } from './test/fixtures';
import { renderWithProviders } from './test/render';

const emptyPage = { items: [], total: 0, limit: 25, offset: 0 };

function campaignsPage(name: string): ListPage<Partial<Campaign>> {
  return {
    items: [
      {
        id: 'c1',
        name,
        status: 'sent',
        sendTime: null,
        recipients: 1,
        openRate: 0,
        clickRate: 0,
        revenue: 0,
        updatedAt: '2026-10-30T12:00:00Z',
      },
    ],
    total: 1,
    limit: 25,
    offset: 0,
  };
}

function dashboardClient() {
  let campaignName = 'Before refresh';
  const client = new FakeLiveData()
    .respond('overview', okResult('overview', overviewFixture))
    .respond('campaigns', () => okResult('campaigns', campaignsPage(campaignName)))
    .respond('flows', okResult('flows', emptyPage))
    .respond('forms', okResult('forms', emptyPage))
    .respond('segments', okResult('segments', emptyPage));
  return { client, renameCampaign: (name: string) => (campaignName = name) };
}

describe('App', () => {
  it('shows every data section, and no admin controls without a token', async () => {
    const { client } = dashboardClient();
    renderWithProviders(<App />, { client });

    for (const section of ['overview', 'campaigns', 'flows', 'forms', 'segments']) {
      expect(screen.getByTestId(`section-${section}`)).toBeInTheDocument();
    }
    await waitFor(() => expect(screen.getAllByTestId('row')).toHaveLength(1));
    expect(screen.queryByTestId('section-monitoring')).not.toBeInTheDocument();
    expect(screen.queryByTestId('sync-button')).not.toBeInTheDocument();
  });

  it('keeps the page when a section gets data it does not understand, and says so in that card', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {}); // React reports the render error
    const { client } = dashboardClient();
    client.respond('campaigns', okResult('campaigns', { items: 'not a list', total: 'many' } as never));
    client.respond('flows', okResult('flows', { total: 3 } as never));
    renderWithProviders(<App />, { client });

    for (const name of ['campaigns', 'flows']) {
      await waitFor(() => expect(screen.getByTestId(`section-${name}`)).toHaveTextContent('could not be shown'));
    }
    expect(within(screen.getByTestId('section-campaigns')).getByRole('alert')).toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByTestId('kpi')).toHaveLength(6)); // the other sections stay
    expect(screen.getByTestId('section-forms')).toHaveTextContent('No forms yet.');
    errors.mockRestore();
  });

  it('draws a section that could not be shown again by itself once the server sends data it understands', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {}); // React reports the render error
    const { client } = dashboardClient();
    const confirmedAt = Date.now();
    client.respond('campaigns', okResult('campaigns', { items: 'not a list' } as never, { updatedAt: confirmedAt }));
    renderWithProviders(<App />, { client });
    const section = screen.getByTestId('section-campaigns');
    await waitFor(() => expect(section).toHaveTextContent('could not be shown'));

    // The live feed brings the next version: no click needed.
    client.respond('campaigns', okResult('campaigns', campaignsPage('Mended'), { updatedAt: confirmedAt + 1000 }));
    await act(async () => client.push('campaigns'));

    await waitFor(() => expect(within(section).getAllByTestId('row')).toHaveLength(1));
    expect(section).not.toHaveTextContent('could not be shown');
    errors.mockRestore();
  });

  it('updates a section in place when a refresh brings new data', async () => {
    const { client, renameCampaign } = dashboardClient();
    // Like the real module: the refresh refetches, and the watched calls get the new data.
    client.forceRefreshData.mockImplementation(async () => {
      renameCampaign('After refresh');
      await client.push('campaigns');
      return { endpoints: [], allOk: true };
    });
    renderWithProviders(<App />, { client });
    await waitFor(() => expect(screen.getByTestId('row')).toHaveTextContent('Before refresh'));

    await act(async () => fireEvent.click(screen.getByTestId('refresh-button')));

    await waitFor(() => expect(screen.getByTestId('row')).toHaveTextContent('After refresh'));
  });

  it('shows sync controls and monitoring with an admin token', async () => {
    stubFetch({
      '/api/sync/status': { body: syncStatusFixture() },
      '/monitoring/health': { body: healthFixture },
      '/monitoring/status': { body: monitoringStatusFixture },
    });
    const { client } = dashboardClient();
    renderWithProviders(<App />, { client, adminToken: 't' });

    expect(screen.getByTestId('sync-button')).toBeInTheDocument();
    const monitoring = screen.getByTestId('section-monitoring');
    await waitFor(() => expect(within(monitoring).getByTestId('health-status')).toHaveTextContent('Degraded'));
  });
});
