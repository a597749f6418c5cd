import { Component, type ErrorInfo, type ReactNode } from 'react';

interface SectionBoundaryProps {
  /** The section's name, for the message and the console. */
  title: string;
  children: ReactNode;
}

interface SectionBoundaryState {
  failed: boolean;
}

/**
 * A section's content that cannot be drawn (data not in the shape the dashboard knows, from
 * a server of another version or a proxy's answer) becomes a message in its card: the rest
 * of the page stays, where an error while rendering would otherwise unmount the whole
 * dashboard. "Try again" draws it anew, with whatever data the section holds by then.
 */
export class SectionBoundary extends Component<SectionBoundaryProps, SectionBoundaryState> {
  state: SectionBoundaryState = { failed: false };

  static getDerivedStateFromError(): SectionBoundaryState {
    return { failed: true };
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
