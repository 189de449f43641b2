import type { ReactNode } from 'react';
import * as AlertDialog from '@radix-ui/react-alert-dialog';
import { useTranslation } from 'react-i18next';

/**
 * A button that asks before an action that cannot be undone (Radix's accessible alert dialog:
 * focus moves into it and is trapped, Escape or "Keep" closes it, focus returns to the button).
 * Replaces window.confirm, which cannot be styled, translated by the page or read well by
 * screen readers on phones.
 */
export function ConfirmButton({
  children,
  title,
  description,
  confirm,
  onConfirm,
  className = 'secondary',
  disabled,
}: {
  children: ReactNode;
  title: string;
  description?: string;
  confirm: string;
  onConfirm: () => void;
  className?: string;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <AlertDialog.Root>
      <AlertDialog.Trigger asChild>
        <button type="button" className={className} disabled={disabled}>
          {children}
        </button>
      </AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="dialog-overlay" />
        <AlertDialog.Content className="dialog">
          <AlertDialog.Title>{title}</AlertDialog.Title>
          {description ? <AlertDialog.Description>{description}</AlertDialog.Description> : <AlertDialog.Description className="sr-only">{title}</AlertDialog.Description>}
          <div className="actions">
            <AlertDialog.Cancel asChild>
              <button type="button" className="secondary">
                {t('keep')}
              </button>
            </AlertDialog.Cancel>
            <AlertDialog.Action asChild>
              <button type="button" className="danger" onClick={onConfirm}>
                {confirm}
              </button>
            </AlertDialog.Action>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
