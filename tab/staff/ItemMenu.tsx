import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Dropdown, Field, Input, Menu, MenuDivider, MenuItem, MenuList, MenuPopover, MenuTrigger, Option, Text } from '@fluentui/react-components';
import { MoreHorizontalRegular } from '@fluentui/react-icons';
import { useCallback, useState, type FormEvent, type ReactNode } from 'react';
import type { CaseSharing, Item } from '../api';
import { DocumentPreview, saveBlob } from '../components/DocumentPreview';
import { ErrorBar } from '../components/Feedback';
import { useAction, useStaffApi } from '../shell/hooks';
import { itemLink } from '../shell/teams';
import { useStrings } from '../strings';
import { ShareTicks } from './ContactTicks';

type Open = 'preview' | 'rename' | 'move' | 'delete' | 'share' | 'link';

/** The item and everything inside it (a folder's subtree), as the server deletes it. */
export function subtree(item: Item, items: readonly Item[]): Item[] {
  const out = [item];
  for (let i = 0; i < out.length; i++) out.push(...items.filter((x) => x.parentId === out[i].id));
  return out;
}

/** Everyone who sees any of these items now, by name (the people a deletion takes it from). */
export function peopleSeeing(sharing: CaseSharing, items: readonly Item[]): string[] {
  return [...new Set(items.flatMap((i) => (sharing.sharedWith[i.id] ?? []).map((e) => e.name)))].sort((a, b) => a.localeCompare(b));
}

