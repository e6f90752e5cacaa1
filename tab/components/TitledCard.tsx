import { Card, CardHeader, Subtitle2 } from '@fluentui/react-components';
import type { ReactElement, ReactNode } from 'react';

/** A card headed by a level-2 heading (so screen readers can jump between cards), an optional caption below it, then its content. */
export function TitledCard({ title, description, testId, className, children }: { title: ReactNode; description?: ReactElement; testId: string; className?: string; children?: ReactNode }) {
  return (
    <Card data-testid={testId} className={className}>
      <CardHeader
        header={
          <Subtitle2 block as="h2">
            {title}
          </Subtitle2>
        }
        description={description}
      />
      {children}
    </Card>
  );
}
