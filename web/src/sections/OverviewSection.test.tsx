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
    expect(kpi('Revenue')).toHaveTextContent('$318.0K');
    expect(kpi('Open rate')).toHaveTextContent('38.4%');
    expect(kpi('Click rate')).toHaveTextContent('4.65%');
    // A rounded figure's exact value is its tooltip, and what a screen reader reads instead
    // of the rounded one (once: the rounded figure and its title are hidden from it).
    const sends = kpi('Sends') as HTMLElement;
    expect(within(sends).getByText('1.6M')).toHaveAttribute('aria-hidden', 'true');
    expect(within(sends).getByText('1.6M')).toHaveAttribute('title', '1,635,753');
    expect(within(sends).getByText('1,635,753')).toHaveClass('visually-hidden');
    expect(within(kpi('Open rate') as HTMLElement).getByText('38.4%')).not.toHaveAttribute('aria-hidden');
    expect(within(section).getByRole('img', { name: /^Revenue per day, 3 days/ })).toBeInTheDocument();
    expect(section).toHaveTextContent('Oct 2 – Oct 31, 2026');
    expect(within(section).getByTestId('freshness')).toHaveAttribute('data-state', 'fresh');
  });

  it('shows no rate, not 0.0%, for a range with nothing sent', async () => {
    const nothingSent = { ...overviewFixture.totals, sends: 0, opens: 0, clicks: 0, openRate: 0, clickRate: 0 };
    const client = new FakeLiveData().respond('overview', okResult('overview', { ...overviewFixture, totals: nothingSent }));
    renderWithProviders(<OverviewSection />, { client });

    await waitFor(() => expect(screen.getAllByTestId('kpi')).toHaveLength(6));
    const section = screen.getByTestId('section-overview');
    const kpi = (label: string) => within(section).getByText(label).closest('[data-testid="kpi"]');
    expect(kpi('Open rate')).toHaveTextContent('—');
    expect(kpi('Click rate')).toHaveTextContent('—');
    expect(kpi('Sends')).toHaveTextContent('0');
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
