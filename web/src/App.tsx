import { useAdminToken } from './admin/adminToken';
import { Header } from './components/Header';
import { CampaignsSection } from './sections/CampaignsSection';
import { FlowsSection } from './sections/FlowsSection';
import { FormsSection } from './sections/FormsSection';
import { MonitoringSection } from './sections/MonitoringSection';
import { OverviewSection } from './sections/OverviewSection';
import { SegmentsSection } from './sections/SegmentsSection';
import { LiveDataErrorToasts } from './toasts/LiveDataErrorToasts';

export function App() {
  const { token } = useAdminToken();
  return (
    <>
      <Header />
      <main className="dashboard">
        <OverviewSection />
        <CampaignsSection />
        <FlowsSection />
        <FormsSection />
        <SegmentsSection />
        {token && <MonitoringSection token={token} />}
      </main>
      <LiveDataErrorToasts />
    </>
  );
}
