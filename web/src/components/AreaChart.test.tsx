import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { AreaChart } from './AreaChart';

const points = [
  { label: 'Oct 2', value: 100 },
  { label: 'Oct 3', value: 250 },
  { label: 'Oct 4', value: 175 },
];

describe('AreaChart', () => {
  it('reads each day from the keyboard: the focus shows the last, the arrows, Home and End move', () => {
    render(<AreaChart points={points} title="Revenue per day, 3 days" formatValue={(value) => `$${value}`} />);
    const plot = screen.getByRole('img', { name: /^Revenue per day, 3 days/ });
    expect(screen.queryByTestId('chart-readout')).toBeNull();

    fireEvent.focus(plot);
    expect(screen.getByTestId('chart-readout')).toHaveTextContent('$175 Oct 4');
    fireEvent.keyDown(plot, { key: 'ArrowLeft' });
    expect(screen.getByTestId('chart-readout')).toHaveTextContent('$250 Oct 3');
    fireEvent.keyDown(plot, { key: 'Home' });
    expect(screen.getByTestId('chart-readout')).toHaveTextContent('$100 Oct 2');
    fireEvent.keyDown(plot, { key: 'ArrowLeft' }); // stays on the first day
    expect(screen.getByTestId('chart-readout')).toHaveTextContent('$100 Oct 2');
    fireEvent.keyDown(plot, { key: 'End' });
    expect(screen.getByTestId('chart-readout')).toHaveTextContent('$175 Oct 4');

    fireEvent.blur(plot);
    expect(screen.queryByTestId('chart-readout')).toBeNull();
  });

  it('is a focusable picture whose figures a screen reader reads as a table', () => {
    render(<AreaChart points={points} title="Revenue per day, 3 days" formatValue={(value) => `$${value}`} />);
    expect(screen.getByRole('img', { name: /Revenue per day/ })).toHaveAttribute('tabindex', '0');
    expect(screen.getByRole('table', { name: 'Revenue per day, 3 days' })).toHaveTextContent('Oct 3$250');
  });
});
