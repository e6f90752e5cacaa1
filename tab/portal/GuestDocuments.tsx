import { Badge, Button, Caption1, Field, Select, Subtitle2, Text, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowDownloadRegular, DocumentRegular, EyeRegular, FolderRegular } from '@fluentui/react-icons';
import { useCallback, useState } from 'react';
import type { GuestItem, PortalCase } from '../api';
import { DocumentPreview, saveBlob } from '../components/DocumentPreview';
import { Empty, ErrorBar } from '../components/Feedback';
import { date, size } from '../components/format';
import { flattenTree } from '../components/tree';
import { DropZone, followBatch, UploadList, useUploads } from '../components/Uploads';
import { useAction, usePortalApi } from '../shell/hooks';
import { useStrings } from '../strings';

const useStyles = makeStyles({
  list: { listStyle: 'none', padding: 0, margin: 0 },
  row: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, padding: `${tokens.spacingVerticalS} 0`, borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`, flexWrap: 'wrap' },
  name: { flexGrow: 1, minWidth: '140px', wordBreak: 'break-word' },
  upload: { marginTop: tokens.spacingVerticalXL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
});

export function GuestDocuments({ data, onChanged }: { data: PortalCase; onChanged: () => void }) {
  const s = useStyles();
  const t = useStrings().portal;
  const portal = usePortalApi();
  const caseId = data.case.id;
  const [preview, setPreview] = useState<GuestItem | null>(null);
  // Opened on this page since it loaded: no longer new, before the next load says so too.
  const [opened, setOpened] = useState<ReadonlySet<string>>(new Set());
  const download = useAction(async (doc: GuestItem) => {
    saveBlob(await portal.document(caseId, doc.id), doc.title);
    setOpened((ids) => new Set(ids).add(doc.id));
  });
  const nodes = flattenTree(data.documents ?? []);
  // Where files may go: the case folder with a case or client grant, else only the folders shared with upload.
  const destinations = [...(data.uploadAnywhere ? [{ id: '', title: t.caseFolder }] : []), ...(data.documents ?? []).filter((d) => data.uploadFolderIds.includes(d.id)).map((d) => ({ id: d.id, title: d.title }))];
  const [destination, setDestination] = useState<string>('');
  const chosen = destinations.some((d) => d.id === destination) ? destination : (destinations[0]?.id ?? '');
  const uploads = useUploads(async (file, onProgress, onUpdate) => followBatch(await portal.uploadFile(caseId, file, chosen || null, onProgress), portal.uploadBatch, onUpdate), onChanged);
  const loadPreview = useCallback(async () => {
    const blob = await portal.document(caseId, preview?.id ?? '');
    if (preview) setOpened((ids) => new Set(ids).add(preview.id));
    return blob;
  }, [portal, caseId, preview]);
  // Office files are framed from SharePoint's preview page, so a phone can read a Word document without downloading it.
  const loadOfficePreview = useCallback(async () => {
    const link = await portal.documentPreview(caseId, preview?.id ?? '');
    if (preview) setOpened((ids) => new Set(ids).add(preview.id));
    return link;
  }, [portal, caseId, preview]);
  return (
    <section aria-label={t.documents}>
      <ErrorBar error={download.error} />
      {nodes.length === 0 && <Empty>{t.noDocuments}</Empty>}
      <ul className={s.list}>
        {nodes.map(({ item, depth }) => (
          <li key={item.id} className={s.row} style={{ paddingLeft: `${depth * 20}px` }} data-testid="guest-document" data-kind={item.kind}>
            {item.kind === 'folder' ? <FolderRegular aria-hidden /> : <DocumentRegular aria-hidden />}
            <Text className={s.name} weight={item.kind === 'folder' ? 'semibold' : 'regular'}>
              {item.title}
            </Text>
            {item.kind === 'document' && (
              <>
                {item.isNew && !opened.has(item.id) && (
                  <Badge appearance="filled" color="brand" data-testid="new-marker" aria-label={t.newMarkerLabel} title={t.newMarkerLabel}>
                    {t.newMarker}
                  </Badge>
                )}
                <Caption1 data-testid="document-modified">{t.modified(date(item.updatedAt))}</Caption1>
                <Caption1>{size(item.sizeBytes)}</Caption1>
                <Button size="small" icon={<EyeRegular />} onClick={() => setPreview(item)} aria-label={t.previewOf(item.title)}>
                  {t.preview}
                </Button>
                <Button size="small" icon={<ArrowDownloadRegular />} disabled={download.busy} onClick={() => void download.run(item)} aria-label={t.downloadOf(item.title)}>
                  {t.download}
                </Button>
              </>
            )}
          </li>
        ))}
      </ul>
      {data.canUpload && (
        <div className={s.upload}>
          <Subtitle2 block as="h2">
            {t.sendFiles}
          </Subtitle2>
          {destinations.length > 1 && (
            <Field label={t.sendTo}>
              <Select value={chosen} onChange={(_e, d) => setDestination(d.value)} data-testid="upload-destination">
                {destinations.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.title}
                  </option>
                ))}
              </Select>
            </Field>
          )}
          {destinations.length === 1 && !data.uploadAnywhere && <Caption1>{t.filesGoTo(destinations[0].title)}</Caption1>}
          <DropZone onFiles={uploads.add} hint={t.dropHint} />
          <UploadList jobs={uploads.jobs} />
        </div>
      )}
      {preview && <DocumentPreview name={preview.title} load={loadPreview} loadOfficePreview={loadOfficePreview} onClose={() => setPreview(null)} />}
    </section>
  );
}
