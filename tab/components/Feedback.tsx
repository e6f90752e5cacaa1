import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle, Spinner, Text, makeStyles, tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { plainMessage } from '../api';
import { useStrings } from '../strings';

const useStyles = makeStyles({
  center: { display: 'flex', justifyContent: 'center', padding: tokens.spacingVerticalXXL },
  empty: { color: tokens.colorNeutralForeground3, padding: `${tokens.spacingVerticalM} 0` },
});

/** An API error in plain words, with an optional retry. Nothing when there is no error. */
export function ErrorBar({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  const t = useStrings().shell;
  if (!error) return null;
  return (
    <MessageBar intent="error" role="alert">
      <MessageBarBody>
        {title && <MessageBarTitle>{title}</MessageBarTitle>}
        {plainMessage(error)}
      </MessageBarBody>
      {onRetry && (
        <MessageBarActions>
          <Button onClick={onRetry}>{t.tryAgain}</Button>
        </MessageBarActions>
      )}
    </MessageBar>
  );
}

export function Notice({ intent = 'success', children }: { intent?: 'success' | 'info' | 'warning'; children: ReactNode }) {
  return (
    <MessageBar intent={intent} role="status">
      <MessageBarBody>{children}</MessageBarBody>
    </MessageBar>
  );
}

export function Loading({ label }: { label?: string }) {
  const s = useStyles();
  const t = useStrings().shell;
  return (
    <div className={s.center}>
      <Spinner label={label ?? t.loading} />
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  const s = useStyles();
  return (
    <Text as="p" block className={s.empty}>
      {children}
    </Text>
  );
}
