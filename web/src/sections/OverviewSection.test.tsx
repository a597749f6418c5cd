import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FakeLiveData, fallbackResult, okResult } from '../test/fakeLiveData';
import { overviewFixture } from '../test/fixtures';
import { renderWithProviders } from '../test/render';
import { OverviewSection } from './OverviewSection';

describe('OverviewSection', () => {
  it('shows the totals as KPIs and the revenue series as a chart', async () => {
    const client = new FakeLiveData().respond('overview', okResult('overview', overviewFixture));
    renderWithProviders(<OverviewSection />, { client });

    await waitFor(() => expect(screen.getAllByTestId('kpi')).toHaveLength(6));
    const section = screen.getByTestId('section-overview');
    const kpi = (label: string) => within(section).getByText(label).closest('[data-testid="kpi"]');
    expect(kpi('Sends')).toHaveTextContent('1.6M');
    expect(kpi('Revenue')).toHaveTextContent('$318K');
    expect(kpi('Open rate')).toHaveTextContent('38.4%');
    expect(kpi('Click rate')).toHaveTextContent('4.65%');
    expect(within(section).getByRole('img', { name: 'Revenue per day, 3 days' })).toBeInTheDocument();
    expect(section).toHaveTextContent('Oct 2 – Oct 31');
    expect(within(section).getByTestId('freshness')).toHaveAttribute('data-state', 'fresh');
  });

  it('offers to try again when nothing could load, and shows the data once it comes', async () => {
    const empty = { range: { from: null, to: null }, totals: overviewFixture.totals, series: [] };
    const client = new FakeLiveData().respond('overview', fallbackResult('overview', empty));
    renderWithProviders(<OverviewSection />, { client });
    const section = screen.getByTestId('section-overview');
    await waitFor(() => expect(section).toHaveTextContent('The overview could not load.'));

    client.respond('overview', okResult('overview', overviewFixture));
    await act(async () => fireEvent.click(within(section).getByRole('button', { name: 'Try again' })));

    await waitFor(() => expect(screen.getAllByTestId('kpi')).toHaveLength(6));
    expect(client.get).toHaveBeenLastCalledWith('overview', {}, { forceFresh: true });
  });
});
