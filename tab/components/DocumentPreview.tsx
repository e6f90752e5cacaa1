import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, makeStyles } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { ErrorBar, Loading } from './Feedback';
import { Empty } from './Feedback';
import { useStrings } from '../strings';

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

/** Previews PDFs, images and text in place; anything else can be downloaded. */
export function DocumentPreview({ name, load, onClose }: { name: string; load: () => Promise<Blob>; onClose: () => void }) {
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
    <Dialog open onOpenChange={(_e, d) => !d.open && onClose()}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{name}</DialogTitle>
          <DialogContent>
            <ErrorBar error={state.error} />
            {!state.blob && !state.error && <Loading label={t.openingDocument} />}
            {state.url && type === 'application/pdf' && <iframe className={s.frame} src={state.url} title={t.previewOf(name)} />}
            {state.url && type.startsWith('image/') && <img className={s.img} src={state.url} alt={t.previewOf(name)} />}
            {state.text !== undefined && <pre className={s.text}>{state.text}</pre>}
            {state.blob && type !== 'application/pdf' && !type.startsWith('image/') && state.text === undefined && <Empty>{t.noPreview}</Empty>}
          </DialogContent>
          <DialogActions>
            {state.blob && <Button onClick={() => state.blob && saveBlob(state.blob, name)}>{t.download}</Button>}
            <Button appearance="primary" onClick={onClose}>
              {t.close}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