/** A dialog with a title, content and buttons; a form so Enter submits. Closing is refused while busy. */
function ActionDialog({ title, children, submit, busy, onSubmit, onClose }: { title: string; children: ReactNode; submit?: ReactNode; busy?: boolean; onSubmit?: () => void; onClose: () => void }) {
  const t = useStrings().items;
  const handle = (e: FormEvent) => {
    e.preventDefault();
    if (!busy) onSubmit?.();
  };
  return (
    <Dialog open onOpenChange={(_e, d) => !d.open && !busy && onClose()}>
      <DialogSurface>
        <form onSubmit={handle}>
          <DialogBody>
            <DialogTitle>{title}</DialogTitle>
            <DialogContent>{children}</DialogContent>
            <DialogActions>
              <Button onClick={onClose} disabled={busy}>
                {submit ? t.cancel : t.close}
              </Button>
              {submit && (
                <Button appearance="primary" type="submit" disabled={busy}>
                  {submit}
                </Button>
              )}
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

function RenameDialog({ item, onDone, onClose }: { item: Item; onDone: (message: string) => void; onClose: () => void }) {
  const t = useStrings().items;
  const api = useStaffApi();
  const [name, setName] = useState(item.title);
  const rename = useAction(async () => {
    const to = name.trim();
    if (to === item.title) return onClose();
    await api.updateItem(item.id, { title: to });
    onDone(t.renamed(item.title, to));
  });
  return (
    <ActionDialog title={t.renameTitle(item.title)} submit={t.renameVerb} busy={rename.busy} onSubmit={() => name.trim() && void rename.run()} onClose={onClose}>
      <Field label={t.newName} required>
        <Input value={name} onChange={(_e, d) => setName(d.value)} data-testid="rename-input" />
      </Field>
      <ErrorBar error={rename.error} />
    </ActionDialog>
  );
}

function MoveDialog({ item, items, onDone, onClose }: { item: Item; items: readonly Item[]; onDone: (message: string) => void; onClose: () => void }) {
  const t = useStrings().items;
  const api = useStaffApi();
  const inside = new Set(subtree(item, items).map((i) => i.id));
  const folders = items.filter((i) => i.kind === 'folder' && !inside.has(i.id)).sort((a, b) => a.title.localeCompare(b.title));
  const [to, setTo] = useState<string>(item.parentId ?? '');
  const nameOf = (id: string) => (id ? (folders.find((f) => f.id === id)?.title ?? '') : t.caseFolderTop);
  const move = useAction(async () => {
    await api.updateItem(item.id, { parentId: to || null });
    onDone(t.moved(item.title, nameOf(to)));
  });
  const unchanged = to === (item.parentId ?? '');
  return (
    <ActionDialog title={t.moveTitle(item.title)} submit={t.moveVerb} busy={move.busy} onSubmit={() => !unchanged && void move.run()} onClose={onClose}>
      <Field label={t.moveTo} hint={unchanged ? t.alreadyThere : undefined}>
        <Dropdown value={nameOf(to)} selectedOptions={[to]} onOptionSelect={(_e, d) => setTo(d.optionValue ?? '')} data-testid="move-to">
          <Option value="">{t.caseFolderTop}</Option>
          {folders.map((f) => (
            <Option key={f.id} value={f.id}>
              {f.title}
            </Option>
          ))}
        </Dropdown>
      </Field>
      <ErrorBar error={move.error} />
    </ActionDialog>
  );
}

function DeleteDialog({ item, sharing, onDone, onClose }: { item: Item; sharing: CaseSharing; onDone: (message: string) => void; onClose: () => void }) {
  const t = useStrings().items;
  const api = useStaffApi();
  const all = subtree(item, sharing.items);
  const losing = peopleSeeing(sharing, all);
  const remove = useAction(async () => {
    await api.deleteItem(item.id);
    onDone(t.deleted(item.title));
  });
  const body = item.kind === 'folder' ? t.deleteFolderBody(all.length - 1) : item.kind === 'document' ? t.deleteFileBody : t.deleteRecordBody;
  return (
    <ActionDialog title={t.deleteTitle(item.title)} submit={t.deleteVerb} busy={remove.busy} onSubmit={() => void remove.run()} onClose={onClose}>
      <Text as="p" block>
        {body}
      </Text>
      <Text as="p" block weight="semibold" data-testid="delete-who">
        {losing.length ? t.losesAccess(losing.join(', ')) : t.nobodyLoses}
      </Text>
      <ErrorBar error={remove.error} />
    </ActionDialog>
  );
}

export interface ItemActions {
  /** The "More actions for <name>" button and its menu, for one row. `onEdit`: the kind has an edit form. */
  menu: (item: Item, onEdit?: () => void) => ReactNode;
  /** The open dialog (preview, rename, move, delete, share, link), rendered once outside the list. */
  dialogs: ReactNode;
}

/**
 * The per-item menu of a panel: open, download, rename, move, delete (saying who loses it), share
 * and unshare per person, and the item's Teams link. Dialogs live outside the list, so a click in
 * one never reaches the row under it (a tree row opens or closes on click). Each change goes to
 * the server (SharePoint first for files); the panel reloads and `onNotice` says what happened.
 */
export function useItemActions({ caseId, sharing, onChanged, onNotice }: { caseId: string; sharing: CaseSharing; onChanged: () => void; onNotice: (message: string) => void }): ItemActions {
  const t = useStrings().items;
  const api = useStaffApi();
  const [open, setOpen] = useState<{ kind: Open; itemId: string } | null>(null);
  const [link, setLink] = useState('');
  // The item as the latest reload has it (a rename shows in the share dialog's title at once).
  const item = open ? sharing.items.find((i) => i.id === open.itemId) : undefined;
  const load = useCallback(() => (open ? api.document(caseId, open.itemId) : Promise.reject(new Error('nothing to open'))), [api, caseId, open]);
  const loadOfficePreview = useCallback(() => (open ? api.documentPreview(caseId, open.itemId) : Promise.reject(new Error('nothing to open'))), [api, caseId, open]);
  const download = useAction(async (target: Item) => saveBlob(await api.document(caseId, target.id), target.title));
  const copy = useAction(async (target: Item) => {
    const url = await itemLink(caseId, target.id, target.title);
    setLink(url);
    try {
      await navigator.clipboard.writeText(url);
      onNotice(t.linkCopied);
    } catch {
      // Refused (no permission, the page not focused, an old webview): the link is shown to copy by hand.
      setOpen({ kind: 'link', itemId: target.id });
    }
  });
  const done = (message: string) => {
    setOpen(null);
    onNotice(message);
    onChanged();
  };
  const close = () => setOpen(null);
  const show = (kind: Open, target: Item) => () => {
    download.clear();
    copy.clear();
    setOpen({ kind, itemId: target.id });
  };
  const menu = (target: Item, onEdit?: () => void) => {
    const isFile = target.kind === 'document' || target.kind === 'folder';
    // A click inside the menu's popover must not reach the tree row (it would open or close a folder).
    return (
      <span onClick={(e) => e.stopPropagation()}>
        <Menu>
          <MenuTrigger disableButtonEnhancement>
            <Button appearance="subtle" size="small" icon={<MoreHorizontalRegular />} aria-label={t.moreActions(target.title)} data-testid="item-menu" />
          </MenuTrigger>
          <MenuPopover>
            <MenuList>
              {target.kind === 'document' && <MenuItem onClick={show('preview', target)}>{t.open}</MenuItem>}
              {target.kind === 'document' && <MenuItem onClick={() => void download.run(target)}>{t.download}</MenuItem>}
              {onEdit && <MenuItem onClick={onEdit}>{t.edit}</MenuItem>}
              {isFile && <MenuItem onClick={show('rename', target)}>{t.rename}</MenuItem>}
              {isFile && <MenuItem onClick={show('move', target)}>{t.move}</MenuItem>}
              {!target.staffOnly && <MenuItem onClick={show('share', target)}>{t.shareWith}</MenuItem>}
              <MenuItem onClick={() => void copy.run(target)}>{t.copyLink}</MenuItem>
              <MenuDivider />
              <MenuItem onClick={show('delete', target)}>{t.delete}</MenuItem>
            </MenuList>
          </MenuPopover>
        </Menu>
      </span>
    );
  };
  const dialogs = (
    <>
      <ErrorBar error={download.error ?? copy.error} />
      {item && open?.kind === 'preview' && <DocumentPreview name={item.title} load={load} loadOfficePreview={loadOfficePreview} onClose={close} />}
      {item && open?.kind === 'rename' && <RenameDialog item={item} onDone={done} onClose={close} />}
      {item && open?.kind === 'move' && <MoveDialog item={item} items={sharing.items} onDone={done} onClose={close} />}
      {item && open?.kind === 'delete' && <DeleteDialog item={item} sharing={sharing} onDone={done} onClose={close} />}
      {item && open?.kind === 'share' && (
        <ActionDialog title={t.shareTitle(item.title)} onClose={close}>
          <ShareTicks itemId={item.id} itemTitle={item.title} sharing={sharing} onChanged={onChanged} />
        </ActionDialog>
      )}
      {item && open?.kind === 'link' && (
        <ActionDialog title={t.copyLink} onClose={close}>
          <Field label={t.linkLabel(item.title)} hint={t.copyByHand}>
            <Input readOnly value={link} onFocus={(e) => e.currentTarget.select()} data-testid="link-by-hand" />
          </Field>
        </ActionDialog>
      )}
    </>
  );
  return { menu, dialogs };
}
