import { Body1, Button, Caption1, Field, Textarea, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import type { GuestThread, PortalCase } from '../api';
import { Empty, ErrorBar } from '../components/Feedback';
import { dateTime } from '../components/format';
import { useAction, usePortalApi } from '../shell/hooks';
import { TitledCard } from '../components/TitledCard';
import { ListOrEmpty } from '../components/ListOrEmpty';

const useStyles = makeStyles({
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  msg: { padding: tokens.spacingHorizontalS, borderRadius: tokens.borderRadiusMedium, backgroundColor: tokens.colorNeutralBackground3, whiteSpace: 'pre-wrap' },
  firm: { backgroundColor: tokens.colorBrandBackground2 },
});

function ThreadCard({ thread, caseId, screen, onSent }: { thread: GuestThread; caseId: string; screen: string; onSent: () => void }) {
  const s = useStyles();
  const portal = usePortalApi();
  const [text, setText] = useState('');
  const send = useAction(async () => {
    await portal.sendMessage(caseId, { body: text, screen, threadId: thread.id });
    setText('');
    onSent();
  });
  return (
    <TitledCard testId="guest-thread" title={thread.subject}>
      {thread.messages.length === 0 && <Caption1>No messages yet.</Caption1>}
      {thread.messages.map((m) => (
        <div key={m.id} className={mergeClasses(s.msg, m.fromFirm && s.firm)} data-testid={m.fromFirm ? 'firm-reply' : 'guest-message'}>
          <Caption1>
            {m.fromFirm ? `${m.from} (the firm)` : m.from === 'you' ? 'You' : m.from} · {dateTime(m.at)}
          </Caption1>
          <Body1 as="p">{m.body}</Body1>
        </div>
      ))}
      <ErrorBar error={send.error} />
      <Field label="Reply">
        <Textarea value={text} onChange={(_e, d) => setText(d.value)} resize="vertical" />
      </Field>
      <Button appearance="primary" disabled={!text.trim() || send.busy} onClick={() => void send.run()}>
        {send.busy ? 'Sending…' : 'Send reply'}
      </Button>
    </TitledCard>
  );
}

/** The guest's conversations with the firm about this case, with the firm's replies. */
export function GuestThreads({ data, screen, onSent }: { data: PortalCase; screen: string; onSent: () => void }) {
  const s = useStyles();
  return (
    <ListOrEmpty items={data.threads} empty={<Empty>No conversations yet. Use “Message the firm” at the top of any page to write to the firm.</Empty>} className={s.stack}>
      {(t) => <ThreadCard key={t.id} thread={t} caseId={data.case.id} screen={screen} onSent={onSent} />}
    </ListOrEmpty>
  );
}
