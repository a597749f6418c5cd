import { Component, type ErrorInfo, type ReactNode } from 'react';

interface SectionBoundaryProps {
  /** The section's name, for the message and the console. */
  title: string;
  /** Changes when the section's data does (the time the server confirmed it): content that
   *  could not be drawn is drawn again from the new data. */
  resetKey: unknown;
  children: ReactNode;
}

interface SectionBoundaryState {
  failed: boolean;
  resetKey: unknown;
}

/**
 * A section's content that cannot be drawn (data not in the shape the dashboard knows, from
 * a server of another version or a proxy's answer) becomes a message in its card: the rest
 * of the page stays, where an error while rendering would otherwise unmount the whole
 * dashboard. It is drawn anew when new data arrives (a live dashboard mends itself once the
 * server sends data it understands), or on "Try again", with whatever data it holds by then.
 */
export class SectionBoundary extends Component<SectionBoundaryProps, SectionBoundaryState> {
  state: SectionBoundaryState = { failed: false, resetKey: this.props.resetKey };

  static getDerivedStateFromError(): Partial<SectionBoundaryState> {
    return { failed: true };
  }

  static getDerivedStateFromProps(props: SectionBoundaryProps, state: SectionBoundaryState): Partial<SectionBoundaryState> | null {
    return Object.is(props.resetKey, state.resetKey) ? null : { failed: false, resetKey: props.resetKey };
  }

  componentDidCatch(error: Error, info: ErrorInfo) {
    console.error(`${this.props.title}: could not be drawn`, error, info.componentStack);
  }

  render() {
    if (!this.state.failed) return this.props.children;
    return (
      <div className="empty-state" data-testid="empty-state" role="alert">
        <p>{this.props.title} could not be shown: the server sent data this dashboard does not understand.</p>
        <button type="button" className="button" onClick={() => this.setState({ failed: false })}>
          Try again
        </button>
      </div>
    );
  }
}
