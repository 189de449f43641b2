import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation } from '@tanstack/react-query';
import { api, del } from '../api/client';
import type { components } from '../api/schema';
import { Avatar, ErrorBox } from './ui';
import { ConfirmButton } from './Confirm';

type Practitioner = components['schemas']['healthtech_org_v1_Practitioner'];

/** The photo as its owner may see it (also before the organization is verified): fetched
 * with the session, not by a bare <img> request. */
function useOwnPhoto(photoUrl?: string): string | undefined {
  const [src, setSrc] = useState<string>();
  useEffect(() => {
    if (!photoUrl) return setSrc(undefined);
    let url: string | undefined;
    let live = true;
    api<Blob>('GET', photoUrl, { blob: true }).then(
      (b) => {
        url = URL.createObjectURL(b);
        if (live) setSrc(url);
      },
      () => live && setSrc(undefined),
    );
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [photoUrl]);
  return src;
}

/** Upload, replace or remove the practitioner's own profile photo. */
export function PhotoEditor({ practitioner, onChange }: { practitioner: Practitioner; onChange: (p: Practitioner) => void }) {
  const { t } = useTranslation('practice');
  const file = useRef<HTMLInputElement>(null);
  const src = useOwnPhoto(practitioner.photo_url);
  const upload = useMutation({
    mutationFn: async () => {
      const f = file.current?.files?.[0];
      if (!f) throw new Error(t('photo.choose'));
      return api<Practitioner>('PUT', '/v1/practitioners/me/photo', { raw: f });
    },
    onSuccess: (p) => {
      if (file.current) file.current.value = '';
      onChange(p);
    },
  });
  const remove = useMutation({ mutationFn: () => del<Practitioner>('/v1/practitioners/me/photo'), onSuccess: onChange });
  return (
    <section className="panel photo-editor" aria-labelledby="photo-h">
      <h2 id="photo-h">{t('photo.title')}</h2>
      <div className="profile-head">
        {src ? (
          <img className="avatar avatar-lg" src={src} alt={t('photo.current')} width={112} height={112} data-testid="own-photo" />
        ) : (
          <Avatar name={practitioner.display_name} size="lg" />
        )}
        <div>
          <p className="hint">{t('photo.hint')}</p>
          <label htmlFor="photo-file">{t('photo.file')}</label>
          <input id="photo-file" ref={file} type="file" accept="image/jpeg,image/png" />
          <p>
            <button type="button" onClick={() => upload.mutate()} disabled={upload.isPending}>
              {upload.isPending ? t('photo.uploading') : t('photo.upload')}
            </button>{' '}
            {practitioner.photo_url && (
              <ConfirmButton disabled={remove.isPending} title={t('photo.confirmRemove')} confirm={t('photo.remove')} onConfirm={() => remove.mutate()}>
                {t('photo.remove')}
              </ConfirmButton>
            )}
          </p>
          {upload.isSuccess && <p role="status">{t('photo.saved')}</p>}
          <ErrorBox error={upload.error ?? remove.error} />
        </div>
      </div>
    </section>
  );
}
