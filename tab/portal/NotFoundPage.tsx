import { Body1, Card, Title2, makeStyles, tokens } from '@fluentui/react-components';
import { InAppLink } from '../components/InAppLink';
import { useStrings } from '../strings';

const useStyles = makeStyles({ card: { maxWidth: '560px', margin: `${tokens.spacingVerticalXXL} auto`, padding: tokens.spacingHorizontalXL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM } });

/** Shown for a case that does not exist or was not shared with this guest: the two look the same on purpose. */
export function NotFoundPage() {
  const s = useStyles();
  const t = useStrings().portal;
  return (
    <Card className={s.card} data-testid="not-found">
      <Title2 block as="h1">
        {t.notFoundTitle}
      </Title2>
      <Body1 as="p">{t.notFoundBody}</Body1>
      <InAppLink href="/tab/portal">{t.goToMyCases}</InAppLink>
    </Card>
  );
}
