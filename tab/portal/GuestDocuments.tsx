import { Button, Caption1, Field, Select, Subtitle2, Text, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowDownloadRegular, DocumentRegular, EyeRegular, FolderRegular } from '@fluentui/react-icons';
import { useCallback, useState } from 'react';
import type { GuestItem, PortalCase } from '../api';
import { DocumentPreview, saveBlob } from '../components/DocumentPreview';
import { Empty, ErrorBar } from '../components/Feedback';
import { size } from '../components/format';
import { flattenTree } from '../components/tree';
import { DropZone, followBatch, UploadList, useUploads } from '../components/Uploads';
import { useAction, usePortalApi } from '../shell/hooks';

const useStyles = makeStyles({
  list: { listStyle: 'none', padding: 0, margin: 0 },
  row: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, padding: `${tokens.spacingVerticalS} 0`, borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`, flexWrap: 'wrap' },
  name: { flexGrow: 1, minWidth: '140px', wordBreak: 'break-word' },
  upload: { marginTop: tokens.spacingVerticalXL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
});

export function GuestDocuments({ data, onChanged }: { data: PortalCase; onChanged: () => void }) {
  const s = useStyles();
  const portal = usePortalApi();
  const caseId = data.case.id;
  const [preview, setPreview] = useState<GuestItem | null>(null);
  const download = useAction(async (doc: GuestItem) => saveBlob(await portal.document(caseId, doc.id), doc.title));
  const nodes = flattenTree(data.documents ?? []);
  // Where files may go: the case folder with a case or client grant, else only the folders shared with upload.
  const destinations = [...(data.uploadAnywhere ? [{ id: '', title: 'The case folder' }] : []), ...(data.documents ?? []).filter((d) => data.uploadFolderIds.includes(d.id)).map((d) => ({ id: d.id, title: d.title }))];
  const [destination, setDestination] = useState<string>('');
  const chosen = destinations.some((d) => d.id === destination) ? destination : (destinations[0]?.id ?? '');
  const uploads = useUploads(async (file, onProgress, onUpdate) => followBatch(await portal.uploadFile(caseId, file, chosen || null, onProgress), portal.uploadBatch, onUpdate), onChanged);
  const loadPreview = useCallback(() => portal.document(caseId, preview?.id ?? ''), [portal, caseId, preview]);
  return (
    <section aria-label="Documents">
      <ErrorBar error={download.error} />
      {nodes.length === 0 && <Empty>No documents have been shared with you in this case.</Empty>}
      <ul className={s.list}>
        {nodes.map(({ item, depth }) => (
          <li key={item.id} className={s.row} style={{ paddingLeft: `${depth * 20}px` }} data-testid="guest-document" data-kind={item.kind}>
            {item.kind === 'folder' ? <FolderRegular aria-hidden /> : <DocumentRegular aria-hidden />}
            <Text className={s.name} weight={item.kind === 'folder' ? 'semibold' : 'regular'}>
              {item.title}
            </Text>
            {item.kind === 'document' && (
              <>
                <Caption1>{size(item.sizeBytes)}</Caption1>
                <Button size="small" icon={<EyeRegular />} onClick={() => setPreview(item)} aria-label={`Preview ${item.title}`}>
                  Preview
                </Button>
                <Button size="small" icon={<ArrowDownloadRegular />} disabled={download.busy} onClick={() => void download.run(item)} aria-label={`Download ${item.title}`}>
                  Download
                </Button>
              </>
            )}
          </li>
        ))}
      </ul>
      {data.canUpload && (
        <div className={s.upload}>
          <Subtitle2 block as="h2">
            Send files to the firm
          </Subtitle2>
          {destinations.length > 1 && (
            <Field label="Send to">
              <Select value={chosen} onChange={(_e, d) => setDestination(d.value)} data-testid="upload-destination">
                {destinations.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.title}
                  </option>
                ))}
              </Select>
            </Field>
          )}
          {destinations.length === 1 && !data.uploadAnywhere && <Caption1>Files go to the folder {destinations[0].title}.</Caption1>}
          <DropZone onFiles={uploads.add} hint="Many files at once are fine. A .zip is unpacked into the case folder, keeping its folders." />
          <UploadList jobs={uploads.jobs} />
        </div>
      )}
      {preview && <DocumentPreview name={preview.title} load={loadPreview} onClose={() => setPreview(null)} />}
    </section>
  );
}
