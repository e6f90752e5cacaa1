import { Body1, Card, Title2, makeStyles, tokens } from '@fluentui/react-components';
import { InAppLink } from '../components/InAppLink';

const useStyles = makeStyles({ card: { maxWidth: '560px', margin: `${tokens.spacingVerticalXXL} auto`, padding: tokens.spacingHorizontalXL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM } });

/** Shown for a case that does not exist or was not shared with this guest: the two look the same on purpose. */
export function NotFoundPage() {
  const s = useStyles();
  return (
    <Card className={s.card} data-testid="not-found">
      <Title2 block as="h1">
        We can&apos;t find that case
      </Title2>
      <Body1 as="p">The link may be mistyped, or the case has not been shared with you. If you expected to see it, ask your contact at the firm.</Body1>
      <InAppLink href="/tab/portal">Go to my cases</InAppLink>
    </Card>
  );
}
