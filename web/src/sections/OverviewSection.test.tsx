import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FakeLiveData, okResult } from '../test/fakeLiveData';
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
});
