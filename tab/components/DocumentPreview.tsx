import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, makeStyles } from '@fluentui/react-components';
import { type ReactNode, useEffect, useState } from 'react';
import type { DocumentPreviewLink } from '../../src/contract';
import { useStrings } from '../strings';
import { ErrorBar, Loading } from './Feedback';
import { Empty } from './Feedback';

const useStyles = makeStyles({
  frame: { width: '100%', height: '70vh', border: 'none' },
  img: { maxWidth: '100%', maxHeight: '70vh' },
  text: { whiteSpace: 'pre-wrap', maxHeight: '70vh', overflow: 'auto' },
});

/** Saves a Blob as a file through a temporary object URL. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Office files SharePoint renders in its own preview page (learn.microsoft.com/graph/api/driveitem-preview);
 * the browser cannot show their bytes, so they are framed from SharePoint instead of streamed.
 */
const OFFICE_DOCUMENT = /\.(docx?|docm|dotx|xlsx?|xlsm|xlsb|pptx?|pptm|ppsx|odt|ods|odp|rtf|vsdx)$/i;
export const isOfficeDocument = (name: string): boolean => OFFICE_DOCUMENT.test(name);

/**
 * Previews PDFs, images and text in place from the streamed bytes; Office documents in a frame of
 * SharePoint's preview page when `loadOfficePreview` is given; anything else can be downloaded.
 */
export function DocumentPreview({ name, load, loadOfficePreview, onClose }: { name: string; load: () => Promise<Blob>; loadOfficePreview?: () => Promise<DocumentPreviewLink>; onClose: () => void }) {
  const office = loadOfficePreview !== undefined && isOfficeDocument(name);
  return office ? <OfficePreview name={name} load={load} loadOfficePreview={loadOfficePreview} onClose={onClose} /> : <StreamedPreview name={name} load={load} onClose={onClose} />;
}

/** SharePoint's page in a sandboxed frame: it runs as the person who asked for it, and may not steer the tab (no top navigation). */
function OfficePreview({ name, load, loadOfficePreview, onClose }: { name: string; load: () => Promise<Blob>; loadOfficePreview: () => Promise<DocumentPreviewLink>; onClose: () => void }) {
  const s = useStyles();
  const t = useStrings().shell;
  const [state, setState] = useState<{ url?: string; error?: unknown }>({});
  const [downloadError, setDownloadError] = useState<unknown>(null);
  useEffect(() => {
    let cancelled = false;
    loadOfficePreview().then(
      (link) => !cancelled && setState({ url: link.url }),
      (error: unknown) => !cancelled && setState({ error }),
    );
    return () => {
      cancelled = true;
    };
  }, [loadOfficePreview]);
  const download = () => {
    setDownloadError(null);
    load().then((blob) => saveBlob(blob, name), setDownloadError);
  };
  return (
    <PreviewDialog name={name} onClose={onClose} actions={<Button onClick={download}>{t.download}</Button>}>
      <ErrorBar error={state.error ?? downloadError} />
      {!state.url && !state.error && <Loading label={t.openingPreview} />}
      {state.url && (
        <iframe
          className={s.frame}
          src={state.url}
          title={t.previewOf(name)}
          referrerPolicy="no-referrer"
          sandbox="allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox allow-downloads"
          data-testid="office-preview"
        />
      )}
    </PreviewDialog>
  );
}

function PreviewDialog({ name, onClose, actions, children }: { name: string; onClose: () => void; actions?: ReactNode; children: ReactNode }) {
  const t = useStrings().shell;
  return (
    <Dialog open onOpenChange={(_e, d) => !d.open && onClose()}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{name}</DialogTitle>
          <DialogContent>{children}</DialogContent>
          <DialogActions>
            {actions}
            <Button appearance="primary" onClick={onClose}>
              {t.close}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

function StreamedPreview({ name, load, onClose }: { name: string; load: () => Promise<Blob>; onClose: () => void }) {
  const s = useStyles();
  const t = useStrings().shell;
  const [state, setState] = useState<{ blob?: Blob; url?: string; text?: string; error?: unknown }>({});
  useEffect(() => {
    let url: string | undefined;
    let cancelled = false;
    load().then(
      async (blob) => {
        url = URL.createObjectURL(blob);
        const text = blob.type.startsWith('text/') ? await blob.text() : undefined;
        if (!cancelled) setState({ blob, url, text });
      },
      (error: unknown) => !cancelled && setState({ error }),
    );
    return () => {
      cancelled = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [load]);
  const type = state.blob?.type ?? '';
  return (
    <PreviewDialog name={name} onClose={onClose} actions={state.blob && <Button onClick={() => state.blob && saveBlob(state.blob, name)}>{t.download}</Button>}>
      <ErrorBar error={state.error} />
      {!state.blob && !state.error && <Loading label={t.openingDocument} />}
      {state.url && type === 'application/pdf' && <iframe className={s.frame} src={state.url} title={t.previewOf(name)} />}
      {state.url && type.startsWith('image/') && <img className={s.img} src={state.url} alt={t.previewOf(name)} />}
      {state.text !== undefined && <pre className={s.text}>{state.text}</pre>}
      {state.blob && type !== 'application/pdf' && !type.startsWith('image/') && state.text === undefined && <Empty>{t.noPreview}</Empty>}
    </PreviewDialog>
  );
}
