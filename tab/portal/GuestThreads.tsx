import { Body1, Button, Caption1, Field, Textarea, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import type { GuestThread, PortalCase } from '../api';
import { Empty, ErrorBar } from '../components/Feedback';
import { dateTime } from '../components/format';
import { useAction, usePortalApi } from '../shell/hooks';
import { TitledCard } from '../components/TitledCard';
import { ListOrEmpty } from '../components/ListOrEmpty';
import { useStrings } from '../strings';

const useStyles = makeStyles({
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  msg: { padding: tokens.spacingHorizontalS, borderRadius: tokens.borderRadiusMedium, backgroundColor: tokens.colorNeutralBackground3, whiteSpace: 'pre-wrap' },
  firm: { backgroundColor: tokens.colorBrandBackground2 },
});

function ThreadCard({ thread, caseId, screen, onSent }: { thread: GuestThread; caseId: string; screen: string; onSent: () => void }) {
  const s = useStyles();
  const t = useStrings().portal;
  const portal = usePortalApi();
  const [text, setText] = useState('');
  const send = useAction(async () => {
    await portal.sendMessage(caseId, { body: text, screen, threadId: thread.id });
    setText('');
    onSent();
  });
  return (
    <TitledCard testId="guest-thread" title={thread.subject}>
      {thread.messages.length === 0 && <Caption1>{t.noMessagesYet}</Caption1>}
      {thread.messages.map((m) => (
        <div key={m.id} className={mergeClasses(s.msg, m.fromFirm && s.firm)} data-testid={m.fromFirm ? 'firm-reply' : 'guest-message'}>
          <Caption1>
            {m.fromFirm ? t.fromFirm(m.from) : m.from === 'you' ? t.you : m.from} · {dateTime(m.at)}
          </Caption1>
          <Body1 as="p">{m.body}</Body1>
        </div>
      ))}
      <ErrorBar error={send.error} />
      <Field label={t.reply}>
        <Textarea value={text} onChange={(_e, d) => setText(d.value)} resize="vertical" />
      </Field>
      <Button appearance="primary" disabled={!text.trim() || send.busy} onClick={() => void send.run()}>
        {send.busy ? t.sending : t.sendReply}
      </Button>
    </TitledCard>
  );
}

/** The guest's conversations with the firm about this case, with the firm's replies. */
export function GuestThreads({ data, screen, onSent }: { data: PortalCase; screen: string; onSent: () => void }) {
  const s = useStyles();
  const t = useStrings().portal;
  return (
    <ListOrEmpty items={data.threads} empty={<Empty>{t.noConversations}</Empty>} className={s.stack}>
      {(thread) => <ThreadCard key={thread.id} thread={thread} caseId={data.case.id} screen={screen} onSent={onSent} />}
    </ListOrEmpty>
  );
}
