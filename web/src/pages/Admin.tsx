import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { api, post } from '../api/client';
import { LoadMore, usePaged } from '../api/paged';
import type { VerificationItem } from '../api/types';
import { ErrorBox, Field, QueryState, label } from '../components/ui';
import { browserTimeZone, dateTimeLabel } from '../lib/time';

type Doc = NonNullable<VerificationItem['documents']>[number];

// The organization and document types the platform knows, in the interface language; any
// other value is shown as sent.
const ORG_TYPES = ['hospital', 'clinic', 'lab', 'individual_practice'] as const;
const DOCUMENT_TYPES = ['registration_certificate', 'gst_certificate', 'license', 'other'] as const;
const isOneOf = <T extends string>(values: readonly T[], v: string | undefined): v is T => (values as readonly string[]).includes(v ?? '');
const orgTypeWords = (t: TFunction<'admin'>, v?: string) => (isOneOf(ORG_TYPES, v) ? t(`queue.orgTypes.${v}`) : label(v));
const documentTypeWords = (t: TFunction<'admin'>, v?: string) => (isOneOf(DOCUMENT_TYPES, v) ? t(`queue.documentTypes.${v}`) : label(v));

// Reviewers look at the file itself: images inline (as a data: URL, which the page CSP
// allows), PDFs downloaded. The request carries the access token, so no link can leak it.
function DocumentFile({ orgId, doc }: { orgId: string; doc: Doc }) {
  const { t } = useTranslation('admin');
  const [src, setSrc] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const image = (doc.content_type ?? '').startsWith('image/');
  const open = async () => {
    setError(null);
    try {
      const blob = await api<Blob>('GET', `/v1/organizations/${orgId}/documents/${doc.id}/content`, { blob: true });
      if (image) {
        const reader = new FileReader();
        reader.onload = () => setSrc(String(reader.result));
        reader.readAsDataURL(blob);
      } else {
        const u = URL.createObjectURL(blob);
        const a = document.createElement('a');
        a.href = u;
        a.download = doc.filename || 'document.pdf';
        a.click();
        setTimeout(() => URL.revokeObjectURL(u), 10_000);
      }
    } catch (e) {
      setError(e);
    }
  };
  return (
    <>
      {' '}
      <button type="button" className="link" onClick={open} aria-label={t(image ? 'queue.previewLabel' : 'queue.downloadLabel', { filename: doc.filename })}>
        {image ? t('queue.preview') : t('queue.download')}
      </button>
      {src && <img src={src} alt={`${documentTypeWords(t, doc.document_type)}: ${doc.filename}`} className="doc-preview" />}
      <ErrorBox error={error} />
    </>
  );
}

function Decision({ item }: { item: VerificationItem }) {
  const { t } = useTranslation('admin');
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
        {orgTypeWords(t, org.type)} · {org.legal_name} · {t('queue.registration', { number: org.registration_number })} · {org.address?.city} ·{' '}
        {t('queue.submitted', { date: dateTimeLabel(item.submitted_at, browserTimeZone()) })}
      </p>
      <h3>{t('queue.documents')}</h3>
      <ul>
        {(item.documents ?? []).map((d) => (
          <li key={d.id}>
            {documentTypeWords(t, d.document_type)}: {d.filename} ({d.content_type}, {Math.ceil((d.size_bytes ?? 0) / 1024)} KiB, SHA-256 <code>{d.sha256?.slice(0, 12)}…</code>)
            <DocumentFile orgId={org.id!} doc={d} />
          </li>
        ))}
      </ul>
      <Field label={t('queue.reason')} value={reason} onChange={(e) => setReason(e.target.value)} />
      <ErrorBox error={m.error} />
      <div className="actions">
        <button type="button" onClick={() => m.mutate('approve')} disabled={m.isPending}>
          {t('queue.approve')}
        </button>
        <button type="button" className="secondary" onClick={() => m.mutate('request_changes')} disabled={m.isPending}>
          {t('queue.askForChanges')}
        </button>
        <button type="button" className="danger" onClick={() => m.mutate('reject')} disabled={m.isPending}>
          {t('queue.reject')}
        </button>
      </div>
    </li>
  );
}

export function VerificationQueue() {
  const { t } = useTranslation('admin');
  const q = usePaged<VerificationItem>(['verifications'], '/v1/admin/verifications', { limit: 30 }, { keyOf: (i) => i.organization?.id });
  return (
    <section>
      <h1>{t('queue.title')}</h1>
      <QueryState q={q} what={t('queue.loading')}>
        {(d) => ((d.items ?? []).length === 0 ? <p>{t('queue.empty')}</p> : <ul className="cards">{(d.items ?? []).map((i) => <Decision key={i.organization?.id} item={i} />)}</ul>)}
      </QueryState>
      <LoadMore q={q} />
    </section>
  );
}
