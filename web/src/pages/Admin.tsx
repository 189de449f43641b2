import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { post, get } from '../api/client';
import type { Page, VerificationItem } from '../api/types';
import { ErrorBox, Field, QueryState, label } from '../components/ui';
import { browserTimeZone, dateTimeLabel } from '../lib/time';

function Decision({ item }: { item: VerificationItem }) {
  const qc = useQueryClient();
  const [reason, setReason] = useState('');
  const org = item.organization!;
  const m = useMutation({
    mutationFn: (decision: string) => post(`/v1/admin/organizations/${org.id}/verification`, { decision, ...(reason.trim() ? { reason: reason.trim() } : {}) }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['verifications'] }),
  });
  return (
    <li className="card" data-testid="verification-item">
      <h2>{org.display_name || org.legal_name}</h2>
      <p className="muted">
        {label(org.type)} · {org.legal_name} · registration {org.registration_number} · {org.address?.city} · submitted {dateTimeLabel(item.submitted_at, browserTimeZone())}
      </p>
      <h3>Documents</h3>
      <ul>
        {(item.documents ?? []).map((d) => (
          <li key={d.id}>
            {label(d.document_type)}: {d.filename} ({d.content_type}, {Math.ceil((d.size_bytes ?? 0) / 1024)} KiB, SHA-256 <code>{d.sha256?.slice(0, 12)}…</code>)
          </li>
        ))}
      </ul>
      <Field label="Reason (needed to reject or ask for changes)" value={reason} onChange={(e) => setReason(e.target.value)} />
      <ErrorBox error={m.error} />
      <div className="actions">
        <button type="button" onClick={() => m.mutate('approve')} disabled={m.isPending}>
          Approve
        </button>
        <button type="button" className="secondary" onClick={() => m.mutate('request_changes')} disabled={m.isPending}>
          Ask for changes
        </button>
        <button type="button" className="danger" onClick={() => m.mutate('reject')} disabled={m.isPending}>
          Reject
        </button>
      </div>
    </li>
  );
}

export function VerificationQueue() {
  const q = useQuery({ queryKey: ['verifications'], queryFn: () => get<Page<VerificationItem>>('/v1/admin/verifications', { limit: 50 }) });
  return (
    <section>
      <h1>Verification queue</h1>
      <QueryState q={q} what="Loading the queue">
        {(d) => ((d.items ?? []).length === 0 ? <p>Nothing waiting.</p> : <ul className="cards">{(d.items ?? []).map((i) => <Decision key={i.organization?.id} item={i} />)}</ul>)}
      </QueryState>
    </section>
  );
}
