import { Button, Caption1, ProgressBar, Text, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { ArrowUploadRegular } from '@fluentui/react-icons';
import { useCallback, useId, useRef, useState, type DragEvent } from 'react';
import { plainMessage, type UploadAnswer, type UploadBatchStatus, type UploadProgress } from '../api';
import { size } from './format';
import { useStrings } from '../strings';

export interface UploadJob {
  id: string;
  file: File;
  loaded: number;
  total: number;
  status: 'queued' | 'uploading' | 'done' | 'failed';
  error?: string;
  result?: unknown;
}

/** Uploads a file; `onUpdate` shows an answer while the upload is still being followed (a guest's batch on its way to SharePoint). */
export type UploadFn = (file: File, onProgress: (p: UploadProgress) => void, onUpdate: (result: unknown) => void) => Promise<unknown>;

/**
 * Follows a guest's upload batch until every file is in SharePoint or refused, showing each
 * state as it changes (polling: the files arrive within the firm's Microsoft 365 budget, seconds
 * to minutes). An answer without a batch (staff uploads) is returned as it is.
 */
export async function followBatch(answer: UploadAnswer, status: (batchId: string) => Promise<UploadBatchStatus>, onUpdate: (result: unknown) => void): Promise<UploadAnswer> {
  let current = answer;
  for (let delayMs = 1000; current.batch && current.batch.state === 'pending'; delayMs = Math.min(delayMs * 1.5, 10_000)) {
    onUpdate(current);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    current = { ...current, batch: await status(current.batch.id) };
  }
  return current;
}

/**
 * A queue of file uploads with per-file progress, two at a time. The queue lives in the
 * component that owns it, so switching tabs on the same page does not stop it.
 */
export function useUploads(upload: UploadFn, onDone?: (job: UploadJob) => void | Promise<void>) {
  const [jobs, setJobs] = useState<UploadJob[]>([]);
  const active = useRef(0);
  const queue = useRef<UploadJob[]>([]);
  const uploadRef = useRef(upload);
  uploadRef.current = upload;
  const doneRef = useRef(onDone);
  doneRef.current = onDone;

  const patch = useCallback((id: string, p: Partial<UploadJob>) => setJobs((all) => all.map((j) => (j.id === id ? { ...j, ...p } : j))), []);

  const pump = useCallback(() => {
    while (active.current < 2 && queue.current.length > 0) {
      const job = queue.current.shift() as UploadJob;
      active.current++;
      patch(job.id, { status: 'uploading' });
      uploadRef
        .current(
          job.file,
          (p) => patch(job.id, { loaded: p.loaded, total: p.total }),
          (result) => patch(job.id, { result }),
        )
        .then(
          async (result) => {
            patch(job.id, { status: 'done', loaded: job.file.size, result });
            await doneRef.current?.({ ...job, status: 'done', result });
          },
          (err: unknown) => patch(job.id, { status: 'failed', error: plainMessage(err) }),
        )
        .finally(() => {
          active.current--;
          pump();
        });
    }
  }, [patch]);

  const add = useCallback(
    (files: File[]) => {
      const fresh = files.map((file) => ({ id: crypto.randomUUID(), file, loaded: 0, total: file.size, status: 'queued' as const }));
      setJobs((all) => [...all.filter((j) => j.status !== 'done'), ...fresh]);
      queue.current.push(...fresh);
      pump();
    },
    [pump],
  );
  const running = jobs.some((j) => j.status === 'queued' || j.status === 'uploading');
  return { jobs, add, running, clear: () => setJobs((all) => all.filter((j) => j.status === 'queued' || j.status === 'uploading')) };
}

const useStyles = makeStyles({
  zone: {
    border: `${tokens.strokeWidthThick} dashed ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusLarge,
    padding: tokens.spacingVerticalL,
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    gap: tokens.spacingVerticalS,
    textAlign: 'center',
    backgroundColor: tokens.colorNeutralBackground1,
  },
  over: { border: `${tokens.strokeWidthThick} dashed ${tokens.colorBrandStroke1}`, backgroundColor: tokens.colorBrandBackground2 },
  hidden: { display: 'none' },
  list: { listStyle: 'none', padding: 0, margin: `${tokens.spacingVerticalS} 0`, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  row: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
  line: { display: 'flex', justifyContent: 'space-between', gap: tokens.spacingHorizontalS, flexWrap: 'wrap', wordBreak: 'break-word' },
  failed: { color: tokens.colorPaletteRedForeground1 },
  notes: { margin: 0, paddingLeft: tokens.spacingHorizontalL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
});

/** The answer of an upload, when it is one (results are typed by whoever queued the upload). */
const uploadAnswer = (result: unknown): UploadAnswer | null => {
  const a = result as Partial<UploadAnswer> | null | undefined;
  return a && Array.isArray(a.files) ? { files: a.files, skipped: a.skipped ?? [], refused: a.refused ?? [], batch: a.batch } : null;
};

/** A guest's batch, file by file: pending until it is in the case's files, or refused with the reason. */
function BatchFiles({ batch }: { batch: UploadBatchStatus }) {
  const s = useStyles();
  const t = useStrings().shell;
  const inCount = batch.files.filter((f) => f.state === 'in').length;
  return (
    <div data-testid="upload-batch" data-state={batch.state}>
      <Caption1>{t.filesInCase(inCount, batch.files.length, batch.state === 'pending')}</Caption1>
      <ul className={s.notes} aria-label={t.filesOfUpload}>
        {batch.files.map((f) => (
          <li key={f.path} data-testid="upload-batch-file" data-state={f.state}>
            <Caption1 className={f.state === 'refused' ? s.failed : undefined}>{t.uploadedFile(f.path, t.fileState[f.state], f.reason)}</Caption1>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * What an archive left out: each refused file with its reason (in the warning colour: the sender
 * may want to fix and resend it), and one line for the operating-system clutter skipped on purpose.
 */
function ArchiveNotes({ answer }: { answer: UploadAnswer }) {
  const s = useStyles();
  const t = useStrings().shell;
  if (answer.refused.length === 0 && answer.skipped.length === 0) return null;
  const stored = answer.batch ? answer.batch.files.length : answer.files.length;
  return (
    <div data-testid="upload-archive-notes">
      <Caption1>{t.filesStored(stored, answer.refused.length)}</Caption1>
      {answer.refused.length > 0 && (
        <ul className={s.notes} aria-label={t.filesNotAccepted}>
          {answer.refused.map((r) => (
            <li key={`${r.archive}/${r.path}`} data-testid="upload-refused">
              <Caption1 className={s.failed}>
                {r.path}: {r.reason}
              </Caption1>
            </li>
          ))}
        </ul>
      )}
      {answer.skipped.length > 0 && <Caption1 data-testid="upload-skipped">{t.leftOut(answer.skipped.length, [...new Set(answer.skipped.map((n) => n.reason))].join(', '))}</Caption1>}
    </div>
  );
}

/** Drop files here or pick them with the keyboard-reachable button. */
export function DropZone({ onFiles, hint, disabled }: { onFiles: (files: File[]) => void; hint: string; disabled?: boolean }) {
  const s = useStyles();
  const t = useStrings().shell;
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (!disabled) onFiles(Array.from(e.dataTransfer.files));
  };
  return (
    <div
      className={mergeClasses(s.zone, over && s.over)}
      data-testid="drop-zone"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      {t.dropOrChoose(
        (words) => (
          <Text key="drag">{words}</Text>
        ),
        (words) => (
          <Button key="choose" icon={<ArrowUploadRegular />} disabled={disabled} onClick={() => input.current?.click()}>
            {words}
          </Button>
        ),
      )}
      <label htmlFor={inputId} className={s.hidden}>
        {t.filesToUpload}
      </label>
      <input
        id={inputId}
        ref={input}
        type="file"
        multiple
        className={s.hidden}
        data-testid="file-input"
        onChange={(e) => {
          const files = Array.from(e.target.files ?? []);
          e.target.value = '';
          if (files.length) onFiles(files);
        }}
      />
      <Caption1>{hint}</Caption1>
    </div>
  );
}

/** Each file with its own progress bar and, when it fails, the reason in plain words. */
export function UploadList({ jobs }: { jobs: UploadJob[] }) {
  const s = useStyles();
  const t = useStrings().shell;
  if (jobs.length === 0) return null;
  return (
    <ul className={s.list} aria-label={t.uploads}>
      {jobs.map((j) => {
        const pct = j.total > 0 ? Math.min(1, j.loaded / j.total) : 0;
        const answer = uploadAnswer(j.result);
        const saving = j.status === 'uploading' && answer?.batch?.state === 'pending';
        const label = j.status === 'done' ? t.uploaded : j.status === 'failed' ? t.failed : j.status === 'queued' ? t.waiting : saving ? t.receivedSaving : `${Math.round(pct * 100)}%`;
        return (
          <li key={j.id} className={s.row} data-testid="upload-row" data-status={j.status}>
            <div className={s.line}>
              <Text>{j.file.name}</Text>
              <Caption1>
                {size(j.file.size)} · {label}
              </Caption1>
            </div>
            <ProgressBar value={j.status === 'done' ? 1 : pct} color={j.status === 'failed' ? 'error' : j.status === 'done' ? 'success' : 'brand'} aria-label={t.uploadOf(j.file.name)} />
            {j.error && <Caption1 className={s.failed}>{j.error}</Caption1>}
            {answer?.batch && <BatchFiles batch={answer.batch} />}
            {answer && (j.status === 'done' || saving) && <ArchiveNotes answer={answer} />}
          </li>
        );
      })}
    </ul>
  );
}
